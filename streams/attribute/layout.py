"""The packed form's vocabulary: record kinds and their field codes, the section widths and
mode bits, the process-wide table of shared values, and what can be read from a packed state
without unpacking it (its conversation_id, its counts). See `packed` for the layout."""

import struct
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

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

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
HEADER = struct.Struct("<Hq")
"""mode, base (epoch microseconds of the earliest time)."""
KEY_AT = HEADER.size
"""Where the NUL-terminated conversation_id starts."""
WIDTHS = "BHIQ"
UNITS = (1, 1_000, 1_000_000)
NONE, FALLBACK = 0, 1
"""Small-int codes: None, and an exposure reference whose id is in the texts."""
# Mode bits: 2-bit fields at these shifts, then flags.
UNIT, TIME_W, INT_W, SHARED_W, COUNT_W = 0, 2, 4, 6, 8
WIDE_FLOATS, CONVERTED, ORIGIN = 1 << 10, 1 << 11, 1 << 12


class Kind(NamedTuple):
    name: str
    """The ConversationState attribute holding this kind's records."""
    record: type[Any]
    codes: str
    """Per field: t time, i optional int, e exposure reference, f float, c categorical,
    s text, u conversion user (empty when the conversation's), d Decimal."""
    number: int
    columns: tuple[tuple[int, str], ...]
    """(field index, code) of the fields stored column by column: all but the categorical."""
    shared: tuple[int, ...]
    """Field indexes of the categorical fields, stored as one shared tuple per record."""
    sizes: tuple[int, int, int, int, int]
    """Times, small ints, floats, texts and shared indexes one record takes."""


def _kind(number: int, name: str, record: type[Any], codes: str) -> Kind:
    shared = tuple(i for i, code in enumerate(codes) if code == "c")
    per_record = [sum(code in group for code in codes) for group in ("t", "ie", "f", "sud")]
    return Kind(
        name,
        record,
        codes,
        number,
        tuple((i, code) for i, code in enumerate(codes) if code != "c"),
        shared,
        (per_record[0], per_record[1], per_record[2], per_record[3], int(bool(shared))),
    )


KINDS = tuple(
    _kind(number, *kind)
    for number, kind in enumerate(
        (
            ("starts", Start, "tcc"),
            ("intents", Intent, "ticfcc"),
            ("exposures", Exposure, "sticcccfccc"),
            ("engagements", Engagement, "ect"),
            ("apps", AppInvocation, "cte"),
            ("tasks", TaskCompletion, "ccct"),
            ("conversions", Conversion, "stccudcce"),
            ("adjustments", Adjustment, "scdct"),
            ("feedback", Feedback, "teiccc"),
            ("dismissals", Dismissal, "ect"),
        )
    )
)
"""In packing order: exposures come before every kind that refers to them."""

shared_values: list[tuple[object, ...]] = []
_shared_index: dict[tuple[int, tuple[object, ...]], int] = {}


def share(kind: int, rows: Iterable[tuple[object, ...]]) -> list[int]:
    """The index of each record's categorical values in the process-wide table."""
    # Keyed by kind: a StrEnum member equals its plain string, and two kinds' enums may share
    # a value. Within a kind the record types fix each field's type.
    indexes = []
    for values in rows:
        key = (kind, values)
        index = _shared_index.get(key)
        if index is None:
            index = _shared_index[key] = len(shared_values)
            shared_values.append(values)
        indexes.append(index)
    return indexes


def micros(at: datetime) -> int:
    return (at - EPOCH) // US


@lru_cache(maxsize=4096)
def _struct(fmt: str) -> struct.Struct:
    return struct.Struct(fmt)


_SHAPE = 0xFF << TIME_W | WIDE_FLOATS
"""The mode bits that set the numeric sections' widths."""


def layout(mode: int, sizes: tuple[int, int, int, int, int, int]) -> struct.Struct:
    """The numeric sections: (counts, times, ints, shared, floats) values, widths from `mode`."""
    return _layout(mode & _SHAPE, sizes[:5])


@lru_cache(maxsize=4096)
def _layout(mode: int, sizes: tuple[int, ...]) -> struct.Struct:
    counts, times, ints, shared, floats = sizes
    return struct.Struct(
        "<{}{}{}{}{}{}{}{}{}{}".format(
            *(counts, WIDTHS[mode >> COUNT_W & 3], times, WIDTHS[mode >> TIME_W & 3]),
            *(ints, WIDTHS[mode >> INT_W & 3], shared, WIDTHS[mode >> SHARED_W & 3]),
            *(floats, "d" if mode & WIDE_FLOATS else "H"),
        )
    )


def revision_of(blob: bytes) -> int:
    """The state's fact revision (the first small int), read without unpacking: what saving
    a touched conversation needs besides its events."""
    mode = HEADER.unpack_from(blob)[0]
    at, counts = counts_of(blob)
    records = sum(n * kind.sizes[0] for kind, n in zip(KINDS, counts, strict=True))
    times = 1 + bool(mode & ORIGIN) + records  # last_seen, the origin's, then the records'
    at += len(KINDS) * _bytes(mode, COUNT_W) + times * _bytes(mode, TIME_W)
    return int(_struct(f"<{WIDTHS[mode >> INT_W & 3]}").unpack_from(blob, at)[0])


def _bytes(mode: int, shift: int) -> int:
    """The width in bytes of the section whose 2-bit width field is at `shift`."""
    return 1 << (mode >> shift & 3)


def counts_of(blob: bytes) -> tuple[int, tuple[int, ...]]:
    """(where the counts start, records per kind)."""
    mode = HEADER.unpack_from(blob)[0]
    at = blob.index(0, KEY_AT) + 1
    return at, _struct(f"<{len(KINDS)}{WIDTHS[mode >> COUNT_W & 3]}").unpack_from(blob, at)


def key_of(blob: bytes) -> str:
    """The conversation_id a packed state belongs to."""
    return blob[KEY_AT : blob.index(0, KEY_AT)].decode("utf-8", "surrogatepass")
