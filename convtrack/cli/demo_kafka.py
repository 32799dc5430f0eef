"""`convtrack demo --kafka`: the same simulated traffic through the production path: an embedded
broker, the topics, a worker (a child process, as in production), batched records from the
simulator; then the alerts the worker's alert stage judged and the same scorecard as the
embedded demo, both read from the worker's store.

The worker writes to its own embedded store (DATA_DIR/demo-kafka/clickhouse) unless the DSN
names a server: the embedded demo's rows (one shard) and the worker's (one partial per
partition) would otherwise be summed together.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from clickhouse_connect.driver.client import Client
from rich.markup import escape

from convtrack.broker import BrokerError, EmbeddedBroker
from convtrack.cli.common import console, err_console, fail
from convtrack.cli.db import open_store
from convtrack.cli.kafka import print_produce_report
from convtrack.cli.report import print_alerts, print_scorecard
from convtrack.cli.report_html import save_report
from convtrack.schemas.types import Surface
from convtrack.settings import ENV_PREFIX, Settings
from convtrack.simulator import SimulationConfig, simulate, write_all
from convtrack.sinks.client import parse_dsn
from convtrack.streams.alerts import Alert, AlertRule, AlertState, Severity, Subject
from convtrack.streams.kafka import (
    DEFAULT_BATCH_EVENTS,
    ensure_topics,
    open_kafka_writer,
    topic_specs,
)
from convtrack.streams.kafka.connection import KafkaSetupError
from convtrack.streams.kafka.producer import ProduceReport
from convtrack.streams.worker.process import WorkerProcess
from convtrack.streams.worker.progress import wait_until_processed

_PROCESS_TIMEOUT = 1_800.0


def run_kafka_demo(settings: Settings, config: SimulationConfig, folder: Path) -> None:
    dsn = settings.clickhouse_dsn
    if parse_dsn(dsn, settings.data_dir).embedded and dsn != "chdb://memory":
        dsn = f"chdb://{(folder / 'clickhouse').resolve()}"
    try:
        with EmbeddedBroker() as broker:
            settings = settings.model_copy(
                update={"kafka_bootstrap_servers": broker.bootstrap_servers, "clickhouse_dsn": dsn}
            )
            err_console.print(f"embedded broker on {broker.bootstrap_servers}", highlight=False)
            ensure_topics(broker.bootstrap_servers, topic_specs(settings))
            worker = WorkerProcess(_worker_env(settings), folder / "worker.log")
            worker.start()
            try:
                report = _produce(settings, config)
                err_console.print("waiting for the worker to process everything ...")
                wait_until_processed(
                    settings, report.next_offsets, _PROCESS_TIMEOUT, alive=lambda: worker.alive
                )
            except (RuntimeError, TimeoutError) as error:
                fail(escape(f"{error}; worker log {worker.log_path}: {worker.output(400)}"))
            finally:
                worker.stop()
    except (BrokerError, KafkaSetupError) as error:
        fail(escape(str(error)))
    print_produce_report(report)
    with open_store(settings) as client:
        alerts = stored_alerts(client)
        console.print(
            "alerts: a period is judged once every partition's clock is an hour past its end, "
            "so the end of the traffic (its last hour, the volume trap's last day) is not "
            "judged yet (docs/worker.md, Alerts)",
            highlight=False,
        )
        print_alerts(alerts)
        print_scorecard(client, alerts)
        save_report(client, folder / "report.html")
    store = parse_dsn(dsn, settings.data_dir).describe()
    console.print(f"\nstore:  {escape(store)}\nworker log: {escape(str(worker.log_path))}\n")


def stored_alerts(client: Client) -> list[Alert]:
    """Every incident in its latest state (firing, or resolved), in the order they started."""
    result = client.query(
        "SELECT alert_id, rule, severity, state, tenant_id, surface, surface_id, started_at, "
        "fired_at, resolved_at, window_start, window_end, evidence FROM alerts FINAL "
        "ORDER BY started_at, rule, tenant_id, surface_id"
    )
    return [_alert(row) for row in result.result_rows]


def _alert(row: Sequence[Any]) -> Alert:
    alert_id, rule, severity, state, tenant, surface, surface_id = row[:7]
    started, fired, resolved, window_start, window_end, evidence = row[7:]
    return Alert(
        str(alert_id),
        AlertRule(rule),
        Severity(severity),
        AlertState(state),
        Subject(tenant, None if surface is None else Surface(surface), surface_id),
        _utc(started),
        _utc(fired),
        None if resolved is None else _utc(resolved),
        _utc(window_start),
        _utc(window_end),
        tuple(sorted(evidence.items())),
    )


def _utc(moment: datetime) -> datetime:
    """The store's DateTime64(6, 'UTC') can come back naive (INFRA.md)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _produce(settings: Settings, config: SimulationConfig) -> ProduceReport:
    writer = open_kafka_writer(
        settings.kafka_bootstrap_servers,
        settings.raw_topic,
        batch_events=DEFAULT_BATCH_EVENTS,
        compression=settings.kafka_compression,
    )
    sent = write_all(simulate(config), writer)
    err_console.print(f"produced {sent:,} events to {settings.raw_topic}", highlight=False)
    return writer.report


def _worker_env(settings: Settings) -> dict[str, str]:
    """The settings the child must share with us, as its environment."""
    names = (
        "kafka_bootstrap_servers",
        "clickhouse_dsn",
        "data_dir",
        "raw_topic",
        "dead_letter_topic",
        "trust_topic",
        "metrics_topic",
        "worker_app_id",
        "kafka_partitions",
    )
    env = {f"{ENV_PREFIX}{name.upper()}": str(getattr(settings, name)) for name in names}
    # The broker is new on every run; local table state from an earlier run must not be reused.
    env[f"{ENV_PREFIX}WORKER_TABLE_STORE"] = "memory"
    return env
