"""Versioned snapshots: restatement, shard partials, determinism, bounded state."""

from datetime import timedelta
from decimal import Decimal

from convtrack.streams.metrics import LIVE_PART, Amounts, MetricsAggregator
from tests.streams.attribute.events import adjusted, at, conversion, exposure, intent
from tests.streams.metrics.support import Pipeline, totals, window

SALE = [intent(0, "hotels"), exposure(1, "e1"), conversion(10, "o1", value="100.00")]


def test_a_refund_restates_the_conversion_window_with_a_new_version() -> None:
    pipeline = Pipeline()
    pipeline.feed(SALE)
    first = {s.window: s for s in pipeline.metrics.flush().surfaces}
    assert {w: s.version for w, s in first.items()} == {window(0): 1, window(1): 1, window(10): 1}
    assert first[window(10)].counters.qualified_conversions == 1

    pipeline.feed([adjusted(300, "refund", "100.00", conversion_id="o1")])
    second = pipeline.metrics.flush().surfaces
    # Only the conversion's minute changed; the refund's own minute opens no window.
    assert [(s.window, s.version) for s in second] == [(window(10), 2)]
    restated = second[0].counters
    assert restated.conversions == 1  # replaced, not counted twice
    assert restated.qualified_conversions == 0  # refunded in full: reversed
    assert restated.quality_weighted_conversions == 0
    assert (restated.reversals, restated.regretted_conversions) == (1, 1)
    assert restated.value == Amounts.of([("EUR", Decimal("100.00"))])
    assert restated.net_value == Amounts()
    assert totals([*first.values(), *second])[window(10)] == restated


def test_nothing_changed_nothing_emitted() -> None:
    pipeline = Pipeline()
    pipeline.feed(SALE)
    pipeline.metrics.flush()
    pipeline.feed(SALE)  # the same events again: duplicates
    assert pipeline.metrics.flush() == ([], [])


def test_shards_emit_partials_that_sum_to_the_whole() -> None:
    other = [intent(0, "hotels", conv="c2"), exposure(1, "f1", conv="c2")]
    whole, left, right = Pipeline(), Pipeline(shard=0), Pipeline(shard=1)
    whole.feed([*SALE, *other])
    left.feed(SALE)
    right.feed(other)
    partials = [*left.metrics.flush().surfaces, *right.metrics.flush().surfaces]
    keys = {(s.shard, s.window, s.part) for s in partials}
    assert len(keys) == len(partials)  # the same minute from two shards: two rows
    assert {s.shard for s in partials if s.window == window(1)} == {0, 1}
    assert totals(partials) == totals(whole.metrics.flush().surfaces)


def test_replaying_the_same_input_and_batches_gives_identical_snapshots() -> None:
    def replay() -> list[object]:
        pipeline = Pipeline()
        flushes: list[object] = []
        for item in [*SALE, adjusted(30, "refund", "20.00", conversion_id="o1")]:
            pipeline.feed([item])
            flushes.append(pipeline.metrics.flush())
        return flushes

    assert replay() == replay()


def test_windows_behind_the_horizon_leave_memory() -> None:
    pipeline = Pipeline()
    pipeline.metrics = MetricsAggregator(0, lateness=timedelta(hours=1))
    pipeline.feed(SALE)
    pipeline.metrics.expire(at(30))
    assert len(pipeline.metrics) == 3  # not flushed yet: kept
    pipeline.metrics.flush()
    pipeline.metrics.expire(at(30))
    assert len(pipeline.metrics) == 3  # within the hour of lateness
    pipeline.metrics.expire(at(65))
    assert len(pipeline.metrics) == 1  # minutes 0 and 1 are final; 10 is not yet
    pipeline.metrics.expire(at(24 * 60))
    assert len(pipeline.metrics) == 0


def test_a_restatement_after_the_horizon_opens_a_new_part() -> None:
    pipeline = Pipeline()
    pipeline.metrics = MetricsAggregator(0, lateness=timedelta(hours=1))
    pipeline.feed(SALE)
    first = pipeline.metrics.flush().surfaces
    pipeline.metrics.expire(at(24 * 60))
    pipeline.feed([adjusted(24 * 60, "refund", "40.00", conversion_id="o1")])
    late = pipeline.metrics.flush().surfaces
    assert [(s.window, s.version) for s in late] == [(window(10), 1)]
    assert late[0].part != LIVE_PART
    # The part holds the delta only; summed with the final row it is the restated window.
    assert late[0].counters.net_value == Amounts.of([("EUR", Decimal("-40.00"))])
    assert late[0].counters.conversions == 0
    restated = totals([*first, *late])[window(10)]
    assert restated.net_value == Amounts.of([("EUR", Decimal("60.00"))])
    assert restated.conversions == 1
    # A second late change while the horizon stands updates the same part ...
    pipeline.feed([adjusted(24 * 60 + 1, "refund", "10.00", conversion_id="o1")])
    again = pipeline.metrics.flush().surfaces
    assert [(s.part, s.version) for s in again] == [(late[0].part, 2)]
    # ... and once it moves, the next one opens another part: no row is overwritten.
    pipeline.metrics.expire(at(24 * 60 + 5))
    assert len(pipeline.metrics) == 0
    pipeline.feed([adjusted(24 * 60 + 6, "refund", "50.00", conversion_id="o1")])
    third = pipeline.metrics.flush().surfaces
    assert third[0].part not in (LIVE_PART, late[0].part)
    assert totals([*first, *late, *again, *third])[window(10)].net_value == Amounts()
