"""Period totals from metric snapshots, for evaluating alerts without a database.

Keeps the newest version of every snapshot key (shard, window, part) and, per period, the sum
over them: a new version replaces its predecessor's contribution, partials of other shards and
parts add up, as the SQL over the stored snapshots does. `AlertJudge` sums each period it
judges with one, on the embedded path and on Kafka alike.
"""

from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from operator import add, sub
from typing import Any, Generic, TypeVar

from convtrack.streams.alerts.measures import period_start
from convtrack.streams.alerts.records import Subject
from convtrack.streams.metrics.aggregator import Flush
from convtrack.streams.metrics.counters import IngestCounters, SurfaceCounters, field_values

C = TypeVar("C", SurfaceCounters, IngestCounters)
S = TypeVar("S", bound=Hashable)
Row = tuple[int, Hashable, int]
"""(shard, window, part): the key of a stored snapshot."""


class _Periods(Generic[S, C]):
    """Per period: the newest (version, counters) of each row, and per subject the sum of
    those as a list of field values. Sums stay lists until read: adding frozen counter
    records builds a new thirty-field object per snapshot."""

    def __init__(self, make: Callable[..., C]) -> None:
        self._make: Callable[..., C] = make
        self.rows: dict[datetime, dict[Row, tuple[int, C]]] = {}
        self.sums: dict[datetime, dict[S, list[Any]]] = {}

    def add(self, period: datetime, row: Row, subject: S, version: int, counters: C) -> None:
        rows = self.rows.setdefault(period, {})
        seen = rows.get(row)
        if seen is not None and seen[0] >= version:
            return  # a stale or repeated version
        rows[row] = (version, counters)
        values = field_values(counters)
        delta = values if seen is None else map(sub, values, field_values(seen[1]))
        sums = self.sums.setdefault(period, {})
        before = sums.get(subject)
        sums[subject] = list(delta) if before is None else list(map(add, before, delta))

    def totals(self, period: datetime) -> dict[S, C]:
        return {
            subject: self._make(*values) for subject, values in self.sums.get(period, {}).items()
        }


class PeriodRollup:
    def __init__(self, period: timedelta) -> None:
        self.period = period
        self._surfaces: _Periods[Subject, SurfaceCounters] = _Periods(SurfaceCounters)
        self._ingest: _Periods[str, IngestCounters] = _Periods(IngestCounters)

    def add(self, flush: Flush) -> None:
        period = self.period
        for snapshot in flush.surfaces:
            window = snapshot.window
            self._surfaces.add(
                period_start(window.window_start, period),
                (snapshot.shard, window, snapshot.part),
                Subject(window.tenant_id, window.surface, window.surface_id),
                snapshot.version,
                snapshot.counters,
            )
        for ingest in flush.ingest:
            self._ingest.add(
                period_start(ingest.window.window_start, period),
                (ingest.shard, ingest.window, ingest.part),
                ingest.window.tenant_id,
                ingest.version,
                ingest.counters,
            )

    def surfaces(self, start: datetime) -> dict[Subject, SurfaceCounters]:
        return self._surfaces.totals(start)

    def ingest(self, start: datetime) -> dict[str, IngestCounters]:
        return self._ingest.totals(start)
