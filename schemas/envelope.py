"""The envelope every event carries, and the base class of every event schema."""

from typing import ClassVar, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, model_validator

from convtrack.schemas.types import Identifier, Slug, Surface, TurnIndex, UtcDatetime


class Event(BaseModel):
    """Base of every event schema. A concrete schema narrows `event_type` and `schema_version`
    to literals; together they are the key the registry and the validator dispatch on.

    `user_id` arrives as the producer's id and is replaced at ingest by a keyed pseudonym; the
    raw value is never stored.
    """

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    event_id: UUID
    event_type: str
    schema_version: int
    occurred_at: UtcDatetime
    tenant_id: Slug
    surface: Surface
    surface_id: Identifier
    conversation_id: Identifier
    turn_index: TurnIndex | None = None
    user_id: Identifier

    description: ClassVar[str] = ""
    """One line for `convtrack schemas list`; set by each schema."""
    surfaces: ClassVar[frozenset[Surface]] = frozenset(Surface)
    """The surfaces that may send this type; others are schema violations."""

    @model_validator(mode="after")
    def _sent_by_an_allowed_surface(self) -> Self:
        if self.surface not in self.surfaces:
            allowed = ", ".join(sorted(self.surfaces))
            raise ValueError(f"{self.event_type} comes only from surface {allowed}")
        return self

    @classmethod
    def schema_key(cls) -> tuple[str, int]:
        """(event_type, schema_version) read from the schema's literal annotations."""
        type_field = cls.model_fields["event_type"].annotation
        version_field = cls.model_fields["schema_version"].annotation
        (event_type,) = getattr(type_field, "__args__", (None,))
        (version,) = getattr(version_field, "__args__", (None,))
        if not isinstance(event_type, str) or not isinstance(version, int):
            raise TypeError(
                f"{cls.__qualname__} must narrow event_type to Literal[str] and "
                "schema_version to Literal[int]"
            )
        return event_type, version
