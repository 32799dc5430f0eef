"""The macro expansion follows the ClickHouse plugin: vectors from grafana/clickhouse-datasource
pkg/macros/macros_test.go, and the frontend's variable handling (CHDatasource.ts)."""

from datetime import UTC, datetime, timedelta

import pytest

from convtrack.dashboards.macros import (
    MacroError,
    QueryContext,
    Selection,
    apply_conditional_all,
    expand,
    expand_macros,
    replace_variables,
)

FROM = datetime(2014, 11, 12, 11, 45, 26, 123000, tzinfo=UTC)
TO = datetime(2015, 11, 12, 11, 45, 26, 456000, tzinfo=UTC)
CONTEXT = QueryContext(FROM, TO, timedelta(minutes=1))
TWENTY_SECONDS = QueryContext(FROM, TO, timedelta(seconds=20))


@pytest.mark.parametrize(
    ("sql", "expanded"),
    [
        (
            "select * from foo where $__timeFilter(cast(sth as timestamp))",
            "select * from foo where cast(sth as timestamp) >= toDateTime(1415792726) AND "
            "cast(sth as timestamp) <= toDateTime(1447328726)",
        ),
        (
            "select * from foo where $__timeFilter(cast(sth as timestamp) )",
            "select * from foo where cast(sth as timestamp) >= toDateTime(1415792726) AND "
            "cast(sth as timestamp) <= toDateTime(1447328726)",
        ),
        (
            "select * from foo where $__timeFilter_ms(cast(sth as timestamp))",
            "select * from foo where cast(sth as timestamp) >= "
            "fromUnixTimestamp64Milli(1415792726123) AND cast(sth as timestamp) <= "
            "fromUnixTimestamp64Milli(1447328726456)",
        ),
        (
            "select * from foo where ( date >= $__fromTime and date <= $__toTime ) limit 100",
            "select * from foo where ( date >= toDateTime(1415792726) and date <= "
            "toDateTime(1447328726) ) limit 100",
        ),
        (
            "select * from foo where ( date >= $__fromTime_ms ) and ( date <= $__toTime_ms )",
            "select * from foo where ( date >= fromUnixTimestamp64Milli(1415792726123) ) and "
            "( date <= fromUnixTimestamp64Milli(1447328726456) )",
        ),
        (
            "SELECT $__timeInterval($__fromTime) AS from_time",
            "SELECT toStartOfInterval(toDateTime(toDateTime(1415792726)), INTERVAL 60 second) "
            "AS from_time",
        ),
        (
            "SELECT $__timeInterval_ms($__fromTime_ms)",
            "SELECT toStartOfInterval(toDateTime64(fromUnixTimestamp64Milli(1415792726123), 3), "
            "INTERVAL 60000 millisecond)",
        ),
        (
            "select * from foo where $__timeFilter(coalesce(closed_at, $__toTime))",
            "select * from foo where coalesce(closed_at, toDateTime(1447328726)) >= "
            "toDateTime(1415792726) AND coalesce(closed_at, toDateTime(1447328726)) <= "
            "toDateTime(1447328726)",
        ),
        (
            r"select * from foo where msg = 'it\'s -- fine' and $__fromTime",
            r"select * from foo where msg = 'it\'s -- fine' and toDateTime(1415792726)",
        ),
        (
            r"select * from foo where msg = 'a\'/*x' and $__toTime",
            r"select * from foo where msg = 'a\'/*x' and toDateTime(1447328726)",
        ),
        (
            "select * from foo where msg = 'it''s' and $__fromTime",
            "select * from foo where msg = 'it''s' and toDateTime(1415792726)",
        ),
        (
            "SELECT `it's` AS x, msg FROM t WHERE msg = 'a--b' AND $__timeFilter(ts)",
            "SELECT `it's` AS x, msg FROM t WHERE msg = 'a--b' AND ts >= toDateTime(1415792726) "
            "AND ts <= toDateTime(1447328726)",
        ),
        (
            "SELECT `a--b`, `c/*d` FROM t WHERE $__fromTime",
            "SELECT `a--b`, `c/*d` FROM t WHERE toDateTime(1415792726)",
        ),
        (
            "SELECT $doc$a--b$doc$ AS x FROM t WHERE $__toTime",
            "SELECT $doc$a--b$doc$ AS x FROM t WHERE toDateTime(1447328726)",
        ),
        (
            "x $__dateFilter(d) $__dt(d, t)",
            "x d >= toDate('2014-11-12') AND d <= toDate('2015-11-12') "
            "(d >= toDate('2014-11-12') AND d <= toDate('2015-11-12')) AND "
            "(t >= toDateTime(1415792726) AND t <= toDateTime(1447328726))",
        ),
        (
            "$__timeFrom(ts) $__timeTo(ts) $__timeGroup(ts, 5m) $__timeGroup(ts, '1h')",
            "ts >= toDateTime(1415792726) ts <= toDateTime(1447328726) "
            "toStartOfInterval(toDateTime(ts), INTERVAL 300 second) "
            "toStartOfInterval(toDateTime(ts), INTERVAL 3600 second)",
        ),
        ("SELECT $__unknown(x), '$__fromTime'", "SELECT $__unknown(x), '$__fromTime'"),
    ],
)
def test_macros_expand_as_the_plugin_does(sql: str, expanded: str) -> None:
    assert expand_macros(sql, CONTEXT) == expanded


