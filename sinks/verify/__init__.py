"""`convtrack verify`: every counter of `surface_metrics`, recomputed in SQL from `events` and
`conversion_facts`, must equal the stored totals window by window.

    report = verify(client, contracts)
    report.ok; report.checks[i].metric / .windows / .differing / .first
"""

from convtrack.sinks.verify.compare import (
    STORED_SQL,
    Difference,
    MetricCheck,
    Report,
    WindowKey,
    verify,
)
from convtrack.sinks.verify.recompute import PARTS, Part, column_types, recomputed_sql
from convtrack.sinks.verify.rules import rules_sql

__all__ = [
    "PARTS",
    "STORED_SQL",
    "Difference",
    "MetricCheck",
    "Part",
    "Report",
    "WindowKey",
    "column_types",
    "recomputed_sql",
    "rules_sql",
    "verify",
]
