"""A conversation's state packed into one `bytes` object while it waits for its next event.

As Python objects (named tuples, datetimes, floats, Decimals, id strings) a live conversation
costs about 1.7 KB; packed, about 180 B. The Attributor keeps only the packed form and unpacks
a conversation while a batch feeds it (see `core`), so the cost is one unpack and one pack per
touched conversation per batch, not per event.

Layout: header (mode, base time) | conversation_id NUL | sections, each of one fixed width:
- counts: records per kind;
- times: last_seen, origin time, then every record time, as offsets from the earliest of them
  in the coarsest unit that keeps all exact (s, ms or us);
- small ints: revision, then turns and references to the conversation's exposures (an
  engagement names its exposure by position: its id is already in the state);
- shared: one index per record into a process-wide table of the record's categorical values as
  one tuple (surface, surface_id, kind, category, placement ...): the schemas bound each to a
  small vocabulary, and the combinations that occur are few;
- floats (relevance, confidence) as thousandths when that is exact, else float64;
- texts: user_id, unique ids, Decimal strings, NUL-separated (ids are restricted to a token
  alphabet without NUL).
Each section takes the narrowest width its largest value fits in; the mode says which. Records
of one kind are stored column by column, so packing and unpacking work on whole columns.
"""

import math
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from convtrack.streams.attribute.layout import (
    CONVERTED,
    COUNT_W,
    EPOCH,
    FALLBACK,
    HEADER,
    INT_W,
    KINDS,
    NONE,
    ORIGIN,
    SHARED_W,
    TIME_W,
    UNIT,
    UNITS,
    US,
    WIDE_FLOATS,
    Kind,
    counts_of,
    layout,
    micros,
    share,
    shared_values,
)
from convtrack.streams.attribute.state import ConversationKey, ConversationState


class _Sections:
    """The values of each section, in order, while packing or unpacking."""

    __slots__ = ("fallbacks", "floats", "ints", "shared", "texts", "times")

    def __init__(self) -> None:
        self.times: list[Any] = []
        self.ints: list[int] = []
        self.shared: list[int] = []
        self.floats: list[float] = []
        self.texts: list[str] = []
        self.fallbacks: list[str] = []
        """Ids of references to exposures the conversation does not have: after the texts."""


def _width(values: Sequence[int]) -> int:
    top = max(values, default=0)
    return 0 if top < 1 << 8 else 1 if top < 1 << 16 else 2 if top < 1 << 32 else 3


def _thousandths(floats: list[float]) -> list[int] | None:
    """The floats as exact thousandths in 0..65535, or None when one is not."""
    try:
        scaled = [round(value * 1000) for value in floats]
    except (OverflowError, ValueError):  # infinite or NaN
        return None
    if [k / 1000 for k in scaled] != floats or min(scaled, default=0) < 0:
        return None
    if max(scaled, default=0) > 0xFFFF:
        return None
    # -0.0 equals 0.0 but would come back as 0.0
    if 0 in scaled and any(math.copysign(1.0, v) < 0 for v in floats if v == 0):
        return None
    return scaled


