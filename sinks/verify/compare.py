"""`verify`: the stored per-window totals against the recomputed ones, metric by metric."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from clickhouse_connect.driver.client import Client

from convtrack.contracts import ContractBook
from convtrack.sinks.rows.metrics import SURFACE_COUNTER_COLUMNS
from convtrack.sinks.verify.recompute import KEY_COLUMNS, recomputed_sql
from convtrack.sinks.verify.rules import rules_sql

STORED_SQL = "SELECT {} FROM surface_metrics_totals".format(  # noqa: S608 (column names)
    ", ".join((*KEY_COLUMNS, *SURFACE_COUNTER_COLUMNS))
)

WindowKey = tuple[str, str, str, datetime]
"""(tenant_id, surface, surface_id, window_start)."""


@dataclass(frozen=True, slots=True)
class Difference:
    window: WindowKey
    stored: Any
    recomputed: Any


@dataclass(slots=True)
class MetricCheck:
    metric: str
    windows: int = 0
    """Windows where the stored or the recomputed value is not zero."""
    differing: int = 0
    first: list[Difference] = field(default_factory=list)
    """The earliest differing windows, by key, up to the report's `examples`."""

    @property
    def matching(self) -> int:
        return self.windows - self.differing


@dataclass(frozen=True, slots=True)
class Report:
    checks: tuple[MetricCheck, ...]
    stored_windows: int
    recomputed_windows: int

    @property
    def ok(self) -> bool:
        return not any(check.differing for check in self.checks)


def verify(client: Client, contracts: ContractBook, examples: int = 5) -> Report:
    """Recomputes every `surface_metrics` counter from `events` and `conversion_facts` (with
    the contracts the pipeline ran with) and compares it, per window, with the stored totals:
    the newest version of every partial, summed over shards and parts."""
    stored = _by_window(client.query(STORED_SQL).result_rows)
    recomputed = _by_window(client.query(recomputed_sql(rules_sql(client, contracts))).result_rows)
    checks = []
    for index, metric in enumerate(SURFACE_COUNTER_COLUMNS):
        check = MetricCheck(metric)
        for window in sorted(stored.keys() | recomputed.keys()):
            mine, theirs = _value(stored, window, index), _value(recomputed, window, index)
            if not (mine or theirs):
                continue
            check.windows += 1
            if mine != theirs:
                check.differing += 1
                if len(check.first) < examples:
                    check.first.append(Difference(window, mine, theirs))
        checks.append(check)
    return Report(tuple(checks), len(stored), len(recomputed))


def _by_window(rows: Iterable[Sequence[Any]]) -> dict[WindowKey, Sequence[Any]]:
    keys = len(KEY_COLUMNS)
    return {(str(row[0]), str(row[1]), str(row[2]), row[3]): row[keys:] for row in rows}


def _value(rows: dict[WindowKey, Sequence[Any]], window: WindowKey, index: int) -> Any:
    """A window without a row counts zero (an empty money map is falsy too: only whether a
    side is non-zero matters for skipping, never for comparing)."""
    row = rows.get(window)
    return row[index] if row is not None else 0
