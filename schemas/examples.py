"""Builds the example payloads each schema ships, so examples differ only where they matter."""

from typing import Any
from uuid import UUID, uuid5

_EXAMPLE_NAMESPACE = UUID("6f1d5c1e-8c1a-4a57-9b39-1f0e0c7a2b10")


def example(event_type: str, version: int, n: int = 0, **fields: Any) -> dict[str, Any]:
    """A JSON-ready payload: a fixed envelope for one hotel-booking conversation plus `fields`."""
    payload: dict[str, Any] = {
        "event_id": str(uuid5(_EXAMPLE_NAMESPACE, f"{event_type}/{version}/{n}")),
        "event_type": event_type,
        "schema_version": version,
        "occurred_at": "2026-11-02T09:15:00.250Z",
        "tenant_id": "acme-travel",
        "surface": "vertical",
        "surface_id": "hotels-vertical",
        "conversation_id": "conv-7f3a9c",
        "turn_index": 3,
        "user_id": "user-48213",
    }
    payload.update(fields)
    return payload
