"""What a dashboard shows, independent of how it is drawn: the Grafana builders (grafana.py)
and the static report (report/) both render these, so the two cannot disagree on a number.

A panel's SQL is written for the ClickHouse plugin (Grafana macros and template variables,
expanded by `macros.expand`); `columns` are the result columns the panel draws, in order.
"""

from dataclasses import dataclass
from enum import StrEnum

from convtrack.dashboards.macros import Selection


class Kind(StrEnum):
    TIMESERIES = "timeseries"
    TABLE = "table"
    BARS = "bargauge"


@dataclass(frozen=True, slots=True)
class SqlPanel:
    title: str
    description: str
    sql: str
    columns: tuple[str, ...]
    kind: Kind = Kind.TIMESERIES
    unit: str = "short"
    series: str | None = None
    """Long format: this column names the line a row belongs to; the other value column is
    drawn, one line per distinct name (Grafana pivots the same way)."""
    right: tuple[str, ...] = ()
    """Columns drawn against a second axis, in `right_unit` (volume beside a ratio)."""
    right_unit: str = "percentunit"
    bars: bool = False
    stacked: bool = False
    """Bars of the `series` stacked: parts of one whole (events by type)."""
    min_interval: str = "1h"
    """Grafana's lower bound for $__interval: finer buckets of a ratio are mostly noise."""
    width: int = 12
    height: int = 8

    @property
    def time_series(self) -> bool:
        return self.kind is Kind.TIMESERIES


@dataclass(frozen=True, slots=True)
class PromPanel:
    """Drawn from the worker's Prometheus metrics: Grafana only (the store does not have them)."""

    title: str
    description: str
    queries: tuple[tuple[str, str], ...]
    """(PromQL, legend format)."""
    unit: str = "short"
    width: int = 12
    height: int = 8


Panel = SqlPanel | PromPanel


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    panels: tuple[Panel, ...]


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    label: str
    sql: str


@dataclass(frozen=True, slots=True)
class Annotation:
    name: str
    sql: str
    """Columns time, timeEnd, text, tags: what Grafana reads from an annotation frame."""
    color: str = "red"


@dataclass(frozen=True, slots=True)
class DashboardSpec:
    uid: str
    title: str
    description: str
    sections: tuple[Section, ...]
    variables: tuple[Variable, ...] = ()
    annotations: tuple[Annotation, ...] = ()
    time_from: str = "now-7d"

    def sql_panels(self) -> list[SqlPanel]:
        return [p for s in self.sections for p in s.panels if isinstance(p, SqlPanel)]

    def all_selected(self) -> dict[str, Selection]:
        """Every variable at All, as the dashboards open; options are filled in per store."""
        return {v.name: Selection((), all=True) for v in self.variables}


ANNOTATION_COLUMNS = ("time", "timeEnd", "text", "tags")


@dataclass(frozen=True, slots=True)
class Placement:
    panel: Panel | None
    """None for a section's row header."""
    title: str
    x: int
    y: int
    w: int
    h: int


GRID_WIDTH = 24


def layout(spec: DashboardSpec) -> list[Placement]:
    """Rows of panels left to right, wrapping at the grid width, each section under a row
    header one unit high."""
    placed: list[Placement] = []
    y = 0
    for section in spec.sections:
        placed.append(Placement(None, section.title, 0, y, GRID_WIDTH, 1))
        y += 1
        x, row_height = 0, 0
        for panel in section.panels:
            if x + panel.width > GRID_WIDTH:
                x, y, row_height = 0, y + row_height, 0
            placed.append(Placement(panel, panel.title, x, y, panel.width, panel.height))
            x += panel.width
            row_height = max(row_height, panel.height)
        y += row_height
    return placed
