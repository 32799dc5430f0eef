"""Alerts on the Kafka path: a simulated period with a relevance drop, through the broker, 3 raw
partitions and a worker, raises the alerts the embedded replay of the same input raises.

The embedded `finish()` judges the trailing periods at the end of its file, which a live stream
never can (nothing says a partition is done). So the input ends with one event per partition
two hours past the simulated period: every partition's clock passes every simulated period by
the grace, the worker judges them all, and the comparison covers every period it judged.
"""

from pathlib import Path

from convtrack.broker import EmbeddedBroker
from convtrack.cli.demo_kafka import stored_alerts
from convtrack.contracts import load_default_contracts
from convtrack.keys import resolve_pseudonymization_key
from convtrack.runner import StoreWriter, run
from convtrack.schemas.dead_letter import FilePosition
from convtrack.settings import Settings
from convtrack.sinks import BatchPolicy, RetryPolicy
from convtrack.streams.alerts import Alert, AlertRule, AlertState
from convtrack.streams.pipeline import Pipeline, PipelineConfig
from convtrack.streams.validate import Pseudonymizer, ValidateConfig, Validator
from convtrack.streams.worker.process import WorkerProcess
from tests.integration.support import (
    PARTITIONS,
    create_topics,
    open_store,
    payloads,
    produce,
    wait_for,
    worker_env,
    worker_settings,
)
from tests.worker.alerts_support import DROP, TAIL, identity, judged_by, tail_events


def test_the_kafka_path_raises_the_alerts_of_the_embedded_replay(
    kafka_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    # Batches of 10 records (2,000 events): each partition reports many times, so periods are
    # judged one by one as the clocks move, not all at once from one report each.
    settings = worker_settings(kafka_broker, tmp_path / "worker", worker_take_records=10)
    create_topics(settings)
    end = DROP.start + DROP.duration
    lines = payloads(DROP) + tail_events(end, PARTITIONS)
    report = produce(settings, lines, batch_events=200)

    worker = WorkerProcess(worker_env(settings), tmp_path / "worker.log")
    worker.start()
    try:
        wait_for(settings, report, worker, timeout=240)
    finally:
        worker.stop()
    client = open_store(tmp_path / "worker" / "clickhouse")
    try:
        got = {alert.alert_id: identity(alert) for alert in stored_alerts(client)}
    finally:
        client.close()

    horizon = end + TAIL - PipelineConfig().alert_grace
    want = judged_by(embedded_alerts(settings, lines, tmp_path / "reference"), horizon)
    drops = [a for a in want.values() if a[:2] == (AlertRule.RELEVANCE_DROP, AlertState.FIRING)]
    assert [drop[4] for drop in drops] == ["hotels-vertical"]
    assert got == want


def embedded_alerts(settings: Settings, lines: list[bytes], directory: Path) -> list[Alert]:
    """`convtrack replay` of the same input: its pipeline with the default tuning and grace."""
    key = resolve_pseudonymization_key(settings).secret
    validator = Validator(ValidateConfig.from_settings(settings), Pseudonymizer(key))
    client = open_store(directory)
    try:
        summary = run(
            ((raw, FilePosition(path="sim", line=n)) for n, raw in enumerate(lines, 1)),
            Pipeline(validator, load_default_contracts()),
            StoreWriter(client, BatchPolicy(max_rows=20_000), RetryPolicy()),
        )
    finally:
        client.close()
    return summary.alerts
