"""On a real broker (embedded Tansu): topics, the batching producer, and reading it all back."""

from collections import defaultdict
from datetime import timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from convtrack.broker import EmbeddedBroker
from convtrack.cli import app
from convtrack.simulator import SimulationConfig, simulate, write_all
from convtrack.streams.kafka import (
    TopicMismatchError,
    TopicSpec,
    ensure_topics,
    list_topics,
    open_kafka_writer,
    partition_for_payload,
    split_record,
)
from convtrack.streams.kafka.connection import KafkaSetupError
from tests.fixtures.broker import consume

_PARTITIONS = 3
_SIMULATION = SimulationConfig(seed=11, duration=timedelta(hours=4), conversations=120)
"""About 900 payloads, every fault kind included (broken JSON, a 70 KB payload, duplicates)."""


def _topic(broker: EmbeddedBroker, name: str) -> str:
    ensure_topics(broker.bootstrap_servers, [TopicSpec(name, _PARTITIONS, 1, timedelta(hours=1))])
    return name


def test_creating_topics_is_idempotent(kafka_broker: EmbeddedBroker) -> None:
    specs = [TopicSpec(f"idem.{n}", 2, 1, timedelta(days=1)) for n in range(2)]
    first = ensure_topics(kafka_broker.bootstrap_servers, specs)
    again = ensure_topics(kafka_broker.bootstrap_servers, specs)
    assert [(s.name, s.partitions, s.created) for s in first] == [
        ("idem.0", 2, True),
        ("idem.1", 2, True),
    ]
    assert [s.created for s in again] == [False, False]
    assert list_topics(kafka_broker.bootstrap_servers)["idem.1"] == 2


def test_an_existing_topic_with_other_partitions_is_reported(kafka_broker: EmbeddedBroker) -> None:
    spec = TopicSpec("mismatch", 2, 1, timedelta(days=1))
    ensure_topics(kafka_broker.bootstrap_servers, [spec])
    with pytest.raises(TopicMismatchError, match="has 2 partitions but 5"):
        ensure_topics(kafka_broker.bootstrap_servers, [TopicSpec("mismatch", 5, 1, spec.retention)])


def test_producing_to_a_missing_topic_is_refused_not_auto_created(
    kafka_broker: EmbeddedBroker,
) -> None:
    with pytest.raises(KafkaSetupError, match="convtrack topics create"):
        open_kafka_writer(kafka_broker.bootstrap_servers, "never.created", batch_events=10)
    assert "never.created" not in list_topics(kafka_broker.bootstrap_servers)


@pytest.mark.parametrize("batch_events", [1, 40])
def test_every_event_arrives_once_in_order_and_the_counts_match(
    kafka_broker: EmbeddedBroker, batch_events: int
) -> None:
    topic = _topic(kafka_broker, f"raw.batch{batch_events}")
    payloads = list(simulate(_SIMULATION))
    writer = open_kafka_writer(kafka_broker.bootstrap_servers, topic, batch_events=batch_events)
    write_all(payloads, writer)
    report = writer.report

    records = consume(
        kafka_broker.bootstrap_servers,
        topic,
        group_id=f"check-{batch_events}",
        expect=report.total_records,
    )

    by_partition: dict[int, list[Any]] = defaultdict(list)
    for record in records:
        by_partition[record.partition].append(record)
    expected: dict[int, list[bytes]] = defaultdict(list)
    for payload in payloads:
        expected[partition_for_payload(payload, _PARTITIONS)[1]].append(payload)
    for partition, received in by_partition.items():
        offsets = [record.offset for record in received]
        assert offsets == sorted(set(offsets))
        events = [e for record in received for e in split_record(record.value, record.headers)]
        # Same bytes, same order, nothing missing, nothing twice (the simulator's own
        # duplicates are byte-identical payloads and are expected twice).
        assert events == expected[partition]
        assert report.records[partition] == len(received)
        assert report.events[partition] == len(events)
        assert report.next_offsets[partition] == offsets[-1] + 1
    assert report.total_events == len(payloads)
    assert report.failed_records == 0
    if batch_events == 1:
        assert report.total_records == len(payloads)
    else:
        assert report.total_records < len(payloads) / 10


def test_the_commands_create_list_and_simulate(
    kafka_broker: EmbeddedBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONVTRACK_KAFKA_BOOTSTRAP_SERVERS", kafka_broker.bootstrap_servers)
    monkeypatch.setenv("CONVTRACK_RAW_TOPIC", "cli.raw")
    monkeypatch.setenv("CONVTRACK_DEAD_LETTER_TOPIC", "cli.dead")
    runner = CliRunner()
    first = runner.invoke(app, ["topics", "create"])
    again = runner.invoke(app, ["topics", "create"])
    listed = runner.invoke(app, ["topics", "list"])
    simulated = runner.invoke(
        app, ["simulate", "--kafka", "--hours", "1", "--conversations", "30", "--batch-events", "7"]
    )
    assert (first.exit_code, again.exit_code, listed.exit_code) == (0, 0, 0)
    assert "created cli.raw (4 partitions)" in first.stdout
    assert "exists:  cli.dead (4 partitions)" in again.stdout
    assert "cli.raw" in listed.stdout
    assert simulated.exit_code == 0, simulated.stderr
    assert "payloads to Kafka topic cli.raw" in simulated.stdout
    assert "produced (acknowledged)" in simulated.stdout
