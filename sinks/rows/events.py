"""A validated event as a row of `events`: the envelope, one column per v1 field name, and
`properties` for the fields of newer types that have no column yet."""

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple, get_type_hints
from uuid import UUID

import orjson

from convtrack.schemas.envelope import Event
from convtrack.schemas.typing import fits, kinds_of
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
    properties: dict[str, str] = {}  # noqa: RUF012 (never mutated: rows are rebuilt)


class UnmappedFieldError(TypeError):
    """A counter or row field has no column: it needs a migration, or its data would be
    dropped on the way to the store."""


_TYPED_NAMES = EventRow._fields[:-1]
"""Every column but `properties`, which comes last."""
_COLUMN_TYPES = {
    name: kinds_of(hint) for name, hint in get_type_hints(EventRow).items() if name != "properties"
}
_untyped: dict[type[Event], tuple[str, ...]] = {}
"""Per schema, its fields without a typed column that fits them (usually none)."""


def _untyped_fields(schema: type[Event]) -> tuple[str, ...]:
    """Fields with no column of their name, or whose type the column of that name cannot hold
    (a newer type may reuse a name with another meaning): those go to `properties`. The
    envelope always has its columns."""
    return tuple(
        sorted(
            name
            for name, field in schema.model_fields.items()
            if name not in Event.model_fields
            and (
                name not in _COLUMN_TYPES
                or not fits(kinds_of(field.annotation), _COLUMN_TYPES[name])
            )
        )
    )


def event_row(valid: ValidEvent) -> EventRow:
    """Enum values go in as they are (StrEnum is a str); the user_id is already the pseudonym."""
    event = valid.event
    schema = type(event)
    untyped = _untyped.get(schema)
    if untyped is None:
        untyped = _untyped[schema] = _untyped_fields(schema)
    values = event.__dict__  # pydantic keeps fields there; reading it skips per-field getattr
    if not untyped:
        # the common case in C: one dict lookup per column, no Python frame per column
        return EventRow._make((*map(values.get, _TYPED_NAMES), {}))
    typed = [None if n in untyped else values.get(n) for n in _TYPED_NAMES]
    return EventRow._make([*typed, {name: _text(values[name]) for name in untyped}])


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    return orjson.dumps(value, default=str).decode()
