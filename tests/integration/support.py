"""The Kafka path against the embedded replay: settings for a worker on the test broker,
producing, running the reference, and reading both stores back as comparable rows.

chDB serves one directory per process: every helper here opens a store, reads what it needs
into Python values and closes it before the next one is opened.
"""

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from clickhouse_connect.driver.client import Client

from convtrack.broker import EmbeddedBroker
from convtrack.contracts import load_default_contracts
from convtrack.keys import resolve_pseudonymization_key
from convtrack.runner import StoreWriter, run
from convtrack.schemas.dead_letter import FilePosition
from convtrack.settings import ENV_PREFIX, Settings
from convtrack.simulator import SimulationConfig, simulate
from convtrack.sinks import BatchPolicy, RetryPolicy, connect, migrate, parse_dsn
from convtrack.sinks.rows.conversion_facts import ConversionFactRow
from convtrack.streams.kafka import ensure_topics, open_kafka_writer, topic_specs
from convtrack.streams.kafka.producer import ProduceReport
from convtrack.streams.pipeline import Pipeline
from convtrack.streams.validate import Pseudonymizer, ValidateConfig, Validator
from convtrack.streams.worker.process import WorkerProcess
from convtrack.streams.worker.progress import wait_until_processed

KEY = "integration-test-pseudonymization-key-0123456789"
PARTITIONS = 3
SIMULATION = SimulationConfig(seed=21, duration=timedelta(hours=8), conversations=500)
"""About 3,500 payloads with every fault kind, duplicates included."""
_names = itertools.count()


def worker_settings(broker: EmbeddedBroker, directory: Path, **changes: Any) -> Settings:
    """Fresh topics and group per call, a store in `directory`."""
    n = next(_names)
    values: dict[str, Any] = {
        "kafka_bootstrap_servers": broker.bootstrap_servers,
        "data_dir": directory,
        "clickhouse_dsn": f"chdb://{directory / 'clickhouse'}",
        "pseudonymization_key": KEY,
        "kafka_partitions": PARTITIONS,
        "raw_topic": f"raw.{n}",
        "dead_letter_topic": f"dead.{n}",
        "trust_topic": f"trust.{n}",
        "metrics_topic": f"metrics.{n}",
        "worker_app_id": f"worker-{n}",
        "worker_table_store": "memory",
        "worker_log_every": 2,
        "sink_batch_age": 0.2,
    }
    values.update(changes)
    return Settings(**values)


def worker_env(settings: Settings) -> dict[str, str]:
    """Settings for a worker child process, as CONVTRACK_* variables."""
    env = {}
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, timedelta):
            value = value.total_seconds()
        elif hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        env[f"{ENV_PREFIX}{name.upper()}"] = str(value)
    return env


def create_topics(settings: Settings) -> None:
    ensure_topics(settings.kafka_bootstrap_servers, topic_specs(settings))


def produce(settings: Settings, payloads: Iterable[bytes], batch_events: int) -> ProduceReport:
    writer = open_kafka_writer(
        settings.kafka_bootstrap_servers, settings.raw_topic, batch_events=batch_events
    )
    for payload in payloads:
        writer.write(payload)
    writer.close()
    return writer.report


def payloads(config: SimulationConfig = SIMULATION) -> list[bytes]:
    return list(simulate(config))


def open_store(directory: Path) -> Client:
    client = connect(parse_dsn(f"chdb://{directory}", directory))
    migrate(client)
    return client


def reference(settings: Settings, lines: Sequence[bytes], directory: Path) -> "Tables":
    """The embedded replay of the same input, in its own store."""
    key = resolve_pseudonymization_key(settings).secret
    validator = Validator(ValidateConfig.from_settings(settings), Pseudonymizer(key))
    pipeline = Pipeline(validator, load_default_contracts())
    client = open_store(directory)
    try:
        writer = StoreWriter(client, BatchPolicy(max_rows=20_000), RetryPolicy())
        run(
            ((raw, FilePosition(path="sim", line=n)) for n, raw in enumerate(lines, 1)),
            pipeline,
            writer,
        )
        return read_tables(client)
    finally:
        client.close()


