"""A dead letter as a row of `dead_letters`, and back (replay reads them from the store)."""

from datetime import UTC, datetime
from typing import Any, NamedTuple

from convtrack.schemas.dead_letter import (
    DeadLetterV1,
    DeadLetterV2,
    FieldError,
    FilePosition,
    KafkaPosition,
    ReasonCode,
    ReasonCodeV2,
    SourcePosition,
    Stage,
)

QUERY_FORMATS = {"Tuple": "tuple"}
"""Pass as `query_formats` when reading rows back: named tuples otherwise come back as dicts."""


class DeadLetterRow(NamedTuple):
    schema_version: int
    dead_letter_id: str
    stage: str
    reason: str
    message: str
    errors: tuple[tuple[str, str, str], ...]
    payload_b64: str
    payload_bytes: int
    source_kind: str
    source_topic: str | None
    source_partition: int | None
    source_offset: int | None
    source_index_in_record: int | None
    source_path: str | None
    source_line: int | None
    received_at: datetime
    processor_version: str
    tenant_id: str | None
    event_type: str | None
    event_id: str | None


def dead_letter_row(letter: DeadLetterV1 | DeadLetterV2) -> DeadLetterRow:
    source = letter.source
    kafka = source if isinstance(source, KafkaPosition) else None
    file = source if isinstance(source, FilePosition) else None
    return DeadLetterRow(
        schema_version=letter.schema_version,
        dead_letter_id=letter.dead_letter_id,
        stage=letter.stage,
        reason=letter.reason,
        message=letter.message,
        errors=tuple((e.path, e.error, e.message) for e in letter.errors),
        payload_b64=letter.payload_b64,
        payload_bytes=letter.payload_bytes,
        source_kind=source.kind,
        source_topic=kafka.topic if kafka else None,
        source_partition=kafka.partition if kafka else None,
        source_offset=kafka.offset if kafka else None,
        source_index_in_record=kafka.index_in_record if kafka else None,
        source_path=file.path if file else None,
        source_line=file.line if file else None,
        received_at=letter.received_at,
        processor_version=letter.processor_version,
        tenant_id=letter.tenant_id,
        event_type=letter.event_type,
        event_id=letter.event_id,
    )


def dead_letter_from_row(row: DeadLetterRow) -> DeadLetterV1 | DeadLetterV2:
    """The inverse of `dead_letter_row`, in the row's schema version (the table holds every
    version, one column set); a naive received_at (as ClickHouse may return it) is read as UTC,
    which is how it was stored."""
    received = row.received_at
    # every version has these fields; what differs is the reason enum
    fields: dict[str, Any] = {
        "dead_letter_id": row.dead_letter_id,
        "stage": Stage(row.stage),
        "message": row.message,
        "errors": tuple(FieldError(path=p, error=e, message=m) for p, e, m in row.errors),
        "payload_b64": row.payload_b64,
        "payload_bytes": row.payload_bytes,
        "source": _source(row),
        "received_at": received if received.tzinfo else received.replace(tzinfo=UTC),
        "processor_version": row.processor_version,
        "tenant_id": row.tenant_id,
        "event_type": row.event_type,
        "event_id": row.event_id,
    }
    if row.schema_version == 1:
        return DeadLetterV1(reason=ReasonCode(row.reason), **fields)
    return DeadLetterV2(reason=ReasonCodeV2(row.reason), **fields)


def _source(row: DeadLetterRow) -> SourcePosition:
    if row.source_kind == "kafka":
        return KafkaPosition(
            topic=row.source_topic or "",
            partition=row.source_partition or 0,
            offset=row.source_offset or 0,
            index_in_record=row.source_index_in_record or 0,
        )
    return FilePosition(path=row.source_path or "", line=row.source_line or 1)
