"""Builds the dead letter for a rejected input (the reason, where it came from, and a payload
that can be fixed and replayed but never holds the raw user id) and for a duplicate."""

import base64
import hashlib
from datetime import datetime

from convtrack import __version__
from convtrack.schemas.dead_letter import DeadLetter, Reason, SourcePosition, Stage
from convtrack.streams.validate.classify import Document, NotJson, Rejection
from convtrack.streams.validate.outcomes import Duplicate
from convtrack.streams.validate.pseudonym import Pseudonymizer

_MAX_LABEL = 128
"""Labels read from a rejected payload are bounded: they become columns, and may be garbage."""


def dead_letter(
    raw: bytes,
    document: Document | NotJson,
    rejection: Rejection,
    *,
    source: SourcePosition,
    received_at: datetime,
    pseudonymizer: Pseudonymizer,
) -> DeadLetter:
    """`payload_bytes` is the size as received; `payload_b64` is the stored (scrubbed) form."""
    payload = stored_payload(raw, document, pseudonymizer)
    labels = document if isinstance(document, dict) else {}
    return DeadLetter(
        dead_letter_id=dead_letter_id(source, payload),
        stage=Stage.VALIDATE,
        reason=rejection.reason,
        message=rejection.message,
        errors=rejection.errors,
        payload_b64=base64.b64encode(payload).decode("ascii"),
        payload_bytes=len(raw),
        source=source,
        received_at=received_at,
        processor_version=__version__,
        tenant_id=_label(labels.get("tenant_id")),
        event_type=_label(labels.get("event_type")),
        event_id=_label(labels.get("event_id")),
    )


def duplicate_dead_letter(duplicate: Duplicate) -> DeadLetter:
    """The record of a duplicate. Its payload is the event as validated, whose user_id is
    already the pseudonym: the raw user id is never stored."""
    event = duplicate.event
    payload = event.model_dump_json().encode()
    return DeadLetter(
        dead_letter_id=dead_letter_id(duplicate.source, payload),
        stage=Stage.VALIDATE,
        reason=Reason.DUPLICATE,
        message=(
            f"event_id {event.event_id} was already accepted within the deduplication horizon "
            "(CONVTRACK_LATENESS); this copy is not counted again"
        ),
        payload_b64=base64.b64encode(payload).decode("ascii"),
        payload_bytes=duplicate.payload_bytes,
        source=duplicate.source,
        received_at=duplicate.received_at,
        processor_version=__version__,
        tenant_id=event.tenant_id,
        event_type=event.event_type,
        event_id=str(event.event_id),
    )


def stored_payload(raw: bytes, document: Document | NotJson, pseudonymizer: Pseudonymizer) -> bytes:
    """What a dead letter keeps of the input.

    A JSON object with a user_id is re-serialized with the id pseudonymized (whitespace and
    number spelling may change, the content does not). Anything else is kept as received, except
    that a `"user_id": "..."` string in unparseable bytes is still pseudonymized in place.
    """
    if isinstance(document, NotJson):
        return pseudonymizer.scrub_text(raw)
    if isinstance(document, dict):
        scrubbed = pseudonymizer.scrub_document(document)
        if scrubbed is not None:
            return scrubbed
    return raw


def dead_letter_id(source: SourcePosition, payload: bytes) -> str:
    """Same input at the same position, same id, so a re-processed input dedups in the store.

    The digest is over the stored payload, not the raw one: a plain hash of the raw bytes would
    let anyone holding the dead letter test guesses of the raw user id against it.
    """
    digest = hashlib.sha256(source.model_dump_json().encode())
    digest.update(b"\x00")
    digest.update(hashlib.sha256(payload).digest())
    return "dl_" + digest.hexdigest()[:32]


def _label(value: object) -> str | None:
    return value[:_MAX_LABEL] if isinstance(value, str) else None
