"""Dead letters, every DeadLetterV1 field (the source position flattened into columns).

Keyed by dead_letter_id alone, and not partitioned, so that the same input dead-lettered again
(at another received_at) collapses into one row however much later it comes.
"""

from convtrack.sinks.migrations.migration import DEDUP_WINDOW, Migration

MIGRATION = Migration(
    2,
    "dead_letters",
    (
        f"""
        CREATE TABLE IF NOT EXISTS dead_letters
        (
            schema_version UInt8,
            dead_letter_id String,
            stage LowCardinality(String),
            reason LowCardinality(String),
            message String CODEC(ZSTD(3)),
            errors Array(Tuple(path String, error String, message String)) CODEC(ZSTD(3)),
            payload_b64 String CODEC(ZSTD(3)),
            payload_bytes UInt32,
            source_kind LowCardinality(String),
            source_topic LowCardinality(Nullable(String)),
            source_partition Nullable(UInt32),
            source_offset Nullable(UInt64),
            source_index_in_record Nullable(UInt32),
            source_path Nullable(String),
            source_line Nullable(UInt64),
            received_at DateTime64(6, 'UTC'),
            processor_version LowCardinality(String),
            tenant_id LowCardinality(Nullable(String)),
            event_type LowCardinality(Nullable(String)),
            event_id Nullable(String)
        )
        ENGINE = ReplacingMergeTree
        ORDER BY dead_letter_id
        SETTINGS non_replicated_deduplication_window = {DEDUP_WINDOW}
        """,
    ),
)
