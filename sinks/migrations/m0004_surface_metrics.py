"""Per-minute surface metrics as the metrics stage snapshots them: one row per partial of a
window, keyed (tenant, surface, surface_id, window_start, shard, part); the newest version of
each partial wins, and readers sum the partials through the view `surface_metrics_totals`.

One column per `SurfaceCounters` field, numerators and denominators apart. Counts are Int64,
not UInt64: a reopened part holds only a restatement's delta, which can be negative. Fixed-point
sums and money are Decimal(38, 6), the metrics stage's scale, so SQL sums are exact. Money is a
Map per currency because `sumMap` adds maps key by key: any rollup stays one aggregate.

Sorted for the dashboards (a tenant's surface over time). The view reads FINAL (the newest
version of every partial), sums shards and parts, and drops currencies that net to zero, as
the counters do. This module is frozen once applied: change the schema in a new migration.
"""

from convtrack.sinks.migrations.migration import DEDUP_WINDOW, Migration

_COUNT = "Int64"
_FIXED = "Decimal(38, 6)"
_MONEY = "Map(LowCardinality(String), Decimal(38, 6))"
_METRICS = (
    ("exposures", _COUNT),
    ("intent_matched_exposures", _COUNT),
    ("exposures_at_intent", _COUNT),
    ("relevance_sum_at_intent", _FIXED),
    ("engaged_exposures", _COUNT),
    ("deep_engaged_exposures", _COUNT),
    ("task_completed_exposures", _COUNT),
    ("feedback_up", _COUNT),
    ("feedback_down", _COUNT),
    ("feedback_rated", _COUNT),
    ("dismissals", _COUNT),
    ("reports", _COUNT),
    ("conversions", _COUNT),
    ("attributed_conversions", _COUNT),
    ("unattributed_conversions", _COUNT),
    ("qualified_conversions", _COUNT),
    ("assisted_conversions", _COUNT),
    ("reversals", _COUNT),
    ("regretted_conversions", _COUNT),
    ("time_to_convert_seconds", _FIXED),
    ("time_to_convert_count", _COUNT),
    ("explicit_exposure_joined", _COUNT),
    ("explicit_exposure_missing", _COUNT),
    ("value", _MONEY),
    ("net_value", _MONEY),
    ("refunded", _MONEY),
    ("quality_weighted_conversions", _FIXED),
    ("converters", _COUNT),
    ("returning_converters", _COUNT),
    ("conversations", _COUNT),
    ("conversations_with_commercial_intent", _COUNT),
)


def _total(name: str, kind: str) -> str:
    if kind == _MONEY:
        return f"mapFilter((currency, amount) -> amount != 0, sumMap({name})) AS {name}"
    return f"sum({name}) AS {name}"


MIGRATION = Migration(
    4,
    "surface_metrics",
    (
        f"""
        CREATE TABLE IF NOT EXISTS surface_metrics
        (
            tenant_id LowCardinality(String),
            surface LowCardinality(String),
            surface_id LowCardinality(String),
            window_start DateTime('UTC') CODEC(Delta, ZSTD(1)),
            shard UInt32,
            part UInt32,
            version UInt64,
            {", ".join(f"{name} {kind}" for name, kind in _METRICS)}
        )
        ENGINE = ReplacingMergeTree(version)
        PARTITION BY toYYYYMM(window_start)
        ORDER BY (tenant_id, surface, surface_id, window_start, shard, part)
        SETTINGS non_replicated_deduplication_window = {DEDUP_WINDOW}
        """,
        f"""
        CREATE VIEW IF NOT EXISTS surface_metrics_totals AS
        SELECT
            tenant_id, surface, surface_id, window_start,
            {", ".join(_total(name, kind) for name, kind in _METRICS)}
        FROM surface_metrics FINAL
        GROUP BY tenant_id, surface, surface_id, window_start
        """,  # noqa: S608 (SQL from constants)
    ),
)
