"""4. ClickHouse unavailable for a while: the worker stops taking input (backpressure), commits
nothing it has not stored, keeps its group membership (the wait runs off the event loop), and
catches up afterwards with nothing lost. In-process, to put a failing client in front of the
store."""

import asyncio
import time
from pathlib import Path
from typing import Any

import faust
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import OperationalError

from convtrack.broker import EmbeddedBroker
from convtrack.contracts import load_default_contracts
from convtrack.keys import resolve_pseudonymization_key
from convtrack.streams.validate import Pseudonymizer
from convtrack.streams.worker.app import WorkerApp, WorkerParts
from convtrack.streams.worker.progress import committed_offsets, wait_until_processed
from tests.integration.support import (
    create_topics,
    open_store,
    payloads,
    produce,
    read_tables,
    reference,
    worker_settings,
)

OUTAGE_SECONDS = 8.0


class FlakyClient:
    """The real client, but every insert fails (as a refused connection does) until `until`."""

    def __init__(self, client: Client, until: float) -> None:
        self._client = client
        self.until = until
        self.refused = 0

    def insert(self, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() < self.until:
            self.refused += 1
            raise OperationalError("connection refused (a test outage)")
        return self._client.insert(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_an_unavailable_store_pauses_input_and_loses_nothing(
    kafka_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    settings = worker_settings(
        kafka_broker,
        tmp_path / "worker",
        sink_retries=1,
        sink_retry_backoff=0.1,
        sink_retry_max_backoff=1,
    )
    create_topics(settings)
    lines = payloads()
    report = produce(settings, lines, batch_events=100)
    client = open_store(tmp_path / "worker" / "clickhouse")
    flaky = FlakyClient(client, until=time.monotonic() + OUTAGE_SECONDS)
    key = resolve_pseudonymization_key(settings).secret
    parts = WorkerParts(settings, load_default_contracts(), Pseudonymizer(key), flaky)  # type: ignore[arg-type]
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    worker_app = WorkerApp(parts)
    worker = faust.Worker(
        worker_app.app, loop=loop, daemon=False, override_logging=False, redirect_stdouts=False
    )

    def run_for(seconds: float) -> None:
        loop.run_until_complete(asyncio.sleep(seconds))

    try:
        loop.run_until_complete(worker.start())
        run_for(max(0.0, flaky.until - time.monotonic() - 1))
        during = committed_offsets(
            settings.kafka_bootstrap_servers,
            settings.worker_app_id,
            settings.raw_topic,
            settings.kafka_partitions,
        )
        assert flaky.refused > 0, "the outage never reached the store"
        assert sum(during.values()) == 0, f"committed {during} while nothing could be stored"
        wait_until_processed(settings, report.next_offsets, 60, sleep=run_for)
    finally:
        loop.run_until_complete(worker.stop())
        loop.close()
        asyncio.set_event_loop(None)
    try:
        got = read_tables(client)
    finally:
        client.close()
    assert worker_app.health.registry.get_sample_value("convtrack_worker_sink_waits_total")
    want = reference(settings, lines, tmp_path / "reference")
    assert (got.events, got.dead_letters) == (want.events, want.dead_letters)
    assert got.conversion_facts == want.conversion_facts
    assert got.surface_totals == want.surface_totals
