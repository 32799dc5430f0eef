"""Period totals from snapshots: newest version per row, shard and part partials summed."""

from datetime import UTC, datetime, timedelta

from convtrack.schemas.types import Surface
from convtrack.streams.alerts import PeriodRollup, Subject
from convtrack.streams.metrics import (
    Flush,
    IngestCounters,
    IngestSnapshot,
    IngestWindow,
    SurfaceCounters,
    SurfaceSnapshot,
    SurfaceWindow,
)

H0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
SUBJECT = Subject("acme-travel", Surface.AD, "spring-sale")


def snap(shard: int, minute: int, version: int, exposures: int, part: int = 0) -> SurfaceSnapshot:
    window = SurfaceWindow("acme-travel", Surface.AD, "spring-sale", H0 + timedelta(minutes=minute))
    return SurfaceSnapshot(shard, window, part, version, SurfaceCounters(exposures=exposures))


def test_new_versions_replace_and_partials_add_up() -> None:
    rollup = PeriodRollup(timedelta(hours=1))
    rollup.add(Flush([snap(0, 1, 1, 5), snap(1, 1, 1, 7), snap(0, 70, 1, 100)], []))
    rollup.add(Flush([snap(0, 1, 2, 6), snap(0, 1, 1, 99), snap(0, 1, 1, 3, part=9)], []))
    assert rollup.surfaces(H0) == {SUBJECT: SurfaceCounters(exposures=6 + 7 + 3)}
    assert rollup.surfaces(H0 + timedelta(hours=1)) == {SUBJECT: SurfaceCounters(exposures=100)}
    ingest = IngestSnapshot(2, IngestWindow("shopwise", H0), 0, 1, IngestCounters.of(valid=4))
    rollup.add(Flush([], [ingest]))
    assert rollup.ingest(H0) == {"shopwise": IngestCounters.of(valid=4)}
