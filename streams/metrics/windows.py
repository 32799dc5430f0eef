"""Open metric windows with versions, bounded by an event-time horizon.

A window is kept in memory while it can still change cheaply: from its first contribution until
the horizon (watermark - lateness) passes it. Each flush emits the windows changed since the
previous flush, each with its version + 1, so the sink keeps the newest version per key.

A fact can still change after its window left memory: a refund inside a 30-day return window
restates a conversion whose minute is older than the 7-day lateness. Re-creating that window
from the delta alone and emitting it as version 1 would overwrite the full row. Instead the
delta opens a new *part* of the window (part = the horizon's epoch minute when it reopened;
live windows are part 0), a partial that SQL sums with the others, exactly like the shard
partials. A reopened part is dropped once the horizon moves on, so a later change opens a
different part and never collides with one already written.
"""

import heapq
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, NamedTuple, TypeVar

K = TypeVar("K", bound=Hashable)
C = TypeVar("C")
"""What a window sums: immutable counters, or a `Tally` added to in place."""

LIVE_PART = 0
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(slots=True)
class _Open(Generic[C]):
    counters: C
    version: int = 0


class Emitted(NamedTuple, Generic[K, C]):
    key: K
    part: int
    version: int
    counters: C


def epoch_minute(at: datetime) -> int:
    return int((at - _EPOCH).total_seconds()) // 60


class WindowStore(Generic[K, C]):
    """Counters per (window key, part). `zero` makes an empty window's counters, `merge` adds a
    delta to them (returning the sum, possibly the same object updated), `start_of` gives a
    key's window start."""

    def __init__(
        self,
        zero: Callable[[], C],
        merge: Callable[[C, C], C],
        start_of: Callable[[K], datetime],
    ) -> None:
        self._zero = zero
        self._merge = merge
        self._start_of = start_of
        self._open: dict[tuple[K, int], _Open[C]] = {}
        self._dirty: set[tuple[K, int]] = set()
        """Slots changed since the last flush: a flush visits only those, not every window
        the lateness keeps in memory."""
        self._horizon: datetime | None = None
        self._live_by_start: list[tuple[datetime, K]] = []
        self._parts: list[tuple[int, K]] = []
        """Heaps of the slots opened or restored, live ones by window start, reopened ones by
        part: the order in which the horizon makes them final, so `expire` visits only the
        slots it passed, not every window in memory. A slot leaves its heap once final; one
        still dirty then is dropped by the flush that emits it."""

    def __len__(self) -> int:
        return len(self._open)

    @property
    def horizon(self) -> datetime | None:
        return self._horizon

    def add(self, key: K, delta: C) -> None:
        slot = (key, self._part_for(key))
        entry = self._open.get(slot)
        if entry is None:
            entry = self._open[slot] = _Open(self._zero())
            self._schedule(slot)
        entry.counters = self._merge(entry.counters, delta)
        self._dirty.add(slot)

    def flush(self, version_floor: int = 0) -> list[Emitted[K, C]]:
        """The changed windows, sorted by (key, part), each with its next version, at least
        `version_floor` (see `MetricsAggregator.flush`)."""
        slots = sorted(self._dirty)
        self._dirty.clear()
        emitted: list[Emitted[K, C]] = []
        for slot in slots:
            entry = self._open[slot]
            entry.version = max(entry.version + 1, version_floor)
            emitted.append(Emitted(*slot, entry.version, entry.counters))
        # Windows clean before this flush were already judged at the current horizon (by
        # `expire`, or an earlier flush): only the ones just emitted can have become final.
        self._drop_final(slots)
        return emitted

    def peek(
        self, since: datetime, before: datetime, version_floor: int = 0
    ) -> list[Emitted[K, C]]:
        """The changed windows that start in [since, before), sorted, with the versions the next
        `flush` gives them; they stay changed. Mutable counters are the live objects: read
        them before the next `add`."""
        start_of, entries = self._start_of, self._open
        return [
            Emitted(*slot, max(entries[slot].version + 1, version_floor), entries[slot].counters)
            for slot in sorted(s for s in self._dirty if since <= start_of(s[0]) < before)
        ]

    def expire(self, horizon: datetime) -> None:
        """Moves the horizon (never back) and forgets the final windows already flushed."""
        if self._horizon is None or horizon > self._horizon:
            self._horizon = horizon
        horizon = self._horizon
        current = epoch_minute(horizon)
        final: list[tuple[K, int]] = []
        live, parts = self._live_by_start, self._parts
        while live and live[0][0] < horizon:
            final.append((heapq.heappop(live)[1], LIVE_PART))
        while parts and parts[0][0] < current:
            part, key = heapq.heappop(parts)
            final.append((key, part))
        self._drop_final(final)

    def restore(self, key: K, part: int, version: int, counters: C) -> None:
        """Puts back a window as last flushed (clean: it is stored already)."""
        self._open[(key, part)] = _Open(counters, version)
        self._dirty.discard((key, part))
        self._schedule((key, part))

    def slots(self) -> set[tuple[K, int]]:
        """Every (key, part) in memory."""
        return set(self._open)

    def _part_for(self, key: K) -> int:
        horizon = self._horizon
        if horizon is None or self._start_of(key) >= horizon or (key, LIVE_PART) in self._open:
            return LIVE_PART
        return epoch_minute(horizon)

    def _schedule(self, slot: tuple[K, int]) -> None:
        key, part = slot
        if part == LIVE_PART:
            heapq.heappush(self._live_by_start, (self._start_of(key), key))
        else:
            heapq.heappush(self._parts, (part, key))

    def _drop_final(self, slots: list[tuple[K, int]]) -> None:
        horizon = self._horizon
        if horizon is None:
            return
        current = epoch_minute(horizon)
        for slot in slots:
            key, part = slot
            final = self._start_of(key) < horizon if part == LIVE_PART else part < current
            if final and slot not in self._dirty:
                # absent when a flush dropped it while it still waited in a heap
                self._open.pop(slot, None)
