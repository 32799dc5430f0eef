"""Alerts, one row per incident: the firing record (version 0) is replaced by the resolved one
(version 1) under the same alert_id, so `alerts FINAL` shows each incident in its latest state.

alert_id is a uuid5 of (rule, subject, started_at), so tenant, rule and started_at are functions
of it and may lead the sort key: dashboards list a tenant's alerts over time. Evidence is a Map
of named numbers (the values, the baseline, the threshold), read as evidence['name'].
"""

from convtrack.sinks.migrations.migration import DEDUP_WINDOW, Migration

MIGRATION = Migration(
    6,
    "alerts",
    (
        f"""
        CREATE TABLE IF NOT EXISTS alerts
        (
            alert_id UUID,
            version UInt8,
            rule LowCardinality(String),
            severity LowCardinality(String),
            state LowCardinality(String),
            tenant_id LowCardinality(String),
            surface LowCardinality(Nullable(String)),
            surface_id LowCardinality(Nullable(String)),
            started_at DateTime64(6, 'UTC'),
            fired_at DateTime64(6, 'UTC'),
            resolved_at Nullable(DateTime64(6, 'UTC')),
            window_start DateTime64(6, 'UTC'),
            window_end DateTime64(6, 'UTC'),
            evidence Map(LowCardinality(String), Float64)
        )
        ENGINE = ReplacingMergeTree(version)
        PARTITION BY toYYYYMM(started_at)
        ORDER BY (tenant_id, started_at, rule, alert_id)
        SETTINGS non_replicated_deduplication_window = {DEDUP_WINDOW}
        """,
    ),
)
