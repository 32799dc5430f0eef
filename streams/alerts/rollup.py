"""Period totals from metric snapshots, for evaluating alerts without a database.

Keeps the newest version of every snapshot key (shard, window, part) and, per period, the sum
over them: a new version replaces its predecessor's contribution, partials of other shards and
parts add up, as the SQL over the stored snapshots does. The embedded run and the tests use it;
a cluster with several workers reads the same totals from ClickHouse instead.
"""

from datetime import datetime, timedelta
from typing import TypeVar

from convtrack.streams.alerts.measures import period_start
from convtrack.streams.alerts.records import Subject
from convtrack.streams.metrics.aggregator import Flush, IngestWindow
from convtrack.streams.metrics.contributions import SurfaceWindow
from convtrack.streams.metrics.counters import IngestCounters, SurfaceCounters

C = TypeVar("C", SurfaceCounters, IngestCounters)
W = TypeVar("W", SurfaceWindow, IngestWindow)
Row = tuple[int, W, int]
"""(shard, window, part): the key of a stored snapshot."""


class PeriodRollup:
    def __init__(self, period: timedelta) -> None:
        self.period = period
        self._surface_rows: dict[Row[SurfaceWindow], tuple[int, SurfaceCounters]] = {}
        self._ingest_rows: dict[Row[IngestWindow], tuple[int, IngestCounters]] = {}
        self._surfaces: dict[datetime, dict[Subject, SurfaceCounters]] = {}
        self._ingest: dict[datetime, dict[str, IngestCounters]] = {}

    def add(self, flush: Flush) -> None:
        for snapshot in flush.surfaces:
            window = snapshot.window
            row = (snapshot.shard, window, snapshot.part)
            delta = self._replace(self._surface_rows, row, snapshot.version, snapshot.counters)
            if delta is not None:
                totals = self._surfaces.setdefault(self._period(window.window_start), {})
                subject = Subject(window.tenant_id, window.surface, window.surface_id)
                totals[subject] = totals.get(subject, SurfaceCounters()) + delta
        for ingest in flush.ingest:
            ingest_row = (ingest.shard, ingest.window, ingest.part)
            found = self._replace(self._ingest_rows, ingest_row, ingest.version, ingest.counters)
            if found is not None:
                tenants = self._ingest.setdefault(self._period(ingest.window.window_start), {})
                tenant = ingest.window.tenant_id
                tenants[tenant] = tenants.get(tenant, IngestCounters()) + found

    def surfaces(self, start: datetime) -> dict[Subject, SurfaceCounters]:
        return dict(self._surfaces.get(start, {}))

    def ingest(self, start: datetime) -> dict[str, IngestCounters]:
        return dict(self._ingest.get(start, {}))

    def first_period(self) -> datetime | None:
        """The earliest period holding counters, if any."""
        return min([*self._surfaces, *self._ingest], default=None)

    def forget_before(self, start: datetime) -> None:
        """Drops periods (and their rows) that start before `start`: already evaluated."""
        self._forget(self._surface_rows, start)
        self._forget(self._ingest_rows, start)
        for totals in (self._surfaces, self._ingest):
            for period in [p for p in totals if p < start]:
                del totals[period]

    def _period(self, at: datetime) -> datetime:
        return period_start(at, self.period)

    def _forget(self, rows: dict[Row[W], tuple[int, C]], start: datetime) -> None:
        for row in [r for r in rows if self._period(r[1].window_start) < start]:
            del rows[row]

    @staticmethod
    def _replace(
        rows: dict[Row[W], tuple[int, C]], row: Row[W], version: int, counters: C
    ) -> C | None:
        """The change in the row's sum, or None for a stale or repeated version."""
        seen = rows.get(row)
        if seen is not None and seen[0] >= version:
            return None
        rows[row] = (version, counters)
        return counters if seen is None else counters - seen[1]
