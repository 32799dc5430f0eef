"""Shared inputs for the validate-stage tests: the schemas' own examples and a fixed clock."""

import base64
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import orjson

from convtrack.schemas.dead_letter import DeadLetter, FilePosition, SourcePosition
from convtrack.schemas.events.exposure_v1 import ExposureV1
from convtrack.schemas.registry import REGISTRY
from convtrack.streams.validate import Outcome, Pseudonymizer, ValidateConfig, Validator

KEY = b"test-key-0123456789abcdef0123456789"
RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
"""Shortly after the examples' occurred_at (2026-11-02T09:15:00.250Z)."""
EXAMPLE_TIME = datetime(2026, 11, 2, 9, 15, 0, 250_000, tzinfo=UTC)
RAW_USER_ID = "user-48213"
"""The producer's id in every example; it must never reach a stored payload."""
CONFIG = ValidateConfig(
    max_payload_bytes=65_536,
    future_skew=timedelta(minutes=5),
    lateness=timedelta(days=7),
    dedup_max_ids=1_000_000,
)


def all_examples() -> list[dict[str, Any]]:
    return [
        example
        for schema in REGISTRY.values()
        for example in schema.model_json_schema()["examples"]
    ]


def exposure(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = dict(ExposureV1.model_json_schema()["examples"][0])
    payload.update(changes)
    return payload


def at(moment: datetime, event_id: str | None = None, **changes: Any) -> dict[str, Any]:
    """The exposure example at another time (and, by default, a time-derived event_id)."""
    ident = event_id or str(uuid5(NAMESPACE_URL, moment.isoformat()))
    return exposure(occurred_at=moment.isoformat(), event_id=ident, **changes)


def position(line: int = 1) -> FilePosition:
    return FilePosition(path="events.jsonl", line=line)


def make_validator(**config_changes: Any) -> Validator:
    return Validator(dataclasses.replace(CONFIG, **config_changes), Pseudonymizer(KEY))


def run(
    validator: Validator,
    payload: dict[str, Any] | bytes,
    source: SourcePosition | None = None,
    received_at: datetime = RECEIVED,
) -> Outcome:
    raw = payload if isinstance(payload, bytes) else orjson.dumps(payload)
    return validator.validate(raw, source or position(), received_at)


def stored(dead_letter: DeadLetter) -> bytes:
    return base64.b64decode(dead_letter.payload_b64, validate=True)
