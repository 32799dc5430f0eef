"""A conversation's state packed into one `bytes` object while it waits for its next event.

A live conversation as Python objects (named tuples, datetimes, floats, Decimals, id strings)
costs about 1.7 KB; packed it is a few hundred bytes. The Attributor keeps only the packed
form and unpacks a conversation while a batch feeds it (see `core`), so the cost is one unpack
and one pack per touched conversation per batch, not per event.

Layout: a header (last_seen, revision, whether it converted, origin, user_id), then each kind
of record as a count and its records, field by field in record order:
- times: int64 microseconds since the Unix epoch (exact; event times are UTC);
- categorical values (surface ids, categories, placements, currencies, enum members ...): a
  uint32 index into a process-wide table of shared values. The schemas bound these to small
  vocabularies, so the table stays small. The table is keyed by (type, value) because a StrEnum
  member equals its plain-string value but must come back as itself;
- unique ids (exposures, conversions, users): inline UTF-8 after a two-byte length;
- floats as float64, Decimals as their exact string, ints and flags as int32 and one byte.
"""

import struct
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from convtrack.streams.attribute.records import (
    Adjustment,
    AppInvocation,
    Conversion,
    Dismissal,
    Engagement,
    Exposure,
    Feedback,
    Intent,
    Start,
    TaskCompletion,
)
from convtrack.streams.attribute.state import ConversationKey, ConversationState

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_NO_INT = -(2**31)
"""Stands for None in an int field (turns and stars are never negative)."""
_NO_SHARED = 0xFFFFFFFF
_NO_ID = 0xFFFF

_TIME = struct.Struct("<q")
_INT = struct.Struct("<i")
_FLOAT = struct.Struct("<d")
_SHARED = struct.Struct("<I")
_LENGTH = struct.Struct("<H")
_HEADER = struct.Struct("<qIB")
"""last_seen, revision, converted."""
_COUNT = struct.Struct("<I")
_ORIGIN = "too"

# Field codes: t time, i optional int, f float, b bool, o shared value, O optional shared
# value, s id, S optional id, d Decimal. One code per named-tuple field, in field order.
KINDS: tuple[tuple[str, type[Any], str], ...] = (
    ("starts", Start, "too"),
    ("intents", Intent, "tiofob"),
    ("exposures", Exposure, "stioooofboO"),
    ("engagements", Engagement, "sot"),
    ("apps", AppInvocation, "otS"),
    ("tasks", TaskCompletion, "oobt"),
    ("conversions", Conversion, "stoosdoOS"),
    ("adjustments", Adjustment, "sodot"),
    ("feedback", Feedback, "tSiOiO"),
    ("dismissals", Dismissal, "sot"),
)
"""(state attribute, record type, field codes): the order records are packed in."""

_shared_values: list[object] = []
_shared_index: dict[tuple[type, object], int] = {}


def _share(value: object) -> int:
    key = (type(value), value)
    index = _shared_index.get(key)
    if index is None:
        index = _shared_index[key] = len(_shared_values)
        _shared_values.append(value)
    return index


def micros(at: datetime) -> int:
    return (at - EPOCH) // _US


def moment(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


def _put_text(out: bytearray, text: str | None) -> None:
    if text is None:
        out += _LENGTH.pack(_NO_ID)
        return
    data = text.encode("utf-8", "surrogatepass")
    out += _LENGTH.pack(len(data))
    out += data


def _get_text(blob: bytes, offset: int) -> tuple[str | None, int]:
    (length,) = _LENGTH.unpack_from(blob, offset)
    offset += _LENGTH.size
    if length == _NO_ID:
        return None, offset
    return blob[offset : offset + length].decode("utf-8", "surrogatepass"), offset + length


def put_fields(out: bytearray, codes: str, values: tuple[Any, ...]) -> None:
    for code, value in zip(codes, values, strict=True):
        if code == "t":
            out += _TIME.pack(micros(value))
        elif code == "o":
            out += _SHARED.pack(_share(value))
        elif code == "O":
            out += _SHARED.pack(_NO_SHARED if value is None else _share(value))
        elif code in "sS":
            _put_text(out, value)
        elif code == "i":
            out += _INT.pack(_NO_INT if value is None else value)
        elif code == "f":
            out += _FLOAT.pack(value)
        elif code == "b":
            out.append(value)
        else:
            _put_text(out, str(value))


def get_fields(blob: bytes, offset: int, codes: str) -> tuple[list[Any], int]:
    values: list[Any] = []
    for code in codes:
        if code == "t":
            values.append(moment(_TIME.unpack_from(blob, offset)[0]))
            offset += _TIME.size
        elif code in "oO":
            (index,) = _SHARED.unpack_from(blob, offset)
            values.append(None if index == _NO_SHARED else _shared_values[index])
            offset += _SHARED.size
        elif code in "sS":
            text, offset = _get_text(blob, offset)
            values.append(text)
        elif code == "i":
            (number,) = _INT.unpack_from(blob, offset)
            values.append(None if number == _NO_INT else number)
            offset += _INT.size
        elif code == "f":
            values.append(_FLOAT.unpack_from(blob, offset)[0])
            offset += _FLOAT.size
        elif code == "b":
            values.append(bool(blob[offset]))
            offset += 1
        else:
            text, offset = _get_text(blob, offset)
            values.append(Decimal(cast(str, text)))
    return values, offset


def pack(state: ConversationState) -> bytes:
    out = bytearray(_HEADER.pack(micros(state.last_seen), state.revision, bool(state.conversions)))
    if state.origin is None:
        out.append(0)
    else:
        out.append(1)
        put_fields(out, _ORIGIN, state.origin)
    _put_text(out, state.user_id)
    for name, _, codes in KINDS:
        records: tuple[tuple[Any, ...], ...] = getattr(state, name)
        out += _COUNT.pack(len(records))
        for record in records:
            put_fields(out, codes, record)
    return bytes(out)


def unpack(key: ConversationKey, blob: bytes) -> ConversationState:
    last_seen, revision, _ = _HEADER.unpack_from(blob, 0)
    offset = _HEADER.size + 1
    origin = None
    if blob[_HEADER.size]:
        values, offset = get_fields(blob, offset, _ORIGIN)
        origin = (values[0], values[1], values[2])
    user_id, offset = _get_text(blob, offset)
    state = ConversationState(*key, cast(str, user_id), moment(last_seen))
    state.revision, state.origin = revision, origin
    for name, record_type, codes in KINDS:
        (count,) = _COUNT.unpack_from(blob, offset)
        offset += _COUNT.size
        records = []
        for _ in range(count):
            values, offset = get_fields(blob, offset, codes)
            records.append(record_type(*values))
        setattr(state, name, tuple(records))
    return state


def expiry(blob: bytes) -> tuple[int, bool]:
    """(last_seen in epoch microseconds, converted) read from the header alone: what `expire`
    scans, hourly, over every live conversation."""
    last_seen, _, converted = _HEADER.unpack_from(blob, 0)
    return last_seen, bool(converted)
