"""The alert stage around the judge: metric records as the raw stage sends them, the judge's
state saved per batch and restored, alerts written once."""

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import islice

import pytest

from convtrack.runner import StoreWriter
from convtrack.schemas.types import Surface
from convtrack.sinks import BatchPolicy, RetryPolicy
from convtrack.streams.alerts import Alert
from convtrack.streams.alerts.judge import AlertJudge, MetricReport
from convtrack.streams.metrics import (
    Amounts,
    Flush,
    IngestCounters,
    IngestSnapshot,
    IngestWindow,
    SurfaceCounters,
    SurfaceSnapshot,
    SurfaceWindow,
)
from convtrack.streams.pipeline import Checkpoint, Output
from convtrack.streams.worker import alert_stage
from convtrack.streams.worker.alert_codec import decode_reports, encode_reports
from convtrack.streams.worker.alert_stage import ROWS, AlertStage, AlertState, embedded_judge
from convtrack.streams.worker.codec import split_key
from convtrack.streams.worker.health import WorkerHealth
from convtrack.streams.worker.records import (
    METRICS_PARTITION,
    SNAPSHOTS_PER_RECORD,
    RawRecord,
    metric_messages,
)
from convtrack.streams.worker.stages import StoreGate
from tests.sinks.fakes import FakeClient
from tests.worker.alerts_support import CONTRACTS, PARTITIONS, Simulated, round_robin
from tests.worker.test_state import DictTable

H0 = datetime(2026, 11, 2, 9, tzinfo=UTC)


def surfaces(count: int, shard: int = 0) -> list[SurfaceSnapshot]:
    return [
        SurfaceSnapshot(
            shard,
            SurfaceWindow("shopwise", Surface.APP, f"app-{n}", H0 + timedelta(minutes=n % 60)),
            n // 60,
            7,
            SurfaceCounters(exposures=n, value=Amounts((("EUR", Decimal("1.50")),))),
        )
        for n in range(count)
    ]


def ingest(count: int, shard: int = 0) -> list[IngestSnapshot]:
    window = IngestWindow("shopwise", H0)
    return [
        IngestSnapshot(
            shard, window, n, 7, IngestCounters.of(valid=n, dead_letters={"invalid_json": 1})
        )
        for n in range(count)
    ]


def test_metric_records_carry_many_snapshots_and_each_partitions_clock_after_them() -> None:
    outputs = {
        0: Output(surface_snapshots=surfaces(7), ingest_snapshots=ingest(4)),
        2: Output(surface_snapshots=surfaces(2, shard=2)),
        1: Output(),
    }
    clocks = {0: H0 + timedelta(minutes=5), 1: None, 2: H0}
    messages = metric_messages(outputs, clocks, per_record=5)
    assert {m.partition for m in messages} == {METRICS_PARTITION}
    reports = [r for m in messages for r in decode_reports(m.value)]
    assert all(
        sum(len(r.surfaces) + len(r.ingest) for r in decode_reports(m.value)) <= 5 for m in messages
    )
    assert len(messages) == 3
    for partition, output in outputs.items():
        mine = [r for r in reports if r.shard == partition]
        assert [s for r in mine for s in r.surfaces] == output.surface_snapshots
        assert [s for r in mine for s in r.ingest] == output.ingest_snapshots
        assert [r.clock for r in mine] == [None] * (len(mine) - 1) + [clocks[partition]]
    # A batch that flushed nothing still moves the clock.
    quiet = metric_messages({1: Output()}, {1: H0})
    assert [decode_reports(m.value) for m in quiet] == [[MetricReport(1, H0, [], [])]]


def test_a_checkpoint_reaches_the_judge_before_the_batch_flush_with_its_own_clock() -> None:
    closed = Flush(surfaces(3), ingest(1))
    at_checkpoint, after = H0 + timedelta(hours=1), H0 + timedelta(hours=1, minutes=20)
    output = Output(surface_snapshots=surfaces(2), checkpoints=[Checkpoint(at_checkpoint, closed)])
    messages = metric_messages({0: output}, {0: after}, per_record=3)
    reports = [r for m in messages for r in decode_reports(m.value)]
    assert [(r.clock, len(r.surfaces), len(r.ingest)) for r in reports] == [
        (None, 3, 0),
        (at_checkpoint, 0, 1),
        (after, 2, 0),
    ]


@pytest.mark.parametrize("per_chunk", [SNAPSHOTS_PER_RECORD, 5])
def test_a_judge_restored_from_its_table_goes_on_as_the_uninterrupted_one(
    simulated: Simulated, per_chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(alert_stage, "SNAPSHOTS_PER_RECORD", per_chunk)
    *_, by_shard = simulated
    reports = list(round_robin(by_shard))
    uninterrupted = embedded_judge(CONTRACTS, PARTITIONS)
    want = [a for r in reports for a in uninterrupted.add(r)]
    assert want

    table = DictTable()
    got: list[Alert] = []
    batches = iter(reports)
    while batch := list(islice(batches, 7)):
        judge, state = restored(table)  # a restart before every batch
        got += [a for r in batch for a in judge.add(r)]
        state.save(judge)
    judge, _ = restored(table)
    assert got == want
    assert (judge.clocks, judge.next_period) == (uninterrupted.clocks, uninterrupted.next_period)
    assert judge.unjudged() == uninterrupted.unjudged()
    # A judged period's snapshots are deleted: only the unjudged periods' chunks remain.
    keys = [split_key(key) for key in table.data]
    chunk_periods = {parts[0] for _, kind, parts in keys if kind == ROWS}
    assert len(chunk_periods) == len(uninterrupted.unjudged()) > 0


def restored(table: DictTable) -> tuple[AlertJudge, AlertState]:
    judge = embedded_judge(CONTRACTS, PARTITIONS)
    state = AlertState(table)
    state.restore(judge)
    return judge, state


def test_the_stage_stores_each_alert_once_and_a_batch_delivered_again_adds_nothing(
    simulated: Simulated,
) -> None:
    *_, by_shard = simulated
    records = [
        RawRecord(METRICS_PARTITION, offset, encode_reports([report]), None)
        for offset, report in enumerate(round_robin(by_shard))
    ]
    records.insert(3, RawRecord(METRICS_PARTITION, 10_000, b"not a metric record", None))
    client, table = FakeClient(), DictTable()

    def stage() -> AlertStage:
        writer = StoreWriter(client.client, BatchPolicy(), RetryPolicy())
        return AlertStage(
            "metrics",
            lambda: embedded_judge(CONTRACTS, PARTITIONS),
            table,
            StoreGate(writer, WorkerHealth()),
            WorkerHealth(),
            assigned=lambda: {METRICS_PARTITION},
            ready=at_once,
            saved=at_once,
        )

    async def run(stage: AlertStage, taken: list[RawRecord]) -> list[Alert]:
        alerts: list[Alert] = []
        batches = iter(taken)
        while batch := list(islice(batches, 50)):
            alerts += await stage.handle(batch)
        return alerts

    alerts = asyncio.run(run(stage(), records))
    stored = [row for insert in client.landed if insert.table == "alerts" for row in insert.rows]
    assert len(stored) == len(alerts) > 0
    assert asyncio.run(run(stage(), records[-60:])) == []
    assert sum(len(i.rows) for i in client.landed if i.table == "alerts") == len(alerts)


async def at_once() -> None:
    return None
