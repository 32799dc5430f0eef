"""The sink against real chDB: batches land, a re-sent batch is dropped by its token, and a
batch cut differently still collapses to one row per key under FINAL."""

from clickhouse_connect.driver.client import Client

from convtrack.sinks import (
    CONVERSION_FACTS,
    EVENTS,
    BatchPolicy,
    ClickHouseSink,
    EventRow,
    SinkRejectedError,
)
from tests.sinks.support import conversion_fact_rows, event_rows


def _count(client: Client, table: str, final: bool = False) -> int:
    query = f"SELECT count() FROM {table}{' FINAL' if final else ''}"  # noqa: S608 (constants)
    return int(str(client.command(query)))


def _send(client: Client, rows: list[EventRow], max_rows: int = 1_000) -> None:
    sink = ClickHouseSink(client, EVENTS, BatchPolicy(max_rows=max_rows))
    for row in rows:
        sink.add(row)
    sink.flush()


def test_batches_land(store: Client) -> None:
    rows = event_rows()
    _send(store, rows, max_rows=5)
    assert _count(store, "events") == len(rows)


def test_the_same_batch_sent_twice_lands_once(store: Client) -> None:
    rows = event_rows()
    _send(store, rows)
    _send(store, rows)  # as after a crash between the insert and the offset commit
    assert _count(store, "events") == len(rows)


def test_a_batch_cut_differently_collapses_by_key(store: Client) -> None:
    rows = event_rows()
    _send(store, rows)
    _send(store, rows, max_rows=7)  # other tokens: the table's key is the second line of defence
    assert _count(store, "events", final=True) == len(rows)


def test_the_newest_fact_version_is_what_final_reads(store: Client) -> None:
    rows = conversion_fact_rows()
    sink = ClickHouseSink(store, CONVERSION_FACTS, BatchPolicy(max_rows=1))
    for row in rows:  # one insert per version, as restatements arrive over time
        sink.add(row)
    sink.flush()
    newest = {r.conversion_id: (r.conversion_id, r.version, r.qualified) for r in rows}
    assert len(rows) > len(newest), "some conversion must have been restated"
    result = store.query(
        "SELECT conversion_id, version, qualified FROM conversion_facts FINAL ORDER BY 1"
    )
    assert [tuple(r) for r in result.result_rows] == sorted(newest.values())


def test_an_unmigrated_store_is_refused_with_the_fix(bare_store: Client) -> None:
    try:
        ClickHouseSink(bare_store, EVENTS)
    except SinkRejectedError as error:
        assert "convtrack db migrate" in str(error)
    else:
        raise AssertionError("a sink on a missing table must refuse to start")
