"""The record format of the raw topic: one JSON event per record, or a batch of events bound to
one partition as newline-delimited JSON flagged by a header (docs/record-format.md).

Splitting a batch is a byte split on newlines: each event reaches the validator as its own
bytes, parsed once, and a broken line costs only itself.
"""

from collections.abc import Iterable, Mapping, Sequence

CONTENT_TYPE = "content-type"
NDJSON = "application/x-ndjson"
BATCH_HEADERS: tuple[tuple[str, bytes], ...] = ((CONTENT_TYPE, NDJSON.encode()),)
"""What convtrack's producers put on a batch record."""

MAX_RECORD_BYTES = 1_000_000
"""Largest batch value (uncompressed) a producer may build: under Kafka's default 1 MiB
`message.max.bytes`/`max.request.size` with room for the key, headers and framing."""
MAX_BATCH_EVENTS = 10_000
"""Most events in one batch record; past a few hundred a bigger batch buys no throughput."""
DEFAULT_BATCH_EVENTS = 500

RecordHeaders = Mapping[str, bytes | None] | Iterable[tuple[str, bytes | None]] | None
"""As clients hand them over: kafka-python and aiokafka give (name, value) pairs, faust may give
a mapping; a header's value may be missing."""


def is_batch(headers: RecordHeaders) -> bool:
    """True when the first content-type header names NDJSON (parameters such as `; v=1` and
    letter case ignored); any other or no content type means one event."""
    pairs = headers.items() if isinstance(headers, Mapping) else (headers or ())
    for name, value in pairs:
        if isinstance(name, str) and name.lower() == CONTENT_TYPE:
            if not isinstance(value, bytes | bytearray):
                return False
            media_type = bytes(value).split(b";", 1)[0].strip().lower()
            return media_type == NDJSON.encode()
    return False


def split_record(value: bytes, headers: RecordHeaders) -> list[bytes]:
    """The events of one record, each as its own bytes, in order; never raises.

    Always at least one item, so no record vanishes unseen: a batch with an empty body yields
    one empty item, and an empty line inside a batch stays an empty item, so the validator
    dead-letters it and `index_in_record` keeps matching the line number (0-based).
    """
    if not is_batch(headers):
        return [value]
    body = value[:-1] if value.endswith(b"\n") else value
    if not body:
        return [body]
    return body.split(b"\n")


def encode_batch(events: Sequence[bytes]) -> bytes:
    """The value of a batch record: every event ends with a newline (as in any NDJSON file, and
    so an empty last event survives the split). The caller keeps it within the limits and passes
    no event that contains a newline (`fits_in_batch`)."""
    return b"\n".join(events) + b"\n"


def fits_in_batch(event: bytes) -> bool:
    """Whether an event can travel inside a batch: a newline would split it, and one larger
    than a whole record cannot share one."""
    return b"\n" not in event and len(event) + 1 <= MAX_RECORD_BYTES
