"""Dead letters: an input that did not become a valid event, with why, where from, and its
payload, so it can be fixed and replayed. A bad row is a versioned schema like any event."""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

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


DeadLetter = DeadLetterV1
"""The current dead-letter schema."""

__all__ = [
    "DeadLetter",
    "DeadLetterV1",
    "FieldError",
    "FilePosition",
    "KafkaPosition",
    "ReasonCode",
    "SourcePosition",
    "Stage",
]
