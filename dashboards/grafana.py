"""Dashboard specs as grafana-foundation-sdk builders, and those as the JSON Grafana imports."""

import json
from typing import Any

from grafana_foundation_sdk.builders import bargauge, common, prometheus, table, timeseries
from grafana_foundation_sdk.builders import dashboard as builders
from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common as common_models
from grafana_foundation_sdk.models import dashboard as models

from convtrack.dashboards.query import (
    CLICKHOUSE,
    PROMETHEUS,
    ClickHouseAnnotationTargetBuilder,
    ClickHouseQueryBuilder,
    Format,
    variable_query,
)
from convtrack.dashboards.spec import (
    DashboardSpec,
    Kind,
    Panel,
    PromPanel,
    SqlPanel,
    layout,
)

TAGS = ["convtrack"]


def dashboard(spec: DashboardSpec) -> builders.Dashboard:
    built = (
        builders.Dashboard(spec.title)
        .uid(spec.uid)
        .description(spec.description)
        .tags(TAGS)
        .timezone("utc")
        .time(spec.time_from, "now")
        .refresh("5m")
        .editable()
    )
    for variable in spec.variables:
        built = built.with_variable(
            builders.QueryVariable(variable.name)
            .label(variable.label)
            .datasource(CLICKHOUSE)
            .query(variable_query(variable.sql))
            .multi(True)
            .include_all(True)
            .current(models.VariableOption(text=["All"], value=["$__all"], selected=True))
            .refresh(models.VariableRefresh.ON_TIME_RANGE_CHANGED)
            .sort(models.VariableSort.ALPHABETICAL_ASC)
        )
    for annotation in spec.annotations:
        built = built.annotation(
            builders.AnnotationQuery()
            .name(annotation.name)
            .datasource(CLICKHOUSE)
            .enable(True)
            .icon_color(annotation.color)
            .target(ClickHouseAnnotationTargetBuilder(annotation.sql))
        )
    for panel_id, placed in enumerate(layout(spec), start=1):
        grid = models.GridPos(h=placed.h, w=placed.w, x=placed.x, y=placed.y)
        if placed.panel is None:
            built = built.with_row(builders.Row(placed.title).id(panel_id).grid_pos(grid))
        else:
            built = built.with_panel(_panel(placed.panel, panel_id, grid))
    return built


def _panel(panel: Panel, panel_id: int, grid: models.GridPos) -> cogbuilder.Builder[models.Panel]:
    if isinstance(panel, PromPanel):
        return _prometheus(panel).id(panel_id).grid_pos(grid)
    if panel.kind is Kind.TABLE:
        return _table(panel).id(panel_id).grid_pos(grid)
    if panel.kind is Kind.BARS:
        return _bars(panel).id(panel_id).grid_pos(grid)
    return _time_series(panel).id(panel_id).grid_pos(grid)


def _target(panel: SqlPanel) -> ClickHouseQueryBuilder:
    return ClickHouseQueryBuilder(
        panel.sql, Format.TIME_SERIES if panel.time_series else Format.TABLE
    )


def _time_series(panel: SqlPanel) -> timeseries.Panel:
    built = (
        timeseries.Panel()
        .title(panel.title)
        .description(panel.description)
        .datasource(CLICKHOUSE)
        .with_target(_target(panel))
        .interval(panel.min_interval)
        .unit(panel.unit)
        .line_width(2)
        .fill_opacity(10)
        .span_nulls(True)
        .legend(
            common.VizLegendOptions()
            .show_legend(True)
            .display_mode(common_models.LegendDisplayMode.LIST)
            .placement(common_models.LegendPlacement.BOTTOM)
        )
    )
    if panel.bars:
        built = built.draw_style(common_models.GraphDrawStyle.BARS).fill_opacity(60)
    if panel.stacked:
        built = built.stacking(common.StackingConfig().mode(common_models.StackingMode.NORMAL))
    for column in panel.right:
        built = built.override_by_name(
            column,
            [
                models.DynamicConfigValue("unit", panel.right_unit),
                models.DynamicConfigValue("custom.axisPlacement", "right"),
                models.DynamicConfigValue("custom.drawStyle", "line"),
                models.DynamicConfigValue("custom.lineWidth", 3),
                models.DynamicConfigValue("custom.fillOpacity", 0),
            ],
        )
    return built


def _table(panel: SqlPanel) -> table.Panel:
    built = (
        table.Panel()
        .title(panel.title)
        .description(panel.description)
        .datasource(CLICKHOUSE)
        .with_target(_target(panel))
        .show_header(True)
    )
    for column in panel.columns:
        if column.endswith(("_rate", "_score", "_trust")):
            built = built.override_by_name(
                column, [models.DynamicConfigValue("unit", "percentunit")]
            )
    return built


def _bars(panel: SqlPanel) -> bargauge.Panel:
    return (
        bargauge.Panel()
        .title(panel.title)
        .description(panel.description)
        .datasource(CLICKHOUSE)
        .with_target(_target(panel))
        .unit(panel.unit)
        .min(0)
        .max(1)
        .orientation(common_models.VizOrientation.HORIZONTAL)
        .display_mode(common_models.BarGaugeDisplayMode.BASIC)
        .reduce_options(common.ReduceDataOptions().values(True).calcs([]))
    )


def _prometheus(panel: PromPanel) -> timeseries.Panel:
    built = (
        timeseries.Panel()
        .title(panel.title)
        .description(panel.description)
        .datasource(PROMETHEUS)
        .unit(panel.unit)
    )
    for index, (expr, legend) in enumerate(panel.queries):
        built = built.with_target(
            prometheus.Dataquery()
            .expr(expr)
            .legend_format(legend)
            .ref_id(chr(ord("A") + index))
            .datasource(PROMETHEUS)
        )
    return built


def dashboard_json(spec: DashboardSpec) -> dict[str, Any]:
    """The dashboard as Grafana imports it (plain JSON types only)."""
    encoded = JSONEncoder(sort_keys=True).encode(dashboard(spec).build())
    loaded: dict[str, Any] = json.loads(encoded)
    return loaded
