"""Schema drift: each row model equals its table, column for column, on a freshly migrated
store; every field of the shipped event types, and every metric counter, has a column;
every table dedups tokens; the totals views sum every counter."""

from dataclasses import fields
from typing import get_type_hints

import pytest
from clickhouse_connect.driver.client import Client

from convtrack.schemas.envelope import Event
from convtrack.schemas.registry import REGISTRY
from convtrack.sinks import (
    INGEST_METRICS,
    SURFACE_METRICS,
    TABLES,
    Table,
)
from convtrack.sinks.migrations.migration import DEDUP_WINDOW
from convtrack.sinks.rows.events import _untyped_fields
from convtrack.sinks.rows.metrics import INGEST_KEY_COLUMNS, SURFACE_KEY_COLUMNS
from convtrack.streams.metrics import IngestCounters, SurfaceCounters
from tests.sinks.chtypes import python_type, same_type


def _columns(client: Client, table: str) -> list[tuple[str, str]]:
    result = client.query(
        "SELECT name, type FROM system.columns WHERE database = currentDatabase() "
        "AND table = {table:String} ORDER BY position",
        parameters={"table": table},
    )
    return [(str(name), str(kind)) for name, kind in result.result_rows]


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_row_model_equals_the_table(store: Client, table: Table[tuple[object, ...]]) -> None:
    columns = _columns(store, table.name)
    assert [name for name, _ in columns] == list(table.columns)
    hints = get_type_hints(table.row_type)
    for name, clickhouse_type in columns:
        assert same_type(hints[name], python_type(clickhouse_type)), (
            f"{table.name}.{name}: row model says {hints[name]}, table has {clickhouse_type}"
        )


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_table_honours_insert_tokens(store: Client, table: Table[tuple[object, ...]]) -> None:
    ddl = store.command(
        "SELECT create_table_query FROM system.tables "
        "WHERE database = currentDatabase() AND name = {table:String}",
        parameters={"table": table.name},
    )
    assert f"non_replicated_deduplication_window = {DEDUP_WINDOW}" in str(ddl)


SHIPPED = [
    schema
    for schema in REGISTRY.values()
    if schema.schema_key()
    in {
        ("conversation_started", 1),
        ("intent_detected", 1),
        ("exposure", 1),
        ("engagement", 1),
        ("app_invoked", 1),
        ("app_task_completed", 1),
        ("conversion", 1),
        ("conversion_adjusted", 1),
        ("feedback", 1),
        ("exposure_dismissed", 1),
        ("conversation_ended", 1),
    }
]


@pytest.mark.parametrize("schema", SHIPPED, ids=lambda s: s.__name__)
def test_every_field_verify_and_the_dashboards_read_has_a_typed_column(
    schema: type[Event],
) -> None:
    """The shipped types' fields are typed columns; types added later may live in
    `properties` until a migration promotes a field (docs/adding-an-event-type.md)."""
    assert _untyped_fields(schema) == ()


@pytest.mark.parametrize(
    ("counters", "table", "key"),
    [
        (SurfaceCounters, SURFACE_METRICS, SURFACE_KEY_COLUMNS),
        (IngestCounters, INGEST_METRICS, INGEST_KEY_COLUMNS),
    ],
    ids=["surface_metrics", "ingest_metrics"],
)
def test_every_counter_has_a_column_of_its_name(
    counters: type[SurfaceCounters | IngestCounters],
    table: Table[tuple[object, ...]],
    key: tuple[str, ...],
) -> None:
    assert list(table.columns) == [*key, *(f.name for f in fields(counters))]


@pytest.mark.parametrize(
    ("view", "table"),
    [("surface_metrics_totals", SURFACE_METRICS), ("ingest_metrics_totals", INGEST_METRICS)],
    ids=lambda v: str(getattr(v, "name", v)),
)
def test_the_totals_views_sum_every_counter(
    store: Client, view: str, table: Table[tuple[object, ...]]
) -> None:
    """The views drop shard, part and version (summed and resolved) and keep the rest."""
    summed = [c for c in table.columns if c not in ("shard", "part", "version")]
    assert [name for name, _ in _columns(store, view)] == summed
