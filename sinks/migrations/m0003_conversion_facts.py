"""Conversion facts as attribution restates them: the newest version of (tenant, conversion)
wins (read with FINAL). Touches are parallel arrays, so `ARRAY JOIN` spreads a qualified
conversion's weights over the surfaces that earned them.

Money is Decimal(18, 4) like the events' Money; time to convert is exact seconds (6 places),
so sums in SQL equal the metrics stage's fixed-point sums.
"""

from convtrack.sinks.migrations.migration import DEDUP_WINDOW, Migration

MIGRATION = Migration(
    3,
    "conversion_facts",
    (
        f"""
        CREATE TABLE IF NOT EXISTS conversion_facts
        (
            tenant_id LowCardinality(String),
            conversion_id String,
            version UInt64,
            conversation_id String,
            user_id String,
            converted_at DateTime64(6, 'UTC'),
            surface LowCardinality(String),
            surface_id LowCardinality(String),
            currency LowCardinality(String),
            value Decimal(18, 4),
            refunded Decimal(18, 4),
            net_value Decimal(18, 4),
            reversed Bool,
            reversed_in_window Bool,
            model LowCardinality(String),
            touch_exposure_ids Array(String),
            touch_surfaces Array(LowCardinality(String)),
            touch_surface_ids Array(LowCardinality(String)),
            touch_campaign_ids Array(LowCardinality(Nullable(String))),
            touch_occurred_at Array(DateTime64(6, 'UTC')),
            touch_weights Array(Float64),
            exposure_id Nullable(String),
            exposure_surface LowCardinality(Nullable(String)),
            exposure_surface_id LowCardinality(Nullable(String)),
            campaign_id LowCardinality(Nullable(String)),
            explicit Bool,
            reported_exposure_id Nullable(String),
            in_window Bool,
            assisted Bool,
            intent_category LowCardinality(Nullable(String)),
            intent_at Nullable(DateTime64(6, 'UTC')),
            intent_matched Bool,
            relevance Nullable(Float64),
            time_to_convert_seconds Nullable(Decimal(18, 6)),
            negative_feedback Bool,
            qualified Bool,
            reasons Array(LowCardinality(String)),
            contract_version UInt32
        )
        ENGINE = ReplacingMergeTree(version)
        PARTITION BY toYYYYMM(converted_at)
        ORDER BY (tenant_id, conversion_id)
        SETTINGS non_replicated_deduplication_window = {DEDUP_WINDOW}
        """,
    ),
)