def pack(state: ConversationState) -> bytes:
    groups: list[tuple[Any, ...]] = [getattr(state, kind.name) for kind in KINDS]
    counts = list(map(len, groups))
    out = _Sections()
    out.times.append(state.last_seen)
    out.ints.append(state.revision)
    out.texts.append(state.user_id)
    mode = CONVERTED if state.conversions else 0
    if state.origin is not None:
        mode |= ORIGIN
        out.times.append(state.origin[0])
        out.shared += share(0, (state.origin[1:],))
    references: dict[str | None, int] = {None: NONE}
    references.update((exposure.exposure_id, n) for n, exposure in enumerate(state.exposures, 2))
    for kind, records in zip(KINDS, groups, strict=True):
        if records:
            columns = list(zip(*records, strict=True))
            for index, code in kind.columns:
                _put(out, code, columns[index], references, state.user_id)
            if kind.shared:
                rows = zip(*(columns[i] for i in kind.shared), strict=True)
                out.shared += share(kind.number, rows)
    base = min(out.times)
    offsets = [(at - base) // US for at in out.times]
    divisor = math.gcd(*offsets)
    unit = 2 if divisor % 1_000_000 == 0 else 1 if divisor % 1_000 == 0 else 0
    if unit:
        offsets = [offset // UNITS[unit] for offset in offsets]
    scaled = _thousandths(out.floats)
    mode |= unit << UNIT | _width(offsets) << TIME_W | _width(out.ints) << INT_W
    mode |= _width(out.shared) << SHARED_W | _width(counts) << COUNT_W
    if scaled is None:
        mode |= WIDE_FLOATS
    texts = out.texts + out.fallbacks
    text = "\x00".join(texts)
    if text.count("\x00") != len(texts) - 1:
        raise ValueError("ids never contain NUL (Identifier)")
    sizes = (len(counts), len(offsets), len(out.ints), len(out.shared), len(out.floats), 0)
    numbers = layout(mode, sizes).pack(
        *counts, *offsets, *out.ints, *out.shared, *(out.floats if scaled is None else scaled)
    )
    return b"".join(
        (
            HEADER.pack(mode, micros(base)),
            state.conversation_id.encode("utf-8", "surrogatepass"),
            b"\x00",
            numbers,
            text.encode("utf-8", "surrogatepass"),
        )
    )


def _put(
    out: _Sections,
    code: str,
    column: tuple[Any, ...],
    references: dict[str | None, int],
    user: str,
) -> None:
    """`references`: the small-int code of each exposure_id the conversation has, and None's."""
    if code == "t":
        out.times += column
    elif code == "i":
        if any(v < 0 for v in column if v is not None):
            raise ValueError("turns are never negative (TurnIndex)")
        out.ints += [NONE if v is None else v + 2 for v in column]
    elif code == "e":
        for exposure_id in column:
            reference = references.get(exposure_id)
            if reference is None:
                out.fallbacks.append(exposure_id)
                reference = FALLBACK
            out.ints.append(reference)
    elif code == "f":
        out.floats += column
    elif code == "d":
        out.texts += map(str, column)
    elif code == "u":
        out.texts += ["" if v == user else v for v in column]
    else:
        out.texts += column


def unpack(key: ConversationKey, blob: bytes) -> ConversationState:
    mode, base = HEADER.unpack_from(blob)
    at, counts = counts_of(blob)
    origin = bool(mode & ORIGIN)
    sizes = [len(KINDS), 1 + origin, 1, int(origin), 0, 1]
    """Counts, times, small ints, shared, floats, texts (without the fallbacks)."""
    for kind, count in zip(KINDS, counts, strict=True):
        if count:
            n_times, n_ints, n_floats, n_texts, n_shared = kind.sizes
            sizes[1] += count * n_times
            sizes[2] += count * n_ints
            sizes[3] += count * n_shared
            sizes[4] += count * n_floats
            sizes[5] += count * n_texts
    numeric = layout(mode, (sizes[0], sizes[1], sizes[2], sizes[3], sizes[4], sizes[5]))
    numbers = numeric.unpack_from(blob, at)
    sections = _Sections()
    start, unit = EPOCH + timedelta(microseconds=base), UNITS[mode & 3]
    cut = sizes[0] + sizes[1]
    sections.times = [start + timedelta(microseconds=n * unit) for n in numbers[sizes[0] : cut]]
    sections.ints = list(numbers[cut : cut + sizes[2]])
    cut += sizes[2]
    sections.shared = list(numbers[cut : cut + sizes[3]])
    floats = numbers[cut + sizes[3] :]
    sections.floats = list(floats) if mode & WIDE_FLOATS else [k / 1000 for k in floats]
    texts = blob[at + numeric.size :].decode("utf-8", "surrogatepass").split("\x00")
    sections.texts, sections.fallbacks = texts[: sizes[5]], texts[sizes[5] :]
    state = ConversationState(*key, texts[0], sections.times[0])
    state.revision = sections.ints[0]
    if origin:
        at_origin, (surface, surface_id) = sections.times[1], shared_values[sections.shared[0]]
        state.origin = (at_origin, surface, surface_id)  # type: ignore[assignment]
    reader = _Reader(sections, state, 1 + origin, int(origin))
    for kind, count in zip(KINDS, counts, strict=True):
        if count:
            setattr(state, kind.name, reader.records(kind, count))
    return state


class _Reader:
    """Takes each kind's columns from the sections, in the order `pack` put them there."""

    def __init__(self, sections: _Sections, state: ConversationState, times: int, shared: int):
        self.sections, self.state = sections, state
        self.fallbacks = iter(sections.fallbacks)
        self.cursors = {"t": times, "f": 0, "i": 1, "s": 1, "c": shared}

    def records(self, kind: Kind, count: int) -> tuple[Any, ...]:
        columns: list[Sequence[Any]] = [()] * len(kind.codes)
        for index, code in kind.columns:
            columns[index] = self._column(code, count)
        if kind.shared:
            rows = [shared_values[i] for i in self._take("c", count, self.sections.shared)]
            for index, values in zip(kind.shared, zip(*rows, strict=True), strict=True):
                columns[index] = values
        return tuple(map(kind.record, *columns))

    def _take(self, section: str, count: int, values: list[Any]) -> list[Any]:
        at = self.cursors[section]
        self.cursors[section] = at + count
        return values[at : at + count]

    def _column(self, code: str, count: int) -> Sequence[Any]:
        sections = self.sections
        if code in "tf":
            return self._take(code, count, sections.times if code == "t" else sections.floats)
        if code in "ie":
            ints = self._take("i", count, sections.ints)
            if code == "i":
                return [None if v == NONE else v - 2 for v in ints]
            exposures = self.state.exposures
            fallbacks = self.fallbacks
            return [
                None if v == NONE else next(fallbacks) if v == FALLBACK else exposures[v - 2][0]
                for v in ints
            ]
        texts = self._take("s", count, sections.texts)
        if code == "d":
            return list(map(Decimal, texts))
        if code == "u":
            user = self.state.user_id
            return [user if v == "" else v for v in texts]
        return texts
