"""Metric snapshots and alerts, built by the real stages, go into their tables and come back
equal; a restatement-only part keeps its negative counts; a resolved alert replaces its firing
record."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from clickhouse_connect.driver.client import Client

from convtrack.contracts import ContractBook
from convtrack.schemas.types import Surface
from convtrack.sinks import (
    ALERTS,
    INGEST_METRICS,
    QUERY_FORMATS,
    SURFACE_METRICS,
    ClickHouseSink,
    Table,
    alert_row,
    ingest_metric_row,
    surface_metric_row,
)
from convtrack.streams.alerts.records import (
    AlertRule,
    AlertState,
    Incident,
    Severity,
    Subject,
    evidence,
)
from convtrack.streams.attribute import Attributor
from convtrack.streams.metrics import (
    Amounts,
    IngestCounters,
    MetricsAggregator,
    SurfaceCounters,
    SurfaceSnapshot,
    SurfaceWindow,
)
from tests.streams.attribute.events import ad, adjusted, conversion, exposure, intent

START = datetime(2026, 11, 2, 9, tzinfo=UTC)


def _round_trip(client: Client, table: Table[Any], rows: list[Any]) -> list[Any]:
    sink = ClickHouseSink(client, table)
    for row in rows:
        sink.add(row)
    sink.flush()
    result = client.query(f"SELECT * FROM {table.name} FINAL", query_formats=QUERY_FORMATS)  # noqa: S608 (a constant name)
    return sorted((table.row_type._make(row) for row in result.result_rows), key=table.key)


def _snapshots() -> tuple[list[Any], list[Any]]:
    attributor = Attributor(ContractBook.from_tables({"attribution": {"model": "linear"}}, []))
    metrics = MetricsAggregator(shard=3)
    for item in (
        intent(0),
        exposure(1, "exp-1"),
        ad(2, "exp-2"),
        conversion(5, "order-1"),
        adjusted(30, "refund", "100.00", "order-1"),
    ):
        metrics.apply_all(attributor.apply(item))
    metrics.add_ingest("acme-travel", START, IngestCounters.of(valid=9, dead_letters={"bad": 2}))
    flush = metrics.flush()
    return flush.surfaces, flush.ingest


def test_surface_snapshots_round_trip(store: Client) -> None:
    surfaces, _ = _snapshots()
    rows = sorted(map(surface_metric_row, surfaces), key=SURFACE_METRICS.key)
    assert any(row.value and row.refunded for row in rows), "money per currency must be stored"
    assert _round_trip(store, SURFACE_METRICS, rows) == rows


def test_a_restatement_part_keeps_negative_counts(store: Client) -> None:
    window = SurfaceWindow("acme-travel", Surface.VERTICAL, "hotels-vertical", START)
    delta = -SurfaceCounters(
        qualified_conversions=1, net_value=Amounts.of([("EUR", Decimal("412.80"))])
    )
    row = surface_metric_row(SurfaceSnapshot(0, window, 29_000_000, 1, delta))
    (back,) = _round_trip(store, SURFACE_METRICS, [row])
    assert back == row
    assert back.qualified_conversions == -1
    assert back.net_value == {"EUR": Decimal("-412.80")}


def test_ingest_snapshots_round_trip(store: Client) -> None:
    _, ingest = _snapshots()
    rows = [ingest_metric_row(snapshot) for snapshot in ingest]
    (back,) = _round_trip(store, INGEST_METRICS, rows)
    assert back == rows[0]
    assert (back.inputs, back.dead_letters_by_reason) == (11, {"bad": 2})


def test_a_resolved_alert_replaces_the_firing_one(store: Client) -> None:
    incident = Incident(
        AlertRule.RELEVANCE_DROP,
        Subject("acme-travel", Surface.VERTICAL, "hotels-vertical"),
        Severity.CRITICAL,
        START,
        START + timedelta(days=1),
        evidence(mean=0.8, sigma=0.05),
    )
    day = timedelta(days=1)
    firing = alert_row(incident.firing((START, START + day), evidence(relevance=0.4, k=3)))
    resolved = alert_row(incident.resolved((START + day, START + 2 * day), evidence(relevance=0.8)))
    assert (firing.state, resolved.state) == (AlertState.FIRING, AlertState.RESOLVED)
    assert _round_trip(store, ALERTS, [resolved, firing]) == [resolved]
