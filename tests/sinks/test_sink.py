"""Batching, retry and backpressure of the ClickHouse sink, against a client that fails on cue:
no database, no real sleeps, time only from a fake clock."""

from typing import Any, NamedTuple

import pytest
from clickhouse_connect.driver.exceptions import DatabaseError, OperationalError

from convtrack.settings import load_settings
from convtrack.sinks import (
    TABLES,
    BatchPolicy,
    ClickHouseSink,
    MemorySink,
    RetryPolicy,
    Sink,
    SinkBackpressure,
    SinkRejectedError,
    Table,
    dedup_token,
)
from convtrack.sinks.clickhouse import approximate_bytes, row_sizer
from tests.sinks.fakes import Clock, FakeClient, Sleeps
from tests.sinks.support import sample_rows


class Row(NamedTuple):
    key: str
    version: int
    payload: str = ""


TABLE = Table("things", Row, lambda row: (row.key, row.version))
SMALL = BatchPolicy(max_rows=3, max_bytes=1_000_000, max_age=5.0)
REFUSED = OperationalError("Error HTTPConnectionPool: [Errno 111] Connection refused")


def make_sink(
    client: FakeClient,
    batch: BatchPolicy = SMALL,
    retries: int = 3,
) -> tuple[ClickHouseSink[Row], Clock, Sleeps]:
    clock, sleeps = Clock(), Sleeps()
    sink = ClickHouseSink(
        client.client, TABLE, batch, RetryPolicy(retries, backoff=0.5), clock=clock, sleep=sleeps
    )
    return sink, clock, sleeps


def rows(count: int, start: int = 0) -> list[Row]:
    return [Row(f"k{i}", 1) for i in range(start, start + count)]


def test_a_full_batch_is_inserted_when_the_next_row_comes() -> None:
    client = FakeClient()
    sink, _, _ = make_sink(client)
    for row in rows(4):
        sink.add(row)
    assert [insert.rows for insert in client.landed] == [rows(3)]
    assert sink.pending == 1
    sink.flush()
    assert [len(insert.rows) for insert in client.landed] == [3, 1]


def test_a_batch_is_inserted_by_size() -> None:
    client = FakeClient()
    sink, _, _ = make_sink(client, BatchPolicy(max_rows=1_000, max_bytes=100, max_age=5.0))
    sink.add(Row("a", 1, "x" * 200))
    sink.add(Row("b", 1))
    assert [insert.rows for insert in client.landed] == [[Row("a", 1, "x" * 200)]]


def test_a_batch_is_inserted_by_age_on_the_injected_clock() -> None:
    client = FakeClient()
    sink, clock, _ = make_sink(client)
    sink.add(Row("a", 1))
    clock.now += 4.9
    sink.flush_if_due()
    assert client.landed == []
    clock.now += 0.1
    sink.flush_if_due()
    assert [insert.rows for insert in client.landed] == [[Row("a", 1)]]
    sink.flush_if_due()
    assert len(client.attempts) == 1, "an empty sink never inserts"


def test_the_token_is_a_digest_of_keys_and_versions() -> None:
    keys = [("k1", 1), ("k2", 1)]
    assert dedup_token("things", keys) == dedup_token("things", list(keys))
    assert dedup_token("things", keys) != dedup_token("things", [("k1", 2), ("k2", 1)])
    assert dedup_token("things", keys) != dedup_token("things", keys[::-1])
    assert dedup_token("things", keys) != dedup_token("others", keys)


def test_transient_failures_are_retried_with_backoff_under_one_token() -> None:
    client = FakeClient(failures=[REFUSED, DatabaseError("HTTP driver received HTTP status 503")])
    sink, _, sleeps = make_sink(client)
    for row in rows(2):
        sink.add(row)
    sink.flush()
    assert sleeps.waited == [0.5, 1.0]
    assert len({attempt.token for attempt in client.attempts}) == 1
    assert [insert.rows for insert in client.landed] == [rows(2)]


