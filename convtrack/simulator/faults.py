"""Broken payloads of the kinds real producers send, one for each dead-letter reason.

Each is derived from a real event of the run (with a fresh event_id), so it looks like a buggy
producer's output rather than noise.
"""

from enum import StrEnum
from random import Random
from typing import Any

import orjson

from convtrack.simulator.draws import uuid4


class MalformedKind(StrEnum):
    TRUNCATED_JSON = "truncated_json"
    JSON_ARRAY = "json_array"
    UNKNOWN_EVENT_TYPE = "unknown_event_type"
    UNKNOWN_SCHEMA_VERSION = "unknown_schema_version"
    RELEVANCE_OUT_OF_RANGE = "relevance_out_of_range"
    INVALID_CURRENCY = "invalid_currency"
    MISSING_FIELD = "missing_field"
    EXTRA_FIELD = "extra_field"
    FREE_TEXT_ID = "free_text_id"
    FUTURE_TIMESTAMP = "future_timestamp"
    OVERSIZED_PAYLOAD = "oversized_payload"


OVERSIZED_BYTES = 70_000
"""Above the default 64 KiB payload limit."""

_NEEDS: dict[MalformedKind, str] = {
    MalformedKind.RELEVANCE_OUT_OF_RANGE: "exposure",
    MalformedKind.INVALID_CURRENCY: "conversion",
}
"""Kinds that only make sense on one event type."""

# Oversized payloads are 200 times bigger than the rest: once per round (the others twice)
# keeps them from dominating the output's size while a short run still shows every kind.
_ROUND = (*MalformedKind, *(k for k in MalformedKind if k is not MalformedKind.OVERSIZED_PAYLOAD))
_UNKNOWN_TYPES = ("page_view", "exposure_viewed", "add_to_wishlist")
_DROPPABLE = ("occurred_at", "tenant_id", "conversation_id", "user_id", "event_id")
_CHAT_TEXT = ("can you find me a cheap hotel in lisbon", "which laptop is best for gaming")
_NAMES = ("Jane Doe", "john smith", "Maria Garcia Lopez")


class FaultInjector:
    """Turns valid events into malformed payloads, cycling through the kinds in a shuffled
    order so a short run still shows every kind."""

    def __init__(self, rng: Random) -> None:
        self._rng = rng
        self._pending: list[MalformedKind] = []
        self._latest: dict[str, dict[str, Any]] = {}

    def observe(self, event: dict[str, Any]) -> None:
        """Remember the newest event of the types some kinds need."""
        if event["event_type"] in ("exposure", "conversion"):
            self._latest[event["event_type"]] = event

    def make(self, event: dict[str, Any]) -> tuple[MalformedKind, bytes]:
        """A malformed payload modelled on `event` (or on a recent event of a needed type)."""
        if not self._pending:
            self._pending = list(_ROUND)
            self._rng.shuffle(self._pending)
        kind = self._pending.pop()
        needed = _NEEDS.get(kind)
        template = event if needed is None else self._latest.get(needed)
        if template is None:  # nothing of that type yet: an extra field breaks any event
            kind, template = MalformedKind.EXTRA_FIELD, event
        return kind, self._break(kind, {**template, "event_id": uuid4(self._rng)})

    def _break(self, kind: MalformedKind, event: dict[str, Any]) -> bytes:
        rng = self._rng
        match kind:
            case MalformedKind.TRUNCATED_JSON:
                data = orjson.dumps(event)
                return data[: rng.randrange(len(data) // 4, 3 * len(data) // 4)]
            case MalformedKind.JSON_ARRAY:
                # a producer that serialised a tuple of values instead of an object
                return orjson.dumps(list(event.values()))
            case MalformedKind.UNKNOWN_EVENT_TYPE:
                event["event_type"] = rng.choice(_UNKNOWN_TYPES)
            case MalformedKind.UNKNOWN_SCHEMA_VERSION:
                event["schema_version"] = rng.choice((2, 3, 9))
            case MalformedKind.RELEVANCE_OUT_OF_RANGE:
                event["relevance"] = 1.7
            case MalformedKind.INVALID_CURRENCY:
                event["currency"] = "EURO"
            case MalformedKind.MISSING_FIELD:
                del event[rng.choice(_DROPPABLE)]
            case MalformedKind.EXTRA_FIELD:
                event["message"] = rng.choice(_CHAT_TEXT)
            case MalformedKind.FREE_TEXT_ID:
                event["user_id"] = rng.choice(_NAMES)
            case MalformedKind.FUTURE_TIMESTAMP:
                event["occurred_at"] = "2099" + event["occurred_at"][4:]
            case MalformedKind.OVERSIZED_PAYLOAD:
                event["debug_context"] = "0123456789abcdef" * (OVERSIZED_BYTES // 16)
        return orjson.dumps(event)
