"""When a period is judged, and on what: metric partials of one or more shards summed per period
and judged once every shard's clock has closed it (pure: no faust, no I/O, no wall clock).

The embedded pipeline feeds its own judge (one shard); a Kafka worker's alert stage feeds one
with the reports of every raw partition. Each shard reports, after each batch, the snapshots it
flushed and its clock (the validate stage's event-time watermark), and before that, where its
clock closed periods inside the batch, their windows as they stood then, with the clock that
closed them (see `Pipeline.process`). The judge keeps the newest version of every
(shard, window, part) of the periods not judged yet, and judges a period once *every* shard's
clock is at least the period's end plus the grace, summing the shards with `PeriodRollup` into
what `AlertEvaluator` takes.

Two rules make the outcome a function of each shard's own input alone, whatever the
interleaving of shards, the batch cuts, or a replay after a crash (at-least-once: a report may
come again, or be superseded by one cut differently):
- a snapshot counts only while its shard's clock, before the report, has not passed the
  period's end plus the grace: what arrives after a period closed never counts for it, and a
  shard running ahead cannot add late data the slower ones would not;
- clocks only move forward, and a snapshot version already held (or older) changes nothing.

All of the shards must report before anything is judged: otherwise the first partition fetched
would have its partial judged alone. The price is stream time as in Kafka Streams: a partition
that gets no events (or stops getting them) holds every judgement back until it does; no
wall-clock timer overrides that, so results never depend on timing.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple, TypeVar

from convtrack.streams.alerts.evaluator import AlertEvaluator
from convtrack.streams.alerts.measures import period_start
from convtrack.streams.alerts.records import Alert
from convtrack.streams.alerts.rollup import PeriodRollup
from convtrack.streams.metrics import (
    Flush,
    IngestSnapshot,
    IngestWindow,
    SurfaceSnapshot,
    SurfaceWindow,
)

Row = tuple[int, SurfaceWindow | IngestWindow, int]
"""(shard, window, part): the key of one stored partial, newest version wins."""
S = TypeVar("S", SurfaceSnapshot, IngestSnapshot)


class MetricReport(NamedTuple):
    """What one raw partition's batch tells the judge."""

    shard: int
    clock: datetime | None
    """The shard's watermark after the batch; None leaves it as it was (a report split over
    several records carries it on the last one only)."""
    surfaces: Sequence[SurfaceSnapshot] = ()
    ingest: Sequence[IngestSnapshot] = ()


@dataclass(slots=True)
class PeriodRows:
    surfaces: dict[Row, SurfaceSnapshot] = field(default_factory=dict)
    ingest: dict[Row, IngestSnapshot] = field(default_factory=dict)


@dataclass(slots=True)
class Changes:
    """What moved since the last `take_changes`, for saving."""

    accepted: dict[datetime, PeriodRows] = field(default_factory=dict)
    """Per unjudged period, the snapshots taken in (each the newest of its row)."""
    judged: list[datetime] = field(default_factory=list)
    """Periods judged (their saved rows can go; the evaluator's memory moved)."""
    clocks: bool = False


