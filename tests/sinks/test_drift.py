"""Schema drift: each row model equals its table, column for column, on a freshly migrated
store; every field of every registered event schema, and every metric counter, has a column;
every table dedups tokens; the totals views sum every counter."""

from dataclasses import fields
from types import NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

import pytest
from clickhouse_connect.driver.client import Client

from convtrack.schemas.envelope import Event
from convtrack.schemas.registry import REGISTRY
from convtrack.sinks import (
    EVENTS,
    INGEST_METRICS,
    SURFACE_METRICS,
    TABLES,
    EventRow,
    Table,
)
from convtrack.sinks.migrations.migration import DEDUP_WINDOW
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


@pytest.mark.parametrize("schema", list(REGISTRY.values()), ids=lambda s: s.__name__)
def test_every_event_field_has_a_column_of_its_type(schema: type[Event]) -> None:
    row_hints = get_type_hints(EventRow)
    for name in schema.model_fields:
        assert name in EVENTS.columns, f"{schema.__name__}.{name} has no column in events"
    # A field of another type under a shared column name would be coerced or rejected.
    for name, field in schema.model_fields.items():
        if name in Event.model_fields:
            continue
        accepted, stored = _types(field.annotation), _types(row_hints[name])
        assert accepted and all(issubclass(a, tuple(stored)) for a in accepted), (
            f"{schema.__name__}.{name}: {field.annotation} does not fit {row_hints[name]}"
        )


def _types(annotation: Any) -> set[type]:
    """The classes an annotation admits, through Annotated[...] and unions, without None."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _types(get_args(annotation)[0])
    if origin in (Union, UnionType):
        return {kind for arg in get_args(annotation) for kind in _types(arg)}
    return set() if annotation is NoneType else {annotation}


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
