"""The static report: the dashboards' panels, from the same SQL, as one self-contained HTML
file (inline CSS, SVG and a few lines of script; nothing is fetched), for whoever has no
Grafana. The period is the one stored; every variable is at All, as the dashboards open."""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from html import escape
from typing import Any

from clickhouse_connect.driver.client import Client

from convtrack import __version__
from convtrack.dashboards.data import (
    Result,
    interval_for,
    resolve_variables,
    run_annotation,
    run_panel,
)
from convtrack.dashboards.spec import DashboardSpec, Kind, PromPanel, SqlPanel, layout
from convtrack.dashboards.svg import (
    PALETTE,
    WIDTH,
    Mark,
    Series,
    TimeChart,
    bar_chart,
    format_value,
)
from convtrack.scorecard import stored_period

_PERCENT_COLUMNS = ("_rate", "_score", "_trust", "_share")

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
  background:#f4f5f7;color:#1f2328}
header{background:#1f2937;color:#fff;padding:16px 28px}
header h1{margin:0;font-size:22px}header p{margin:4px 0 0;color:#cbd5e1;font-size:14px}
main{padding:8px 28px 40px}h2{margin:28px 0 4px;font-size:20px}
h3{margin:18px 0 8px;font-size:15px;color:#57606a;text-transform:uppercase;letter-spacing:.04em}
.grid{display:grid;grid-template-columns:repeat(24,1fr);gap:12px}
figure{margin:0;background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:10px 12px;
  min-width:0}
figcaption b{font-size:15px}figcaption p{margin:2px 0 6px;color:#57606a;font-size:12px}
.chart-svg{width:100%;height:auto;display:block}.plot{fill:#fbfbfc;stroke:#d0d7de}
.gridline{stroke:#eaeef2}.tick,.label{font-size:11px;fill:#57606a}
.line{stroke-width:2}.mark line{stroke:#e02f44;stroke-dasharray:4 3;stroke-width:1.5}
.band{fill:#e02f44;opacity:.08}.legend{font-size:12px;margin-top:4px}
.legend span{display:inline-block;margin-right:12px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
table{border-collapse:collapse;width:100%;font-size:12px}
th,td{padding:4px 6px;border-bottom:1px solid #eaeef2;text-align:right;vertical-align:top}
th:first-child,td:first-child,td.text{text-align:left}.empty{color:#8c959f;font-style:italic}
.note{color:#57606a;font-size:12px}code{font-size:11px;background:#f6f8fa;padding:1px 3px}
ul.alerts{font-size:13px;margin:4px 0}
"""

# Counts the charts that have drawn marks, for people and for the headless-browser test.
_SCRIPT = """
document.addEventListener("DOMContentLoaded", function () {
  var charts = document.querySelectorAll("figure.chart");
  var drawn = 0;
  charts.forEach(function (figure) {
    var box = figure.getBoundingClientRect();
    var marks = figure.querySelectorAll("svg path, svg rect[fill], table tbody tr");
    if (box.width > 0 && box.height > 0 && marks.length > 0) {
      figure.setAttribute("data-drawn", "yes");
      drawn += 1;
    }
  });
  document.documentElement.setAttribute("data-charts", String(charts.length));
  document.documentElement.setAttribute("data-charts-drawn", String(drawn));
});
"""


class ReportError(Exception):
    """Nothing to report (one line, says what to do)."""


def render_report(client: Client, specs: Sequence[DashboardSpec]) -> str:
    period = stored_period(client)
    if period is None:
        raise ReportError("no metrics stored yet: run `convtrack demo` or `convtrack replay`")
    start, end = period[0], period[1] + timedelta(minutes=1)
    body = [_dashboard(client, spec, start, end) for spec in specs]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>convtrack report {start:%Y-%m-%d} to {end:%Y-%m-%d}</title>"
        f"<style>{_STYLE}</style></head><body><header><h1>convtrack report</h1>"
        f"<p>{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC, all tenants and surfaces. "
        f"The panels of the Grafana dashboards, from the same SQL (convtrack {__version__})."
        f"</p></header><main>{''.join(body)}</main><script>{_SCRIPT}</script></body></html>\n"
    )


def _dashboard(client: Client, spec: DashboardSpec, start: datetime, end: datetime) -> str:
    variables = resolve_variables(client, spec, start, end)
    marks = [
        Mark(row[0], row[1], str(row[2]))
        for annotation in spec.annotations
        for row in run_annotation(client, annotation, start, end, variables).rows
    ]
    out = [f"<section><h2>{escape(spec.title)}</h2><p class='note'>{escape(spec.description)}"]
    if marks:
        out.append(" Alerts are drawn as red lines (a band until they resolved):</p>")
        out.append("<ul class='alerts'>")
        out += [f"<li>{m.start:%b %d %H:%M} {escape(m.text)}</li>" for m in marks]
        out.append("</ul>")
    else:
        out.append("</p>")
    grid_open = False
    for placed in layout(spec):
        if placed.panel is None:
            out.append("</div>" if grid_open else "")
            out.append(f"<h3>{escape(placed.title)}</h3><div class='grid'>")
            grid_open = True
            continue
        panel = placed.panel
        content = (
            _prometheus(panel)
            if isinstance(panel, PromPanel)
            else _sql_panel(
                panel, run_panel(client, panel, start, end, variables), start, end, marks
            )
        )
        out.append(content.replace("<figure", f"<figure style='grid-column:span {placed.w}'", 1))
    out.append("</div></section>" if grid_open else "</section>")
    return "".join(out)


def _caption(title: str, description: str) -> str:
    return f"<figcaption><b>{escape(title)}</b><p>{escape(description)}</p></figcaption>"


def _prometheus(panel: PromPanel) -> str:
    queries = "".join(f"<li><code>{escape(q)}</code></li>" for q, _ in panel.queries)
    return (
        f"<figure class='prometheus'>{_caption(panel.title, panel.description)}"
        "<p class='note'>From the workers' Prometheus metrics: shown in Grafana only "
        f"(the store does not keep them).</p><ul class='note'>{queries}</ul></figure>"
    )


def _sql_panel(
    panel: SqlPanel, result: Result, start: datetime, end: datetime, marks: list[Mark]
) -> str:
    caption = _caption(panel.title, panel.description)
    if not result.rows:
        return (
            f"<figure class='chart'>{caption}<p class='empty'>no data in this period</p></figure>"
        )
    if panel.kind is Kind.TABLE:
        return f"<figure class='chart'>{caption}{_table(result)}</figure>"
    if panel.kind is Kind.BARS:
        bars = [(str(r[0]), float(r[1])) for r in result.rows if r[1] is not None]
        return f"<figure class='chart'>{caption}{bar_chart(bars, panel.unit)}</figure>"
    series = _series(panel, result)
    chart = TimeChart(
        series,
        start,
        end,
        interval_for(start, end, panel.min_interval),
        (panel.unit, panel.right_unit),
        marks,
        panel.stacked,
        WIDTH * panel.width // 12,
    ).svg()
    legend = "".join(
        f"<span><i style='background:{color}'></i>{escape(s.name)}"
        f"{' (right axis)' if s.right else ''}</span>"
        for s, color in zip(series, _colors(len(series)), strict=True)
    )
    return f"<figure class='chart'>{caption}{chart}<div class='legend'>{legend}</div></figure>"


def _colors(count: int) -> list[str]:
    return [PALETTE[i % len(PALETTE)] for i in range(count)]


def _series(panel: SqlPanel, result: Result) -> list[Series]:
    if panel.series is not None:
        by_name: dict[str, Series] = {}
        for at, name, value in result.rows:
            line = by_name.setdefault(str(name), Series(str(name), bars=panel.bars))
            if value is not None:
                line.points.append((at, float(value)))
        return [by_name[name] for name in sorted(by_name)]
    lines = [
        Series(column, right=column in panel.right, bars=panel.bars and column not in panel.right)
        for column in result.columns[1:]
    ]
    for row in result.rows:
        for line, value in zip(lines, row[1:], strict=True):
            if value is not None:
                line.points.append((row[0], float(value)))
    return lines


def _cell(column: str, value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float | Decimal) and column.endswith(_PERCENT_COLUMNS):
        return format_value(float(value), "percentunit")
    if isinstance(value, float | Decimal):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _table(result: Result) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in result.columns)
    rows = []
    for row in result.rows:
        cells = "".join(
            f"<td{'' if isinstance(v, int | float | Decimal) else ' class=text'}>"
            f"{escape(_cell(c, v))}</td>"
            for c, v in zip(result.columns, row, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