class AlertJudge:
    def __init__(self, evaluator: AlertEvaluator, shards: int, grace: timedelta) -> None:
        """`shards`: the raw topic's partition count; all of them must report."""
        self.evaluator = evaluator
        self.shards = shards
        self.grace = grace
        self.period = evaluator.tuning.period
        self.clocks: dict[int, datetime] = {}
        self.next_period: datetime | None = None
        """The first period not judged yet; None until the first judgement."""
        self._rows: dict[datetime, PeriodRows] = {}
        self._changes = Changes()

    def add(self, report: MetricReport) -> list[Alert]:
        """Takes one report in; returns the alerts of every period it let the judge judge."""
        self._take(report)
        clock = report.clock
        before = self.clocks.get(report.shard)
        if clock is not None and (before is None or clock > before):
            self.clocks[report.shard] = clock
            self._changes.clocks = True
        return self._judge()

    def waiting_for(self) -> list[int]:
        """The shards holding judgement back: never reported, or the slowest clock."""
        missing = [s for s in range(self.shards) if s not in self.clocks]
        if missing or not self.clocks:
            return missing
        slowest = min(self.clocks.values())
        return sorted(s for s, at in self.clocks.items() if at == slowest)

    def restore(
        self,
        clocks: dict[int, datetime],
        next_period: datetime | None,
        surfaces: Sequence[SurfaceSnapshot],
        ingest: Sequence[IngestSnapshot],
    ) -> None:
        """Puts back saved state into a new judge (whose evaluator is restored apart)."""
        self.clocks = dict(clocks)
        self.next_period = next_period
        for snapshot in surfaces:
            self._keep(self._rows_of(snapshot.window.window_start).surfaces, snapshot)
        for ingest_snapshot in ingest:
            self._keep(self._rows_of(ingest_snapshot.window.window_start).ingest, ingest_snapshot)
        self._changes = Changes()

    def take_changes(self) -> Changes:
        changes, self._changes = self._changes, Changes()
        return changes

    def unjudged(self) -> dict[datetime, PeriodRows]:
        """Per period not judged yet, the newest snapshot of each row."""
        return self._rows

    def _take(self, report: MetricReport) -> None:
        before = self.clocks.get(report.shard)
        accepted = self._changes.accepted
        for snapshot in report.surfaces:
            start = self._open_period(snapshot.window.window_start, before)
            if start is not None and self._keep(self._rows_of(start).surfaces, snapshot):
                accepted.setdefault(start, PeriodRows()).surfaces[_row(snapshot)] = snapshot
        for ingest in report.ingest:
            start = self._open_period(ingest.window.window_start, before)
            if start is not None and self._keep(self._rows_of(start).ingest, ingest):
                accepted.setdefault(start, PeriodRows()).ingest[_row(ingest)] = ingest

    def _open_period(self, at: datetime, shard_clock: datetime | None) -> datetime | None:
        """The period of `at` if this shard may still add to it, else None."""
        start = period_start(at, self.period)
        if self.next_period is not None and start < self.next_period:
            return None
        if shard_clock is not None and shard_clock >= start + self.period + self.grace:
            return None
        return start

    def finish(self) -> list[Alert]:
        """The end of a finite input (a file): judges every complete period, without waiting
        for the grace that nothing can arrive in any more."""
        return self._judge(grace=timedelta(0))

    def _judge(self, grace: timedelta | None = None) -> list[Alert]:
        if any(s not in self.clocks for s in range(self.shards)):
            return []
        grace = self.grace if grace is None else grace
        clock = min(self.clocks.values())
        if self.next_period is None:
            # Judging starts at the first period holding partials, once it is closed: then no
            # earlier one can get any more.
            if not self._rows or min(self._rows) + self.period + grace > clock:
                return []
            self.next_period = min(self._rows)
        alerts: list[Alert] = []
        while self.next_period + self.period + grace <= clock:
            start = self.next_period
            rows = self._rows.pop(start, PeriodRows())
            rollup = PeriodRollup(self.period)
            rollup.add(Flush(list(rows.surfaces.values()), list(rows.ingest.values())))
            alerts += self.evaluator.evaluate(start, rollup.surfaces(start), rollup.ingest(start))
            self._changes.accepted.pop(start, None)
            self._changes.judged.append(start)
            self.next_period = start + self.period
        return alerts

    def _rows_of(self, at: datetime) -> PeriodRows:
        start = period_start(at, self.period)
        rows = self._rows.get(start)
        if rows is None:
            rows = self._rows[start] = PeriodRows()
        return rows

    @staticmethod
    def _keep(rows: dict[Row, S], snapshot: S) -> bool:
        """Keeps `snapshot` if it is newer than its row's; False for a repeated or stale one."""
        row = _row(snapshot)
        held = rows.get(row)
        if held is not None and held.version >= snapshot.version:
            return False
        rows[row] = snapshot
        return True


def _row(snapshot: SurfaceSnapshot | IngestSnapshot) -> Row:
    return snapshot.shard, snapshot.window, snapshot.part
