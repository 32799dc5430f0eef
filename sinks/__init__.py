"""Where processed data goes: the sink protocol and ClickHouse (server or embedded chDB).

client = connect_settings(settings)          # or connect(parse_dsn(dsn, data_dir))
migrate(client)                              # numbered migrations, idempotent
events = ClickHouseSink(client, EVENTS, BatchPolicy.from_settings(settings),
                        RetryPolicy.from_settings(settings))
events.add(event_row(valid_event)); ...; events.flush()
"""

from convtrack.sinks.clickhouse import BatchPolicy, ClickHouseSink, RetryPolicy, dedup_token
from convtrack.sinks.client import Target, connect, connect_settings, parse_dsn
from convtrack.sinks.errors import (
    BadDsnError,
    MigrationError,
    StoreAuthError,
    StoreError,
    StoreLockedError,
    StoreUnreachableError,
    clickhouse_message,
    is_transient,
)
from convtrack.sinks.migrations import MIGRATIONS, Migration, Status, migrate, status
from convtrack.sinks.rows import (
    ALERT_VERSIONS,
    QUERY_FORMATS,
    AlertRow,
    ConversionFactRow,
    DeadLetterRow,
    EventRow,
    IngestMetricRow,
    SurfaceMetricRow,
    UnmappedFieldError,
    alert_row,
    conversion_fact_row,
    dead_letter_from_row,
    dead_letter_row,
    event_row,
    ingest_metric_row,
    surface_metric_row,
)
from convtrack.sinks.sink import (
    MemorySink,
    Sink,
    SinkBackpressure,
    SinkError,
    SinkRejectedError,
)
from convtrack.sinks.tables import (
    ALERTS,
    CONVERSION_FACTS,
    DEAD_LETTERS,
    EVENTS,
    INGEST_METRICS,
    SURFACE_METRICS,
    TABLES,
    Table,
)

__all__ = [
    "ALERTS",
    "ALERT_VERSIONS",
    "CONVERSION_FACTS",
    "DEAD_LETTERS",
    "EVENTS",
    "INGEST_METRICS",
    "MIGRATIONS",
    "QUERY_FORMATS",
    "SURFACE_METRICS",
    "TABLES",
    "AlertRow",
    "BadDsnError",
    "BatchPolicy",
    "ClickHouseSink",
    "ConversionFactRow",
    "DeadLetterRow",
    "EventRow",
    "IngestMetricRow",
    "MemorySink",
    "Migration",
    "MigrationError",
    "RetryPolicy",
    "Sink",
    "SinkBackpressure",
    "SinkError",
    "SinkRejectedError",
    "Status",
    "StoreAuthError",
    "StoreError",
    "StoreLockedError",
    "StoreUnreachableError",
    "SurfaceMetricRow",
    "Table",
    "Target",
    "UnmappedFieldError",
    "alert_row",
    "clickhouse_message",
    "connect",
    "connect_settings",
    "conversion_fact_row",
    "dead_letter_from_row",
    "dead_letter_row",
    "dedup_token",
    "event_row",
    "ingest_metric_row",
    "is_transient",
    "migrate",
    "parse_dsn",
    "status",
    "surface_metric_row",
]
