"""Reading simulator output back: running a config, telling faults from events."""

from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError

from convtrack.schemas.registry import REGISTRY
from convtrack.simulator import SimulationConfig, Summary, simulate

_REQUIRED = ("event_id", "occurred_at", "tenant_id", "conversation_id", "user_id")


@dataclass(frozen=True)
class Run:
    config: SimulationConfig
    lines: list[bytes]
    summary: Summary

    def valid(self) -> list[dict[str, Any]]:
        """Schema-valid events in send order, re-sends left out (the far-future ones, valid to
        the schema but malformed on purpose, too)."""
        seen: set[bytes] = set()
        events = []
        for line in self.lines:
            if line in seen or malformed_kind(line) is not None:
                continue
            seen.add(line)
            events.append(orjson.loads(line))
        return events


def malformed_kind(line: bytes) -> str | None:
    """Which deliberate fault a payload is, told from the bytes alone; None for a valid event."""
    if len(line) > 65_536:
        return "oversized_payload"
    try:
        doc = orjson.loads(line)
    except orjson.JSONDecodeError:
        return "truncated_json"
    if isinstance(doc, list):
        return "json_array"
    checks = (
        ("unknown_event_type", doc.get("event_type") not in REGISTRY.event_types),
        ("unknown_schema_version", doc.get("schema_version") != 1),
        ("relevance_out_of_range", doc.get("relevance") == 1.7),
        ("invalid_currency", doc.get("currency") == "EURO"),
        ("extra_field", "message" in doc),
        ("free_text_id", " " in doc.get("user_id", "")),
        ("future_timestamp", doc.get("occurred_at", "").startswith("2099")),
        ("missing_field", any(name not in doc for name in _REQUIRED)),
    )
    return next((kind for kind, broken in checks if broken), None)


def is_schema_valid(line: bytes) -> bool:
    try:
        REGISTRY.adapter.validate_json(line)
    except ValidationError:
        return False
    return True


def run(config: SimulationConfig) -> Run:
    simulation = simulate(config)
    lines = list(simulation)
    return Run(config, lines, simulation.summary)
