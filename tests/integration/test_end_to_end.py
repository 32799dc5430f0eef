"""1. A simulated period through Kafka and the worker stores exactly what the embedded replay of
the same input stores: metric totals (the partials of every partition and of the trust stage
summed) and conversion facts, for one-event records and for batched ones."""

from pathlib import Path

import pytest

from convtrack.broker import EmbeddedBroker
from tests.integration.support import (
    create_topics,
    payloads,
    produce,
    read_store,
    reference,
    run_until_processed,
    worker_settings,
)


@pytest.mark.parametrize("batch_events", [1, 200])
def test_the_kafka_path_stores_what_the_embedded_replay_stores(
    kafka_broker: EmbeddedBroker, tmp_path: Path, batch_events: int
) -> None:
    settings = worker_settings(kafka_broker, tmp_path / "worker")
    create_topics(settings)
    lines = payloads()
    report = produce(settings, lines, batch_events)

    run_until_processed(settings, report, tmp_path / "worker.log")

    got = read_store(tmp_path / "worker" / "clickhouse")
    want = reference(settings, lines, tmp_path / "reference")
    assert got.events == want.events > 0
    assert got.dead_letters == want.dead_letters > 0
    assert len(got.conversion_facts) == len(want.conversion_facts) > 0
    assert got.conversion_facts == want.conversion_facts
    assert len(got.surface_totals) == len(want.surface_totals)
    assert got.surface_totals == want.surface_totals