def test_past_the_budget_the_caller_gets_backpressure_and_nothing_is_dropped() -> None:
    client = FakeClient(failures=[REFUSED] * 4)
    sink, _, sleeps = make_sink(client)
    for row in rows(3):
        sink.add(row)
    with pytest.raises(SinkBackpressure) as raised:
        sink.add(Row("k3", 1))
    assert sleeps.waited == [0.5, 1.0, 2.0]
    assert raised.value.pending == 3
    assert raised.value.retry_after > 0
    assert "Connection refused" in str(raised.value)
    assert sink.pending == 3, "the refused row was not taken; the batch is kept"

    client.failures = [REFUSED] * 4
    with pytest.raises(SinkBackpressure):
        sink.add(Row("k3", 1))  # still stalled: refused again, not buffered
    assert sink.pending == 3

    sink.flush()  # the store is back
    sink.add(Row("k3", 1))
    sink.flush()
    assert [r for insert in client.landed for r in insert.rows] == rows(4)
    tokens = {a.token for a in client.attempts if a.rows == rows(3)}
    assert len(tokens) == 1, "every retry of a batch carries the same token"


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        (DatabaseError("Code: 60. DB::Exception: Table default.things does not exist"), "migrate"),
        (DatabaseError("bad", code=516), "CONVTRACK_CLICKHOUSE_PASSWORD"),
        (DatabaseError("Code: 53. DB::Exception: Type mismatch"), "fix the cause"),
    ],
)
def test_permanent_failures_are_not_retried(error: DatabaseError, hint: str) -> None:
    client = FakeClient(failures=[error])
    sink, _, sleeps = make_sink(client)
    sink.add(Row("a", 1))
    with pytest.raises(SinkRejectedError) as raised:
        sink.flush()
    assert sleeps.waited == []
    assert hint in str(raised.value)
    assert "\n" not in str(raised.value)
    assert sink.pending == 1


def test_a_missing_table_is_refused_when_the_sink_is_made() -> None:
    client = FakeClient(describe_error=DatabaseError("Code: 60. Table default.things missing"))
    with pytest.raises(SinkRejectedError, match="convtrack db migrate"):
        make_sink(client)


def test_the_memory_sink_keeps_the_same_contract() -> None:
    memory: MemorySink[Row] = MemorySink(max_rows=2)
    sink: Sink[Row] = memory
    for row in rows(3):
        sink.add(row)
    sink.flush_if_due()
    assert memory.batches == [tuple(rows(2))]
    sink.flush()
    assert memory.rows == rows(3)
    assert memory.pending == []


def test_policies_come_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVTRACK_SINK_BATCH_ROWS", "7")
    monkeypatch.setenv("CONVTRACK_SINK_BATCH_AGE", "0.25")
    monkeypatch.setenv("CONVTRACK_SINK_RETRIES", "2")
    monkeypatch.setenv("CONVTRACK_SINK_RETRY_BACKOFF", "PT1S")
    settings = load_settings()
    assert BatchPolicy.from_settings(settings) == BatchPolicy(7, 16 * 1024 * 1024, 0.25)
    assert list(RetryPolicy.from_settings(settings).delays()) == [1.0, 2.0]


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_the_per_table_size_estimate_equals_the_general_one(table: Table[Any]) -> None:
    """The sizer only looks at string columns; every other value must count as before."""
    size = row_sizer(table.row_type)
    for row in sample_rows(table):
        assert size(row) == approximate_bytes(row), row


def test_the_size_estimate_counts_strings_by_length_and_none_as_eight() -> None:
    size = row_sizer(Row)
    assert size(Row("abc", 1, "x" * 200)) == 3 + 8 + 200
    assert size(Row("", 1)) == 0 + 8 + 0
    assert size(Row(None, 1)) == 8 + 8 + 0  # type: ignore[arg-type]
