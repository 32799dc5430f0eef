"""A panel's SQL as the ClickHouse plugin sends it to ClickHouse, so that the very SQL of the
dashboards runs on chDB in the tests and the static report.

Grafana rewrites the SQL in three steps, reproduced here in that order:
1. the plugin's frontend replaces `$__conditionalAll(condition, $var)` by `1=1` when All (or
   nothing) is selected, else by the condition (CHDatasource.applyConditionalAll);
2. Grafana replaces template variables with the plugin's formatter: a multi-value variable
   becomes `'a','b'`, a single value is inserted as it is (CHDatasource.format);
3. the backend expands the `$__` macros of pkg/macros/macros.go, innermost first, leaving
   quoted text and comments alone and unknown macros unchanged.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


class MacroError(ValueError):
    """The SQL calls a macro wrongly (the plugin fails the query the same way)."""


@dataclass(frozen=True, slots=True)
class Selection:
    """A template variable's current value. With `all`, `values` are every option: what
    Grafana sends for All when the variable has no custom all-value."""

    values: tuple[str, ...]
    all: bool = False
    multi: bool = True


@dataclass(frozen=True, slots=True)
class QueryContext:
    start: datetime
    end: datetime
    interval: timedelta
    """Grafana's computed interval for the panel (at least the panel's min interval)."""


def expand(sql: str, context: QueryContext, variables: Mapping[str, Selection]) -> str:
    return expand_macros(
        replace_variables(apply_conditional_all(sql, variables), variables), context
    )


_CONDITIONAL_ALL = "$__conditionalAll("
_VARIABLE_IN_ARG = re.compile(r"(?<=\$\{)\w+(?=\})|(?<=\$)\w+")


def apply_conditional_all(sql: str, variables: Mapping[str, Selection]) -> str:
    index = sql.rfind(_CONDITIONAL_ALL)
    while index != -1:
        args = _js_macro_args(sql, index + len(_CONDITIONAL_ALL) - 1)
        if len(args) != 2:
            return sql
        condition, variable = args
        phrase = condition
        named = _VARIABLE_IN_ARG.search(variable.strip())
        if named and named.group(0) in variables:
            chosen = variables[named.group(0)]
            if chosen.all or not chosen.values:
                phrase = "1=1"
        sql = sql.replace(f"{_CONDITIONAL_ALL}{condition},{variable})", phrase, 1)
        index = sql.rfind(_CONDITIONAL_ALL)
    return sql


def _js_macro_args(sql: str, open_paren: int) -> list[str]:
    """The plugin's getMacroArgs: split at commas on the first bracket level, untrimmed."""
    args: list[str] = []
    depth, start = 0, open_paren + 1
    for position in range(open_paren, len(sql)):
        char = sql[position]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 1:
            args.append(sql[start:position])
            start = position + 1
        if depth == 0:
            args.append(sql[start:position])
            return args
    return []


# Grafana's variableRegex: $var, [[var]] and ${var} with an optional :format.
_VARIABLE = re.compile(
    r"\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}"
)


def replace_variables(sql: str, variables: Mapping[str, Selection]) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2) or match.group(4)
        if name not in variables:
            return match.group(0)
        if match.group(3) or match.group(6):
            raise MacroError(f"{match.group(0)}: only the plugin's own formatting is supported")
        chosen = variables[name]
        if chosen.multi or chosen.all:
            return "'" + "','".join(chosen.values) + "'"
        return chosen.values[0] if chosen.values else ""

    return _VARIABLE.sub(substitute, sql)


