"""SQL building blocks the dashboards share: the template-variable filter and ratios over the
summed metric partials."""


def only(column: str, variable: str) -> str:
    return f"$__conditionalAll({column} IN (${{{variable}}}), ${variable})"


def selected(
    tenant: str = "tenant_id", surface: str = "surface", surface_id: str = "surface_id"
) -> str:
    """The template variables as a WHERE condition over these columns (All drops a filter)."""
    return " AND ".join(
        (only(tenant, "tenant"), only(surface, "surface"), only(surface_id, "surface_id"))
    )


def ratio(numerator: str, denominator: str) -> str:
    return f"toFloat64(sum({numerator}) / nullIf(sum({denominator}), 0))"


def over_time(values: str, by: str | None = None) -> str:
    """Per time bucket (and per `by` column) from the summed metric partials."""
    group = f"time, {by}" if by else "time"
    label = f"{by}, " if by else ""
    return (
        f"SELECT $__timeInterval(window_start) AS time, {label}{values}\n"
        "FROM surface_metrics_totals\n"
        f"WHERE $__timeFilter(window_start) AND {selected()}\n"
        f"GROUP BY {group}\nORDER BY {group}"
    )


def options(column: str, *conditions: str) -> str:
    where = " AND ".join(("$__timeFilter(window_start)", *conditions))
    # The raw table, not the summing view: distinct keys need no FINAL and no sums.
    return f"SELECT DISTINCT {column} FROM surface_metrics WHERE {where} ORDER BY {column}"  # noqa: S608 (SQL from constants)
