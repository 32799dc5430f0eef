"""The alert judge (pure core): the partials of several shards, reported in any order, any
number of times, judge what the embedded pipeline judges over the same input."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import orjson

from convtrack.schemas.types import Surface
from convtrack.streams.alerts import Alert, AlertEvaluator, AlertRule, AlertState, Subject
from convtrack.streams.alerts.judge import AlertJudge, MetricReport
from convtrack.streams.metrics import (
    IngestCounters,
    IngestSnapshot,
    IngestWindow,
    SurfaceCounters,
    SurfaceSnapshot,
    SurfaceWindow,
)
from convtrack.streams.pipeline import Pipeline, PipelineConfig
from tests.streams.validate.support import at, make_validator, position
from tests.worker.alerts_support import (
    CONTRACTS,
    DROP,
    PARTITIONS,
    TAIL,
    Recorder,
    Simulated,
    by_partition,
    judge_all,
    judged_by,
    lines,
    round_robin,
    shard_reports,
)

H0 = datetime(2026, 11, 2, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_shards_judged_together_raise_the_embedded_alerts(simulated: Simulated) -> None:
    want_alerts, want_judged, reports = simulated
    # The trailing events put every shard's clock at end + TAIL: periods up to end + TAIL minus
    # the grace are judged live; the embedded finish() judges the rest, which no stream can.
    horizon = DROP.start + DROP.duration + TAIL - PipelineConfig().alert_grace
    want = judged_by(want_alerts, horizon)
    assert any(rule == AlertRule.RELEVANCE_DROP for rule, *_ in want.values())
    interleaved_alerts, interleaved = judge_all(round_robin(reports))
    in_turn_alerts, in_turn = judge_all(r for s in reversed(reports.values()) for r in s)
    assert judged_by(interleaved_alerts, horizon) == judged_by(in_turn_alerts, horizon) == want
    # The order in which shards report changes nothing, to the last counter ...
    assert interleaved.judged == in_turn.judged
    # ... while the embedded run has one clock for all partitions, each shard its own: an
    # event that comes in after the newest event of any partition closed a period, but before
    # its own partition's clock did, counts for that period here and not there.
    embedded_periods = [p for p in want_judged if p[0] + HOUR <= horizon]
    assert [p[0] for p in interleaved.judged] == [p[0] for p in embedded_periods]
    for (start, got, _), (_, expected, _) in zip(interleaved.judged, embedded_periods, strict=True):
        exposures = sum(c.exposures for c in got.values())
        assert abs(exposures - sum(c.exposures for c in expected.values())) <= exposures // 100, (
            start
        )


def test_how_each_shard_cut_its_batches_changes_nothing(simulated: Simulated) -> None:
    # 400-input batches against one batch per partition, which a worker catching up takes:
    # each period is judged on the partials as they stood when each shard's clock closed it.
    _, _, reports = simulated
    want_alerts, want = judge_all(round_robin(reports))
    whole = shard_reports(by_partition(lines(), PARTITIONS), 100_000)
    assert [len(r) for r in whole.values()] < [len(r) for r in reports.values()]
    got_alerts, got = judge_all(round_robin(whole))
    assert got.judged == want.judged
    assert got_alerts == want_alerts


def test_reports_delivered_again_change_nothing(simulated: Simulated) -> None:
    _, _, reports = simulated
    once_alerts, once = judge_all(round_robin(reports))

    def at_least_once() -> Iterator[MetricReport]:
        # Each report twice, and after every fifth one the three before it again (older
        # versions arriving after newer ones, as after a crash of the raw stage).
        for shard in reports.values():
            for n, report in enumerate(shard):
                yield report
                yield report
                if n % 5 == 4:
                    yield from shard[n - 3 : n]

    again_alerts, again = judge_all(at_least_once())
    assert again.judged == once.judged
    assert again_alerts == once_alerts


# -- small cases, by hand ----------------------------------------------------------------------

SUBJECT = Subject("acme-travel", Surface.VERTICAL, "hotels-vertical")


def surface(shard: int, at: datetime, version: int, exposures: int) -> SurfaceSnapshot:
    window = SurfaceWindow("acme-travel", Surface.VERTICAL, "hotels-vertical", at)
    return SurfaceSnapshot(shard, window, 0, version, SurfaceCounters(exposures=exposures))


def ingest(shard: int, at: datetime, version: int, valid: int) -> IngestSnapshot:
    window = IngestWindow("acme-travel", at)
    return IngestSnapshot(shard, window, 0, version, IngestCounters.of(valid=valid))


def recording_judge(shards: int) -> tuple[AlertJudge, Recorder]:
    recorder = Recorder()
    return AlertJudge(recorder, shards, HOUR), recorder


def test_each_period_is_judged_once_in_order_with_every_shard_summed() -> None:
    judge, recorder = recording_judge(2)
    judge.add(MetricReport(0, H0 + 30 * timedelta(minutes=1), [surface(0, H0, 1, 5)]))
    judge.add(MetricReport(1, H0 + HOUR * 3, [surface(1, H0, 1, 7)], [ingest(1, H0, 1, 4)]))
    judge.add(MetricReport(0, H0 + HOUR * 3, [surface(0, H0, 2, 6)]))
    judge.add(MetricReport(0, H0 + HOUR * 3))
    judge.add(MetricReport(1, H0 + HOUR * 2))
    assert [(start, counters, n) for start, counters, n in recorder.judged] == [
        (H0, {SUBJECT: SurfaceCounters(exposures=13)}, 4),
        (H0 + HOUR, {}, 0),
    ]
    assert judge.next_period == H0 + 2 * HOUR


def test_an_idle_shard_holds_judgement_back_until_it_reports() -> None:
    judge, recorder = recording_judge(2)
    judge.add(MetricReport(0, H0 + HOUR * 10, [surface(0, H0, 1, 5)]))
    assert recorder.judged == []
    assert judge.waiting_for() == [1]
    judge.add(MetricReport(1, H0 + HOUR * 2, [surface(1, H0, 1, 1)]))
    assert [start for start, _, _ in recorder.judged] == [H0]
    assert judge.waiting_for() == [1]
    judge.add(MetricReport(1, H0 + HOUR * 4))
    assert [start for start, _, _ in recorder.judged] == [H0, H0 + HOUR, H0 + 2 * HOUR]


def test_a_shard_past_a_period_adds_nothing_more_to_it_while_slower_ones_still_do() -> None:
    judge, recorder = recording_judge(2)
    judge.add(MetricReport(0, H0 + HOUR * 2, [surface(0, H0, 1, 5)]))
    judge.add(MetricReport(0, H0 + HOUR * 3, [surface(0, H0, 2, 500)]))  # too late for H0
    judge.add(MetricReport(1, H0 + HOUR, [surface(1, H0, 1, 1)]))
    judge.add(MetricReport(1, H0 + HOUR * 2, [surface(1, H0, 2, 2)]))  # in the same batch
    assert recorder.judged[0][:2] == (H0, {SUBJECT: SurfaceCounters(exposures=5 + 2)})


def test_an_older_version_delivered_after_a_newer_one_changes_nothing() -> None:
    judge, recorder = recording_judge(1)
    judge.add(MetricReport(0, H0, [surface(0, H0, 2, 6)], [ingest(0, H0, 2, 6)]))
    judge.add(MetricReport(0, H0, [surface(0, H0, 1, 5)], [ingest(0, H0, 1, 5)]))
    judge.add(MetricReport(0, H0 + HOUR * 2))
    assert recorder.judged == [(H0, {SUBJECT: SurfaceCounters(exposures=6)}, 6)]


def test_clocks_never_go_back_and_judged_periods_take_nothing() -> None:
    judge, recorder = recording_judge(1)
    judge.add(MetricReport(0, H0 + HOUR * 3, [surface(0, H0, 1, 5)]))
    judge.add(MetricReport(0, H0, [surface(0, H0, 9, 50)]))
    assert judge.clocks == {0: H0 + HOUR * 3}
    assert judge.unjudged() == {}
    assert [start for start, _, _ in recorder.judged] == [H0, H0 + HOUR]


def test_fired_alerts_are_the_evaluators() -> None:
    # A surface whose relevance collapses after a flat baseline fires once, judged from the
    # partials of two shards.
    judge = AlertJudge(AlertEvaluator(CONTRACTS), 2, HOUR)
    alerts: list[Alert] = []
    for hour in range(10):
        relevance = Decimal("0.8") if hour < 8 else Decimal("0.2")
        for shard in (0, 1):
            counters = SurfaceCounters(
                exposures=40, exposures_at_intent=40, relevance_sum_at_intent=40 * relevance
            )
            snapshot = surface(shard, H0 + hour * HOUR, hour + 1, 0)
            snapshot = SurfaceSnapshot(shard, snapshot.window, 0, hour + 1, counters)
            alerts += judge.add(MetricReport(shard, H0 + (hour + 2) * HOUR, [snapshot]))
    fired = [(a.rule, a.state, a.window_start) for a in alerts]
    assert fired == [(AlertRule.RELEVANCE_DROP, AlertState.FIRING, H0 + 8 * HOUR)]


def exposures_judged(events: list[datetime], cuts: list[int], kafka: bool) -> list[tuple[int, int]]:
    """(hour, exposures) of each period judged, by the embedded pipeline or by a one-shard
    judge fed a worker pipeline's reports, over exposures at `events` cut into `cuts`."""
    recorder = Recorder()
    pipeline = Pipeline(make_validator(), CONTRACTS, PipelineConfig(alerts=not kafka))
    pipeline.judge.evaluator = recorder
    judge = AlertJudge(recorder, 1, HOUR)
    payloads = [orjson.dumps(at(t, conversation_id=f"c-{n}")) for n, t in enumerate(events)]
    done = 0
    for size in cuts:
        batch = [(raw, position(n)) for n, raw in enumerate(payloads[done : done + size], done + 1)]
        done += size
        output = pipeline.process(batch, H0 + HOUR * 48, version_floor=done)
        if kafka:
            for report in output.reports(0, pipeline.validator.watermark):
                judge.add(report)
    return [(start.hour, sum(c.exposures for c in s.values())) for start, s, _ in recorder.judged]


def test_periods_the_first_input_already_closed_are_judged_alike_however_cut() -> None:
    # The stream starts at 10:30: the 08:00 period was closed then, so the 08:30 exposure that
    # comes next is never judged; the 09:30 one is, with the 09:00 period at 11:00.
    events = [H0 + HOUR * 10.5, H0 + HOUR * 8.5, H0 + HOUR * 9.5, H0 + HOUR * 11, H0 + HOUR * 11.1]
    for cuts in ([5], [2, 3], [1, 4]):
        for kafka in (False, True):
            assert exposures_judged(events, cuts, kafka) == [(9, 1)], (cuts, kafka)