@dataclass(frozen=True)
class Tables:
    """What must be equal between the paths: metric totals (partials summed) and facts."""

    surface_totals: list[Sequence[Any]]
    conversion_facts: list[Sequence[Any]]
    events: int
    dead_letters: int
    duplicate_letters: int
    """Of `dead_letters`, those with reason duplicate."""


_VERSION = ConversionFactRow._fields.index("version")
_WINDOW_KEY = 4
"""tenant_id, surface, surface_id, window_start: the rest of a totals row are figures."""


def batching_aside(tables: Tables) -> Tables:
    """What two runs of the same input hold whatever their batch cuts, which are timed and so
    differ between a restarted worker and an uninterrupted one. A fact's version is its
    conversation's revision after the batch that changed it (a finer cut can emit the same
    final content at a lower revision), and a window a finer cut touched and later restated to
    nothing leaves an all-zero row. Which copy of a duplicated event is the duplicate follows
    the order records were processed in: a batch replayed after a crash, with records faust
    redelivered out of order, can record a duplicate's dead letter for the other copy too, so
    the dead letters compared are the rejected inputs only. FINAL contents and every figure
    stay exact."""
    return Tables(
        [row for row in tables.surface_totals if any(row[_WINDOW_KEY:])],
        [(*row[:_VERSION], *row[_VERSION + 1 :]) for row in tables.conversion_facts],
        tables.events,
        tables.dead_letters - tables.duplicate_letters,
        0,
    )


def read_tables(client: Client) -> Tables:
    return Tables(
        list(
            client.query(
                "SELECT * FROM surface_metrics_totals "
                "ORDER BY tenant_id, surface, surface_id, window_start"
            ).result_rows
        ),
        list(
            client.query(
                "SELECT * FROM conversion_facts FINAL ORDER BY tenant_id, conversion_id"
            ).result_rows
        ),
        _count(client, "events"),
        _count(client, "dead_letters"),
        _count(client, "dead_letters", "reason = 'duplicate'"),
    )


def _count(client: Client, table: str, where: str = "1") -> int:
    query = f"SELECT count() FROM {table} FINAL WHERE {where}"  # noqa: S608 (constants)
    count: int = client.query(query).result_rows[0][0]
    return count


def read_store(directory: Path) -> Tables:
    client = open_store(directory)
    try:
        return read_tables(client)
    finally:
        client.close()


MERGED_TABLES = ("events", "dead_letters", "conversion_facts", "surface_metrics")


def merge_stores(into: Path, sources: Sequence[Path]) -> Tables:
    """Every row of `sources` copied into `into` (ReplacingMergeTree and the partial keys make
    the union what one store would hold), then read back."""
    copied: list[tuple[str, list[str], Sequence[Sequence[Any]]]] = []
    for source in sources:
        client = open_store(source)
        try:
            for table in MERGED_TABLES:
                result = client.query(f"SELECT * FROM {table}")  # noqa: S608 (constant names)
                copied.append((table, list(result.column_names), result.result_rows))
        finally:
            client.close()
    client = open_store(into)
    try:
        for table, columns, rows in copied:
            if rows:
                client.insert(table, rows, column_names=columns)
        return read_tables(client)
    finally:
        client.close()


def run_until_processed(settings: Settings, report: ProduceReport, log: Path) -> None:
    """A worker child process from start until it has committed everything, then stopped."""
    worker = WorkerProcess(worker_env(settings), log)
    worker.start()
    try:
        wait_for(settings, report, worker)
    finally:
        worker.stop()


def wait_for(
    settings: Settings, report: ProduceReport, *workers: WorkerProcess, timeout: float = 60
) -> None:
    try:
        wait_until_processed(
            settings, report.next_offsets, timeout, alive=lambda: all(w.alive for w in workers)
        )
    except (RuntimeError, TimeoutError) as error:
        logs = "\n".join(w.output() for w in workers)
        raise AssertionError(f"{error}\n{logs}") from None