def test_intervals_are_whole_seconds_of_at_least_one() -> None:
    assert expand_macros("$__timeInterval(col)", TWENTY_SECONDS) == (
        "toStartOfInterval(toDateTime(col), INTERVAL 20 second)"
    )
    assert expand_macros("$__timeInterval_ms(col)", TWENTY_SECONDS) == (
        "toStartOfInterval(toDateTime64(col, 3), INTERVAL 20000 millisecond)"
    )
    assert expand_macros("$__interval_s", TWENTY_SECONDS) == "20"
    tiny = QueryContext(FROM, TO, timedelta(milliseconds=10))
    assert expand_macros("$__interval_s", tiny) == "1"


@pytest.mark.parametrize(
    "sql",
    ["$__timeFilter", "$__timeFilter(a, b)", "$__dt(d)", "$__timeGroup(ts)", "$__timeGroup(ts, x)"],
)
def test_a_wrong_call_fails_like_the_plugin(sql: str) -> None:
    with pytest.raises(MacroError):
        expand_macros(sql, CONTEXT)


TENANT_FILTER = "$__conditionalAll(tenant_id IN (${tenant}), $tenant)"


def test_conditional_all_drops_the_filter_for_all_or_nothing() -> None:
    every = Selection(("a", "b"), all=True)
    assert apply_conditional_all(f"WHERE {TENANT_FILTER}", {"tenant": every}) == "WHERE 1=1"
    nothing = Selection(())
    assert apply_conditional_all(f"WHERE {TENANT_FILTER}", {"tenant": nothing}) == "WHERE 1=1"
    some = {"tenant": Selection(("a",))}
    assert apply_conditional_all(f"WHERE {TENANT_FILTER}", some) == (
        "WHERE tenant_id IN (${tenant})"
    )
    # An unknown variable keeps the condition, as the plugin does.
    assert apply_conditional_all(f"WHERE {TENANT_FILTER}", {}) == "WHERE tenant_id IN (${tenant})"


def test_variables_use_the_plugins_formatter() -> None:
    chosen = {
        "tenant": Selection(("acme", "bright")),
        "one": Selection(("solo",)),
        "plain": Selection(("raw",), multi=False),
    }
    assert replace_variables("IN (${tenant}) IN ($one) = [[plain]] $other", chosen) == (
        "IN ('acme','bright') IN ('solo') = raw $other"
    )
    with pytest.raises(MacroError):
        replace_variables("${tenant:csv}", chosen)


def test_the_three_steps_run_in_grafanas_order() -> None:
    sql = f"SELECT 1 WHERE {TENANT_FILTER} AND $__timeFilter(t)"
    chosen = {"tenant": Selection(("acme", "bright"))}
    assert expand(sql, CONTEXT, chosen) == (
        "SELECT 1 WHERE tenant_id IN ('acme','bright') AND t >= toDateTime(1415792726) AND "
        "t <= toDateTime(1447328726)"
    )