def _seconds(at: datetime) -> int:
    return (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(seconds=1)


def _millis(at: datetime) -> int:
    return (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def _datetime(at: datetime) -> str:
    return f"toDateTime({_seconds(at)})"


def _datetime64(at: datetime) -> str:
    return f"fromUnixTimestamp64Milli({_millis(at)})"


def _date(at: datetime) -> str:
    return f"toDate('{at.astimezone(UTC):%Y-%m-%d}')"


def _range(column: str, low: str, high: str) -> str:
    return f"{column} >= {low} AND {column} <= {high}"


_GO_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def _time_group(args: list[str]) -> str:
    period = args[1].strip().strip("'\"")
    if not period or _GO_DURATION.sub("", period):
        raise MacroError(f"$__timeGroup: invalid interval {period!r}")
    seconds = round(sum(float(n) * _GO_UNITS[u] for n, u in _GO_DURATION.findall(period)))
    if seconds <= 0:
        raise MacroError(f"$__timeGroup: interval must be positive, got {period!r}")
    return f"toStartOfInterval(toDateTime({args[0].strip()}), INTERVAL {seconds} second)"


def _interval_seconds(context: QueryContext) -> int:
    return int(max(context.interval.total_seconds(), 1))


def _interval_millis(context: QueryContext) -> int:
    return int(max(context.interval // timedelta(milliseconds=1), 1))


_Macro = Callable[[QueryContext, list[str]], str]
_MACROS: dict[str, tuple[int, _Macro]] = {
    "fromTime": (0, lambda c, a: _datetime(c.start)),
    "toTime": (0, lambda c, a: _datetime(c.end)),
    "fromTime_ms": (0, lambda c, a: _datetime64(c.start)),
    "toTime_ms": (0, lambda c, a: _datetime64(c.end)),
    "timeFilter": (1, lambda c, a: _range(a[0], _datetime(c.start), _datetime(c.end))),
    "timeFilter_ms": (1, lambda c, a: _range(a[0], _datetime64(c.start), _datetime64(c.end))),
    "dateFilter": (1, lambda c, a: _range(a[0], _date(c.start), _date(c.end))),
    "dateTimeFilter": (
        2,
        lambda c, a: (
            f"({_range(a[0], _date(c.start), _date(c.end))}) AND "
            f"({_range(a[1], _datetime(c.start), _datetime(c.end))})"
        ),
    ),
    "timeInterval": (
        1,
        lambda c, a: (
            f"toStartOfInterval(toDateTime({a[0]}), INTERVAL {_interval_seconds(c)} second)"
        ),
    ),
    "timeInterval_ms": (
        1,
        lambda c, a: (
            f"toStartOfInterval(toDateTime64({a[0]}, 3), "
            f"INTERVAL {_interval_millis(c)} millisecond)"
        ),
    ),
    "interval_s": (0, lambda c, a: str(_interval_seconds(c))),
    "timeFrom": (1, lambda c, a: f"{a[0]} >= {_datetime(c.start)}"),
    "timeTo": (1, lambda c, a: f"{a[0]} <= {_datetime(c.end)}"),
    "timeGroup": (2, lambda c, a: _time_group(a)),
}
_MACROS["dt"] = _MACROS["dateTimeFilter"]

# Regions copied verbatim: strings with backslash or doubled-quote escapes, backtick and
# double-quoted identifiers, $tag$ dollar-quoted strings, line and block comments.
_VERBATIM = re.compile(
    r"'(?:\\.|''|[^'\\])*'|`(?:\\.|``|[^`\\])*`|\"(?:\\.|\"\"|[^\"\\])*\""
    r"|(\$[A-Za-z_]?[A-Za-z0-9_]*\$).*?\1|--[^\n]*|/\*.*?\*/",
    re.DOTALL,
)
_MACRO_NAME = re.compile(r"\$__(\w+)")


def expand_macros(sql: str, context: QueryContext) -> str:
    out: list[str] = []
    position = 0
    while position < len(sql):
        verbatim = _VERBATIM.match(sql, position)
        if verbatim and not sql.startswith("$__", position):
            out.append(verbatim.group(0))
            position = verbatim.end()
            continue
        call = _MACRO_NAME.match(sql, position)
        if call is None or call.group(1) not in _MACROS:
            out.append(sql[position])
            position += 1
            continue
        name = call.group(1)
        arity, macro = _MACROS[name]
        args: list[str] = []
        position = call.end()
        if position < len(sql) and sql[position] == "(":
            raw, position = _call_args(sql, position)
            args = [expand_macros(arg, context).strip() for arg in raw]
        if len(args) != arity and not (arity == 0 and not args):
            raise MacroError(f"$__{name} expected {arity} argument(s), received {len(args)}")
        out.append(macro(context, args))
    return "".join(out)


def _call_args(sql: str, open_paren: int) -> tuple[list[str], int]:
    """The arguments of the call whose `(` is at `open_paren`, and the position after `)`."""
    args: list[str] = []
    depth, start, position = 0, open_paren + 1, open_paren
    while position < len(sql):
        verbatim = _VERBATIM.match(sql, position)
        if verbatim and not sql.startswith("$__", position):
            position = verbatim.end()
            continue
        char = sql[position]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                args.append(sql[start:position])
                return [] if args == [""] else args, position + 1
        elif char == "," and depth == 1:
            args.append(sql[start:position])
            start = position + 1
        position += 1
    raise MacroError(f"unbalanced parentheses after {sql[:open_paren][-30:]!r}")
