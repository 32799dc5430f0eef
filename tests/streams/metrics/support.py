"""Runs events through attribution, durable trust and metrics, and reads windows back the way
SQL does: the newest version of every (shard, window, part), partials summed."""

from collections.abc import Iterable, Sequence
from datetime import datetime

from convtrack.contracts import ContractBook
from convtrack.schemas.envelope import Event
from convtrack.schemas.types import Surface
from convtrack.streams.attribute import Attributor, TrustTracker
from convtrack.streams.metrics import (
    MetricsAggregator,
    SurfaceCounters,
    SurfaceSnapshot,
    SurfaceWindow,
)
from tests.streams.attribute.events import at

CONTRACTS = ContractBook.from_tables({}, [])
TENANT = "acme-travel"


class Pipeline:
    def __init__(self, contracts: ContractBook = CONTRACTS, shard: int = 0) -> None:
        self.attributor = Attributor(contracts)
        self.trust = TrustTracker(contracts)
        self.metrics = MetricsAggregator(shard)

    def feed(self, events: Iterable[Event]) -> None:
        for item in events:
            self.metrics.apply_all(self.attributor.apply(item))
            for converter in self.trust.apply(item):
                self.metrics.add_returning(converter)


def latest(snapshots: Iterable[SurfaceSnapshot]) -> dict[tuple[object, ...], SurfaceSnapshot]:
    rows: dict[tuple[object, ...], SurfaceSnapshot] = {}
    for snapshot in snapshots:
        key = (snapshot.shard, snapshot.window, snapshot.part)
        if key not in rows or rows[key].version < snapshot.version:
            rows[key] = snapshot
    return rows


def totals(snapshots: Iterable[SurfaceSnapshot]) -> dict[SurfaceWindow, SurfaceCounters]:
    summed: dict[SurfaceWindow, SurfaceCounters] = {}
    for snapshot in latest(snapshots).values():
        summed[snapshot.window] = summed.get(snapshot.window, SurfaceCounters()) + (
            snapshot.counters
        )
    return {window: counters for window, counters in summed.items() if not counters.is_zero}


def run(
    events: Sequence[Event], contracts: ContractBook = CONTRACTS
) -> dict[SurfaceWindow, SurfaceCounters]:
    pipeline = Pipeline(contracts)
    pipeline.feed(events)
    return totals(pipeline.metrics.flush().surfaces)


def window(
    minutes: int, surface: str = "vertical", surface_id: str = "hotels-vertical"
) -> SurfaceWindow:
    start: datetime = at(minutes)
    return SurfaceWindow(TENANT, Surface(surface), surface_id, start)
