"""The metrics processor: attribution changes in, versioned per-minute window snapshots out.

One aggregator serves one shard (a Kafka partition, or a worker's set of them). Windows span
every input partition, so each shard emits its own *partial* of a window, keyed by `shard`;
SQL sums the partials (newest version of each) and no worker overwrites another's
(DESIGN.md, Storage, trap 1).

Feeding is order-independent: a `Change` subtracts the contribution of `previous` and adds that
of `fact`, so restatements never double count, duplicates (which attribution turns into no
change) add nothing, and the final counters depend only on the facts, not on arrival order.
Snapshots are deterministic: the same input with the same flush and expire calls yields the same
snapshots, versions included.
"""

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from convtrack.streams.attribute.facts import Change
from convtrack.streams.attribute.trust import ReturningConverter
from convtrack.streams.metrics.contributions import SurfaceWindow, contributions, minute
from convtrack.streams.metrics.counters import IngestCounters, SurfaceCounters
from convtrack.streams.metrics.tally import Tally
from convtrack.streams.metrics.windows import Emitted, WindowStore

DEFAULT_LATENESS = timedelta(days=7)


class IngestWindow(NamedTuple):
    tenant_id: str
    window_start: datetime


@dataclass(frozen=True, slots=True)
class SurfaceSnapshot:
    """One shard's partial of a (tenant, surface, surface_id, minute) window. The row key is
    (shard, tenant_id, surface, surface_id, window_start, part); the newest version wins."""

    shard: int
    window: SurfaceWindow
    part: int
    """0 for a window in memory since it opened; else the partial a change added after the
    window had been finalized (see `windows`)."""
    version: int
    counters: SurfaceCounters


@dataclass(frozen=True, slots=True)
class IngestSnapshot:
    """One shard's partial of a tenant's validate-stage counts for one minute."""

    shard: int
    window: IngestWindow
    part: int
    version: int
    counters: IngestCounters


class Flush(NamedTuple):
    surfaces: list[SurfaceSnapshot]
    ingest: list[IngestSnapshot]


def _window_start(key: SurfaceWindow | IngestWindow) -> datetime:
    return key.window_start


class MetricsAggregator:
    def __init__(self, shard: int, lateness: timedelta = DEFAULT_LATENESS) -> None:
        """`lateness` is how long a window stays in memory behind the watermark; use the
        validate stage's lateness, beyond which no new event arrives."""
        self.shard = shard
        self.lateness = lateness
        self._surfaces: WindowStore[SurfaceWindow, Tally] = WindowStore(
            Tally, Tally.absorb, _window_start
        )
        self._ingest: WindowStore[IngestWindow, IngestCounters] = WindowStore(
            IngestCounters, operator.add, _window_start
        )

    def __len__(self) -> int:
        """Windows in memory."""
        return len(self._surfaces) + len(self._ingest)

    def apply(self, change: Change) -> None:
        deltas: dict[SurfaceWindow, Tally] = {}
        if change.previous is not None:
            for window, part in contributions(change.previous):
                deltas.setdefault(window, Tally()).add(part, -1)
        for window, part in contributions(change.fact):
            deltas.setdefault(window, Tally()).add(part)
        for window, delta in deltas.items():
            # A change that moves nothing in a window (say, a new touch weight elsewhere)
            # must not cost that window a new version.
            if not delta.is_zero:
                self._surfaces.add(window, delta)

    def apply_all(self, changes: Iterable[Change]) -> None:
        for change in changes:
            self.apply(change)

    def add_returning(self, converter: ReturningConverter) -> None:
        for window, part in contributions(converter):
            delta = Tally()
            delta.add(part)
            self._surfaces.add(window, delta)

    def add_ingest(self, tenant_id: str, at: datetime, counts: IngestCounters) -> None:
        """Adds validate-stage counts of one tenant to the minute of `at`. Pass the validate
        stage's event-time clock (its watermark; see `ingest.IngestTally`) so a replay
        windows them as the live run did."""
        self._ingest.add(IngestWindow(tenant_id, minute(at)), counts)

    def flush(self, version_floor: int = 0) -> Flush:
        """A snapshot of every window changed since the last flush, sorted by key.

        Versions count flushes, or are at least `version_floor`. A Kafka worker passes one past
        the last offset it took: then a version names how far into its partition the counters
        go, so after a crash the replayed batches (cut differently) write each version with the
        same counters as before, and no older, stored row outranks the newest counters."""
        return self._snapshots(
            self._surfaces.flush(version_floor), self._ingest.flush(version_floor)
        )

    def peek(self, since: datetime, before: datetime, version_floor: int = 0) -> Flush:
        """The windows starting in [since, before) that changed since the last flush, as the
        next `flush` will emit them (versions included), without flushing: what alerts judged
        now see of those windows, while storage still gets one version per batch."""
        return self._snapshots(
            self._surfaces.peek(since, before, version_floor),
            self._ingest.peek(since, before, version_floor),
        )

    def _snapshots(
        self,
        surfaces: list[Emitted[SurfaceWindow, Tally]],
        ingest: list[Emitted[IngestWindow, IngestCounters]],
    ) -> Flush:
        return Flush(
            [
                SurfaceSnapshot(self.shard, e.key, e.part, e.version, e.counters.counters())
                for e in surfaces
            ],
            [IngestSnapshot(self.shard, e.key, e.part, e.version, e.counters) for e in ingest],
        )

    def restore_surface(self, window: SurfaceWindow, part: int, version: int, tally: Tally) -> None:
        """Puts back a window as it was last flushed (a restarted worker's saved state)."""
        self._surfaces.restore(window, part, version, tally)

    def restore_ingest(
        self, window: IngestWindow, part: int, version: int, counters: IngestCounters
    ) -> None:
        self._ingest.restore(window, part, version, counters)

    def open_slots(self) -> tuple[set[tuple[SurfaceWindow, int]], set[tuple[IngestWindow, int]]]:
        """The (window, part)s in memory: a saved window not among them is closed for good."""
        return self._surfaces.slots(), self._ingest.slots()

    def expire(self, watermark: datetime) -> None:
        """Finalizes windows older than `watermark - lateness` and forgets them once flushed.
        Call it as the event-time watermark moves (a minute or more), then `flush`."""
        horizon = minute(watermark - self.lateness)
        self._surfaces.expire(horizon)
        self._ingest.expire(horizon)
