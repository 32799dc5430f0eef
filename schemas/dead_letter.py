"""Dead letters: an input that did not become a valid event, with why, where from, and its
payload, so it can be fixed and replayed. A bad row is a versioned schema like any event.

Published versions are never edited (schemas/jsonschema.py): v2 added the `duplicate` reason, so
it is a second class beside v1 with its own reason enum. convtrack writes only the current
version; whoever reads dead letters back (the store, the dead-letter topic) meets both.
"""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from convtrack.schemas.types import UtcDatetime


class Stage(StrEnum):
    VALIDATE = "validate"
    ATTRIBUTE = "attribute"
    SINK = "sink"


class ReasonCode(StrEnum):
    INVALID_JSON = "invalid_json"
    NOT_AN_OBJECT = "not_an_object"
    UNKNOWN_EVENT_TYPE = "unknown_event_type"
    UNKNOWN_SCHEMA_VERSION = "unknown_schema_version"
    SCHEMA_VIOLATION = "schema_violation"
    FUTURE_TIMESTAMP = "future_timestamp"
    TOO_LATE = "too_late"
    PAYLOAD_TOO_LARGE = "payload_too_large"


class ReasonCodeV2(StrEnum):
    """v1's codes and `duplicate`: an event_id already accepted inside the dedup horizon."""

    INVALID_JSON = "invalid_json"
    NOT_AN_OBJECT = "not_an_object"
    UNKNOWN_EVENT_TYPE = "unknown_event_type"
    UNKNOWN_SCHEMA_VERSION = "unknown_schema_version"
    SCHEMA_VIOLATION = "schema_violation"
    FUTURE_TIMESTAMP = "future_timestamp"
    TOO_LATE = "too_late"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    DUPLICATE = "duplicate"


class _Frozen(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class KafkaPosition(_Frozen):
    kind: Literal["kafka"] = "kafka"
    topic: str
    partition: Annotated[int, Field(ge=0)]
    offset: Annotated[int, Field(ge=0)]
    index_in_record: Annotated[int, Field(ge=0)] = 0
    """Which event of a batched record; 0 for a record that holds one event."""


class FilePosition(_Frozen):
    kind: Literal["file"] = "file"
    path: str
    line: Annotated[int, Field(ge=1)]


SourcePosition = Annotated[KafkaPosition | FilePosition, Field(discriminator="kind")]


class FieldError(_Frozen):
    path: str
    """Dotted path of the offending field, e.g. `relevance` or `occurred_at`."""
    error: str
    message: str


class DeadLetterV1(_Frozen):
    """Why an input was rejected, and everything needed to fix and replay it."""

    schema_version: Literal[1] = 1
    dead_letter_id: str
    """Deterministic (source position + payload digest): a re-processed input dedups."""
    stage: Stage
    reason: ReasonCode
    message: str
    errors: tuple[FieldError, ...] = ()
    payload_b64: str
    """The input as received, base64; a parseable user_id is pseudonymized first."""
    payload_bytes: Annotated[int, Field(ge=0)]
    source: SourcePosition
    received_at: UtcDatetime
    processor_version: str
    tenant_id: str | None = None
    """Read best-effort from the payload, so dead-letter spikes can be told per tenant."""
    event_type: str | None = None
    event_id: str | None = None


class DeadLetterV2(_Frozen):
    """Why an input was rejected or is a duplicate, and everything needed to fix and replay it."""

    schema_version: Literal[2] = 2
    dead_letter_id: str
    """Deterministic (source position + payload digest): a re-processed input dedups."""
    stage: Stage
    reason: ReasonCodeV2
    message: str
    errors: tuple[FieldError, ...] = ()
    payload_b64: str
    """The input as received, base64, a parseable user_id pseudonymized first; for a duplicate,
    the event as validated (its user_id already the pseudonym)."""
    payload_bytes: Annotated[int, Field(ge=0)]
    source: SourcePosition
    received_at: UtcDatetime
    processor_version: str
    tenant_id: str | None = None
    """Read best-effort from the payload, so dead-letter spikes can be told per tenant."""
    event_type: str | None = None
    event_id: str | None = None


DeadLetter = DeadLetterV2
"""The current dead-letter schema: every dead letter convtrack writes is one."""
Reason = ReasonCodeV2
"""The current reason codes (those of `DeadLetter`)."""

AnyDeadLetter = Annotated[DeadLetterV1 | DeadLetterV2, Field(discriminator="schema_version")]
"""A dead letter of any published version, as read back from the store or the topic."""
ANY_DEAD_LETTER: TypeAdapter[DeadLetterV1 | DeadLetterV2] = TypeAdapter(AnyDeadLetter)

__all__ = [
    "ANY_DEAD_LETTER",
    "AnyDeadLetter",
    "DeadLetter",
    "DeadLetterV1",
    "DeadLetterV2",
    "FieldError",
    "FilePosition",
    "KafkaPosition",
    "Reason",
    "ReasonCode",
    "ReasonCodeV2",
    "SourcePosition",
    "Stage",
]
