"""Any arrival order, duplicates, flush points and horizon moves: the same final windows."""

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from convtrack.schemas.envelope import Event
from convtrack.streams.metrics import MetricsAggregator, SurfaceCounters, SurfaceSnapshot
from convtrack.streams.metrics.contributions import SurfaceWindow
from tests.streams.attribute.events import start
from tests.streams.attribute.test_order_independence import CONTRACTS, EVENTS
from tests.streams.metrics.support import Pipeline, totals

# The attribution suite's conversations (multi-touch time decay, refunds, feedback, late
# exposures, apps), plus the user starting a new conversation: durable trust.
ALL: list[Event] = [*EVENTS, start(600, conv="c9")]


def final_windows(
    events: list[Event], flush_after: set[int], lateness: timedelta
) -> dict[SurfaceWindow, SurfaceCounters]:
    pipeline = Pipeline(CONTRACTS)
    pipeline.metrics = MetricsAggregator(0, lateness=lateness)
    emitted: list[SurfaceSnapshot] = []
    watermark: datetime | None = None
    for index, item in enumerate(events):
        pipeline.feed([item])
        watermark = max(watermark or item.occurred_at, item.occurred_at)
        if index in flush_after:
            pipeline.metrics.expire(watermark)
            emitted += pipeline.metrics.flush().surfaces
    emitted += pipeline.metrics.flush().surfaces
    return totals(emitted)


REFERENCE = final_windows(ALL, set(), timedelta(days=7))


def test_the_reference_counts_every_fact_kind() -> None:
    summed = sum(REFERENCE.values(), SurfaceCounters())
    assert summed.exposures == 6
    assert summed.conversions == 3
    assert summed.conversations == 5
    assert summed.returning_converters == 2  # o1 and o3 were reported on the vertical
    assert 0 < summed.quality_weighted_conversions <= 1


@settings(max_examples=150, deadline=None)
@given(
    order=st.permutations(range(len(ALL))),
    duplicates=st.lists(st.integers(0, len(ALL) - 1), max_size=10),
    flush_after=st.sets(st.integers(0, len(ALL) + 10)),
    lateness_minutes=st.sampled_from([5, 30, 60 * 24 * 7]),
)
def test_arrival_order_and_duplicates_do_not_change_the_windows(
    order: list[int], duplicates: list[int], flush_after: set[int], lateness_minutes: int
) -> None:
    arrivals = [ALL[i] for i in order]
    for position, index in enumerate(duplicates):
        arrivals.insert((position * 7) % (len(arrivals) + 1), ALL[index])
    found = final_windows(arrivals, flush_after, timedelta(minutes=lateness_minutes))
    assert found == REFERENCE
