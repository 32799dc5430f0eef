"""A validated event as a row of `events`: the envelope, then one column per v1 field name."""

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple
from uuid import UUID

from convtrack.schemas.envelope import Event
from convtrack.streams.validate.outcomes import ValidEvent


class EventRow(NamedTuple):
    event_id: UUID
    event_type: str
    schema_version: int
    occurred_at: datetime
    tenant_id: str
    surface: str
    surface_id: str
    conversation_id: str
    turn_index: int | None
    user_id: str
    entry_point: str | None = None
    locale: str | None = None
    country: str | None = None
    category: str | None = None
    confidence: float | None = None
    stage: str | None = None
    commercial: bool | None = None
    exposure_id: str | None = None
    kind: str | None = None
    offer_id: str | None = None
    offer_category: str | None = None
    placement: str | None = None
    position: int | None = None
    relevance: float | None = None
    sponsored: bool | None = None
    campaign_id: str | None = None
    action: str | None = None
    app_id: str | None = None
    invoked_by: str | None = None
    task: str | None = None
    success: bool | None = None
    duration_ms: int | None = None
    conversion_id: str | None = None
    value: Decimal | None = None
    currency: str | None = None
    amount: Decimal | None = None
    reason: str | None = None
    target: str | None = None
    thumb: str | None = None
    stars: int | None = None
    turns: int | None = None


class UnmappedFieldError(TypeError):
    """An event schema has a field `events` has no column for: it needs a migration, or its
    data would be dropped on the way to the store."""


_COLUMNS = frozenset(EventRow._fields)
_checked: set[type[Event]] = set()


def event_row(valid: ValidEvent) -> EventRow:
    """Enum values go in as they are (StrEnum is a str); the user_id is already the pseudonym."""
    event = valid.event
    schema = type(event)
    if schema not in _checked:
        missing = sorted(set(schema.model_fields) - _COLUMNS)
        if missing:
            raise UnmappedFieldError(
                f"{schema.__name__} fields {missing} have no column in `events`; add a migration"
            )
        _checked.add(schema)
    values = event.__dict__  # pydantic keeps fields there; reading it skips per-field getattr
    return EventRow._make(values.get(name) for name in EventRow._fields)
