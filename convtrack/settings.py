"""Every setting, read from `CONVTRACK_*` environment variables (or a `.env` file).

The README's settings table is generated from this class's fields and checked by a test.
"""

from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "CONVTRACK_"


def _seconds_as_number(value: object) -> object:
    # Environment values are strings; pydantic reads "90" as a malformed ISO duration.
    if isinstance(value, str) and value.strip().replace(".", "", 1).isdigit():
        return float(value)
    return value


Duration = Annotated[timedelta, BeforeValidator(_seconds_as_number)]
"""Seconds (`90`) or an ISO 8601 duration (`PT5M`, `P7D`)."""


class Mode(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class KafkaCompression(StrEnum):
    NONE = "none"
    GZIP = "gzip"
    LZ4 = "lz4"
    ZSTD = "zstd"


class TableStore(StrEnum):
    AUTO = "auto"
    MEMORY = "memory"
    ROCKSDB = "rocksdb"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", extra="ignore", frozen=True
    )

    mode: Mode = Field(
        Mode.DEVELOPMENT,
        description="`production` refuses to start without a pseudonymization key.",
    )
    data_dir: Path = Field(
        Path(".convtrack"),
        description="Where the embedded store, the development key and demo output live.",
    )
    pseudonymization_key: SecretStr | None = Field(
        None,
        description=(
            "Secret for the keyed hash (HMAC-SHA256) that replaces user ids at ingest; "
            "at least 32 characters. Unset in development: a generated key is kept in data_dir."
        ),
        min_length=32,
    )
    max_payload_bytes: Annotated[int, Field(ge=256, le=16 * 1024 * 1024)] = Field(
        65_536, description="Larger inputs are dead-lettered as payload_too_large."
    )
    future_skew: Annotated[Duration, Field(ge=timedelta(0))] = Field(
        timedelta(minutes=5),
        description=(
            "How far ahead of the processing clock occurred_at may be before an event is "
            "dead-lettered as future_timestamp. Seconds or an ISO 8601 duration."
        ),
    )
    lateness: Annotated[Duration, Field(gt=timedelta(0))] = Field(
        timedelta(days=7),
        description=(
            "How far behind the newest event time an event may arrive; older ones are "
            "dead-lettered as too_late. Also the deduplication horizon. Seconds or ISO 8601."
        ),
    )
    dedup_max_ids: Annotated[int, Field(ge=1_000, le=100_000_000)] = Field(
        1_000_000,
        description=(
            "Most event ids remembered for deduplication; past it the oldest hour is "
            "forgotten early (counted as dedup_evictions)."
        ),
    )
    hot_conversations: Annotated[int, Field(ge=0, le=10_000_000)] = Field(
        60_000,
        description=(
            "Conversations fed last that stay unpacked between batches, ~4 KB each (a worker "
            "gives each raw partition an equal share): live traffic feeds a conversation every "
            "few batches. 0 packs each one after every batch."
        ),
    )
    contracts_file: Path | None = Field(
        None,
        description=(
            "Quality contracts (TOML) used by replay, demo and the worker; unset uses the "
            "sample shipped with convtrack. Check a file with `convtrack contracts check`."
        ),
    )
    clickhouse_dsn: str = Field(
        "chdb:///",
        description=(
            "Where data is stored: `chdb:///` is the embedded store in DATA_DIR/clickhouse, "
            "`chdb:///ABS/PATH` another directory, `chdb://memory` a throw-away one, "
            "`http(s)://USER@HOST:PORT/DATABASE` a ClickHouse server."
        ),
    )
    clickhouse_password: SecretStr | None = Field(
        None,
        description="Password for an http(s) DSN; kept out of the DSN so it is never shown.",
    )
    sink_batch_rows: Annotated[int, Field(ge=1, le=10_000_000)] = Field(
        50_000, description="A sink inserts once it holds this many rows ..."
    )
    sink_batch_bytes: Annotated[int, Field(ge=1_024, le=1024 * 1024 * 1024)] = Field(
        16 * 1024 * 1024, description="... or about this many bytes (uncompressed) ..."
    )
    sink_batch_age: Annotated[Duration, Field(gt=timedelta(0))] = Field(
        timedelta(seconds=2),
        description="... or when its oldest row is this old. Seconds or ISO 8601.",
    )
    sink_retries: Annotated[int, Field(ge=0, le=30)] = Field(
        5,
        description=(
            "Retries of a batch on transient errors (network, timeouts, 5xx) before the sink "
            "pushes back on its caller; nothing is dropped."
        ),
    )
    sink_retry_backoff: Annotated[Duration, Field(gt=timedelta(0))] = Field(
        timedelta(milliseconds=500),
        description="Wait before the first retry; doubles each retry (capped at the next).",
    )
    sink_retry_max_backoff: Annotated[Duration, Field(gt=timedelta(0))] = Field(
        timedelta(seconds=30),
        description=(
            "Longest wait between retries, and between attempts once the store pushes back "
            "(input paused). Seconds or ISO 8601."
        ),
    )
    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092",
        description="Kafka brokers, `HOST:PORT[,HOST:PORT...]`; `convtrack broker` listens on the "
        "first one's port.",
    )
    raw_topic: str = Field(
        "convtrack.events.raw",
        description="Where producers send events (docs/record-format.md).",
        min_length=1,
    )
    dead_letter_topic: str = Field(
        "convtrack.events.dead", description="Where rejected inputs go.", min_length=1
    )
    kafka_partitions: Annotated[int, Field(ge=1, le=10_000)] = Field(
        4, description="Partitions of the topics `convtrack topics create` makes."
    )
    kafka_replication_factor: Annotated[int, Field(ge=1, le=10)] = Field(
        1, description="Replicas per partition (1 for a single broker, 3 in production)."
    )
    kafka_retention: Annotated[Duration, Field(gt=timedelta(0))] = Field(
        timedelta(days=7),
        description="How long the topics keep records (set at creation). Seconds or ISO 8601.",
    )
    kafka_compression: KafkaCompression = Field(
        KafkaCompression.GZIP,
        description=(
            "Producer compression: none, gzip, lz4 or zstd. lz4 and zstd need `cramjam` "
            "installed for faust/aiokafka consumers to read them."
        ),
    )
    trust_topic: str = Field(
        "convtrack.trust",
        description=(
            "The worker's re-key topic: conversation starts and conversions keyed by "
            "pseudonymous user, for durable trust."
        ),
        min_length=1,
    )
    metrics_topic: str = Field(
        "convtrack.metrics",
        description=(
            "The worker's metric snapshots and partition clocks for the alert stage, which "
            "judges the summed partials; one partition."
        ),
        min_length=1,
    )
    worker_app_id: str = Field(
        "convtrack",
        description=(
            "The worker's consumer group, and the prefix of its state (changelog) topics; "
            "workers with the same id share the partitions."
        ),
        min_length=1,
    )
    worker_take_records: Annotated[int, Field(ge=1, le=100_000)] = Field(
        10_000, description="Most Kafka records the worker processes (and commits) as one batch ..."
    )
    worker_take_bytes: Annotated[int, Field(ge=1_024, le=1024 * 1024 * 1024)] = Field(
        8 * 1024 * 1024,
        description="... or about this many bytes of record values (a batch's memory) ...",
    )
    worker_take_within: Annotated[Duration, Field(gt=timedelta(0))] = Field(
        timedelta(milliseconds=500),
        description="... or what arrived within this time. Seconds or ISO 8601.",
    )
    worker_table_store: TableStore = Field(
        TableStore.AUTO,
        description=(
            "Where the worker keeps its state tables between changelog restores: rocksdb "
            "(needs `rocksdict`), memory, or auto (rocksdb when rocksdict is installed)."
        ),
    )
    worker_metrics_port: Annotated[int, Field(ge=0, le=65_535)] = Field(
        0, description="Port of the worker's Prometheus metrics; 0 turns them off."
    )
    worker_metrics_host: str = Field(
        "127.0.0.1",
        description=(
            "Address the metrics listen on: loopback by default; 0.0.0.0 in a container so "
            "Prometheus can scrape every worker replica."
        ),
        min_length=1,
    )
    worker_log_every: Annotated[Duration, Field(gt=timedelta(0))] = Field(
        timedelta(seconds=30),
        description="How often the worker logs its health (lag, events/s, dead letters).",
    )


class SettingsError(ValueError):
    """A setting is invalid; the message is one line that names the variable and the fix."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        raise SettingsError(describe_settings_error(error)) from None


def describe_settings_error(error: ValidationError) -> str:
    first = error.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else "?"
    variable = f"{ENV_PREFIX}{field.upper()}"
    problems = "; ".join(e["msg"] for e in error.errors())
    description = Settings.model_fields[field].description if field in Settings.model_fields else ""
    hint = f" ({description})" if description else ""
    return f"{variable} is invalid: {problems}. Fix it or unset it to use the default{hint}"
