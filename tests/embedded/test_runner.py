"""The embedded main job: store writes wait out outages, and replays are idempotent."""

import gc
from datetime import timedelta
from pathlib import Path

import pytest
from clickhouse_connect.driver.exceptions import DatabaseError, OperationalError

from convtrack.contracts import load_default_contracts
from convtrack.runner import StoreWriter, run, throughput_gc
from convtrack.schemas.dead_letter import FilePosition
from convtrack.simulator import SimulationConfig, simulate
from convtrack.sinks import BatchPolicy, RetryPolicy, connect, migrate, parse_dsn
from convtrack.sinks.sink import SinkBackpressure, SinkRejectedError
from convtrack.streams.pipeline import Pipeline
from convtrack.streams.validate import Pseudonymizer, Validator
from tests.sinks.fakes import FakeClient
from tests.streams.validate.support import CONFIG, KEY

SIMULATION = SimulationConfig(seed=8, duration=timedelta(hours=6), conversations=300)
TABLES = ("events", "dead_letters", "conversion_facts", "surface_metrics", "alerts")


def inputs() -> list[tuple[bytes, FilePosition]]:
    return [
        (raw, FilePosition(path="sim", line=n)) for n, raw in enumerate(simulate(SIMULATION), 1)
    ]


def pipeline() -> Pipeline:
    return Pipeline(Validator(CONFIG, Pseudonymizer(KEY)), load_default_contracts())


def test_an_outage_longer_than_the_retry_budget_waits_and_loses_nothing() -> None:
    outage = [OperationalError("connection refused")] * 7
    client = FakeClient(failures=list(outage))
    waits: list[SinkBackpressure] = []
    slept: list[float] = []
    writer = StoreWriter(
        client.client,
        BatchPolicy(max_rows=1_000),
        RetryPolicy(retries=2),
        on_wait=waits.append,
        sleep=slept.append,
    )
    summary = run(inputs(), pipeline(), writer)
    assert waits, "the outage outlasted the retry budget, so the writer must have waited"
    events = sum(len(i.rows) for i in client.landed if i.table == "events")
    assert events == summary.valid
    assert len(client.attempts) == len(client.landed) + len(outage)


def test_replaying_the_same_input_twice_stores_everything_once(tmp_path: Path) -> None:
    client = connect(parse_dsn(f"chdb://{tmp_path}", tmp_path))
    try:
        migrate(client)
        counts = []
        for _ in range(2):
            writer = StoreWriter(client, BatchPolicy(max_rows=2_000), RetryPolicy())
            summary = run(inputs(), pipeline(), writer)
            counts.append(
                {t: client.command(f"SELECT count() FROM {t} FINAL") for t in TABLES}  # noqa: S608
            )
        assert counts[0] == counts[1]
        assert counts[0]["events"] == summary.valid
        rows = client.query("SELECT reason, count() FROM dead_letters FINAL GROUP BY reason")
        # duplicates are stored as dead letters with their own reason, and counted apart
        assert summary.duplicates > 0
        stored = {str(reason): count for reason, count in rows.result_rows}
        expected = {reason.value: count for reason, count in summary.dead_letters.items()}
        assert stored == {**expected, "duplicate": summary.duplicates}
    finally:
        client.close()


def test_the_collector_settings_come_back_after_a_run() -> None:
    before = gc.get_threshold()
    with throughput_gc():
        assert gc.get_threshold() != before
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before


def test_a_batch_the_store_refuses_stops_the_run() -> None:
    refused = DatabaseError("Code: 53. DB::Exception: Type mismatch in column relevance")
    client = FakeClient(failures=[refused])
    writer = StoreWriter(client.client, BatchPolicy(max_rows=1_000), RetryPolicy())
    with pytest.raises(SinkRejectedError, match="Type mismatch"):
        run(inputs(), pipeline(), writer)
