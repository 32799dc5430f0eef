"""Runs a dashboard's SQL against a store the way Grafana would: variables resolved in order
(each may use the ones before it), every query expanded by `macros.expand`."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from clickhouse_connect.driver.client import Client

from convtrack.dashboards.macros import QueryContext, Selection, expand
from convtrack.dashboards.spec import Annotation, DashboardSpec, SqlPanel

MAX_POINTS = 200
"""About the width of a panel in pixels over 5: Grafana's maxDataPoints for a half-width panel."""
_NICE = tuple(
    timedelta(seconds=s)
    for s in (60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400)
)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, slots=True)
class Result:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def parse_interval(text: str) -> timedelta:
    """Grafana's short form of a panel's min interval: 30s, 5m, 1h, 1d."""
    return timedelta(seconds=int(text[:-1]) * _UNITS[text[-1]])


def interval_for(start: datetime, end: datetime, min_interval: str) -> timedelta:
    """The bucket Grafana would pick: the range over MAX_POINTS, rounded up to a round
    interval, and never under the panel's min interval."""
    wanted = (end - start) / MAX_POINTS
    nice = next((step for step in _NICE if step >= wanted), _NICE[-1])
    return max(nice, parse_interval(min_interval))


def resolve_variables(
    client: Client, spec: DashboardSpec, start: datetime, end: datetime
) -> dict[str, Selection]:
    """Every variable at All, with the options its query returns under the ones before it."""
    chosen: dict[str, Selection] = {}
    context = QueryContext(start, end, timedelta(minutes=1))
    for variable in spec.variables:
        rows = client.query(expand(variable.sql, context, chosen)).result_rows
        chosen[variable.name] = Selection(tuple(str(row[0]) for row in rows), all=True)
    return chosen


def run_panel(
    client: Client,
    panel: SqlPanel,
    start: datetime,
    end: datetime,
    variables: Mapping[str, Selection],
) -> Result:
    context = QueryContext(start, end, interval_for(start, end, panel.min_interval))
    result = client.query(expand(panel.sql, context, variables))
    return Result(tuple(result.column_names), [tuple(row) for row in result.result_rows])


def run_annotation(
    client: Client,
    annotation: Annotation,
    start: datetime,
    end: datetime,
    variables: Mapping[str, Selection],
) -> Result:
    context = QueryContext(start, end, timedelta(minutes=1))
    result = client.query(expand(annotation.sql, context, variables))
    return Result(tuple(result.column_names), [tuple(row) for row in result.result_rows])
