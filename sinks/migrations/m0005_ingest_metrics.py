"""The validate stage's counts per tenant and minute (instrumentation health): inputs, valid,
duplicates, late-accepted and dead letters in total and per reason code. Keyed like
`surface_metrics` by (tenant, window_start, shard, part) with the newest version winning;
the view `ingest_metrics_totals` sums the partials. Counts are Int64 for the same reason."""

from convtrack.sinks.migrations.migration import DEDUP_WINDOW, Migration

_COUNTS = ("inputs", "valid", "duplicates", "late_accepted", "dead_letters")

MIGRATION = Migration(
    5,
    "ingest_metrics",
    (
        f"""
        CREATE TABLE IF NOT EXISTS ingest_metrics
        (
            tenant_id LowCardinality(String),
            window_start DateTime('UTC') CODEC(Delta, ZSTD(1)),
            shard UInt32,
            part UInt32,
            version UInt64,
            {", ".join(f"{name} Int64" for name in _COUNTS)},
            dead_letters_by_reason Map(LowCardinality(String), Int64)
        )
        ENGINE = ReplacingMergeTree(version)
        PARTITION BY toYYYYMM(window_start)
        ORDER BY (tenant_id, window_start, shard, part)
        SETTINGS non_replicated_deduplication_window = {DEDUP_WINDOW}
        """,
        f"""
        CREATE VIEW IF NOT EXISTS ingest_metrics_totals AS
        SELECT
            tenant_id, window_start,
            {", ".join(f"sum({name}) AS {name}" for name in _COUNTS)},
            mapFilter((reason, n) -> n != 0, sumMap(dead_letters_by_reason))
                AS dead_letters_by_reason
        FROM ingest_metrics FINAL
        GROUP BY tenant_id, window_start
        """,  # noqa: S608 (SQL from constants)
    ),
)
