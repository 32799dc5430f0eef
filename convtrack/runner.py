"""The embedded main job: batches of raw inputs through the pipeline core into ClickHouse.

`replay` and `demo` (and, with a Kafka consumer in front, the worker) use this. Batches are cut
by count from an ordered input, so the same input always gives the same batches, the same
insert_deduplication_tokens and the same rows: running a replay twice stores everything once.
"""

import gc
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from clickhouse_connect.driver.client import Client

from convtrack.schemas.dead_letter import Reason, SourcePosition
from convtrack.settings import Settings
from convtrack.sinks import BatchPolicy, ClickHouseSink, RetryPolicy
from convtrack.sinks.rows import (
    alert_row,
    conversion_fact_row,
    dead_letter_row,
    event_row,
    ingest_metric_row,
    surface_metric_row,
)
from convtrack.sinks.sink import SinkBackpressure
from convtrack.sinks.tables import (
    ALERTS,
    CONVERSION_FACTS,
    DEAD_LETTERS,
    EVENTS,
    INGEST_METRICS,
    SURFACE_METRICS,
    Table,
)
from convtrack.streams.alerts import Alert
from convtrack.streams.pipeline import Output, Pipeline

BATCH_INPUTS = 2_000
"""Inputs per pipeline batch: big enough to amortize a flush, small enough for a smooth bar."""


@dataclass(slots=True)
class RunSummary:
    inputs: int = 0
    valid: int = 0
    duplicates: int = 0
    dead_letters: Counter[Reason] = field(default_factory=Counter)
    """Rejected inputs by reason; duplicates (stored as dead letters too) are `duplicates`."""
    fact_versions: int = 0
    metric_snapshots: int = 0
    alerts: list[Alert] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, inputs: int, output: Output) -> None:
        self.inputs += inputs
        self.valid += len(output.events)
        self.duplicates += output.duplicates
        self.dead_letters.update(d.reason for d in output.rejected)
        self.fact_versions += len(output.changes)
        self.metric_snapshots += len(output.surface_snapshots) + len(output.ingest_snapshots)
        self.alerts += output.alerts


class StoreWriter:
    """One sink per table. A store that stays unavailable makes `write` wait and retry (the
    caller's input simply stops moving): rows are never dropped."""

    def __init__(
        self,
        client: Client,
        batch: BatchPolicy,
        retry: RetryPolicy,
        on_wait: Callable[[SinkBackpressure], None] = lambda _: None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        def sink(table: Table[Any]) -> ClickHouseSink[Any]:
            return ClickHouseSink(client, table, batch, retry, sleep=sleep)

        self._events = sink(EVENTS)
        self._dead_letters = sink(DEAD_LETTERS)
        self._facts = sink(CONVERSION_FACTS)
        self._surfaces = sink(SURFACE_METRICS)
        self._ingest = sink(INGEST_METRICS)
        self._alerts = sink(ALERTS)
        self._sinks = (
            self._events,
            self._dead_letters,
            self._facts,
            self._surfaces,
            self._ingest,
            self._alerts,
        )
        self._on_wait = on_wait
        self._sleep = sleep

    @classmethod
    def from_settings(
        cls,
        client: Client,
        settings: Settings,
        on_wait: Callable[[SinkBackpressure], None] = lambda _: None,
    ) -> "StoreWriter":
        return cls(
            client,
            BatchPolicy.from_settings(settings),
            RetryPolicy.from_settings(settings),
            on_wait,
        )

    def write(self, output: Output) -> None:
        facts = map(conversion_fact_row, output.changes)
        self._offer(self._events, map(event_row, output.events))
        self._offer(self._dead_letters, map(dead_letter_row, output.dead_letters))
        self._offer(self._facts, (row for row in facts if row is not None))
        self._offer(self._surfaces, map(surface_metric_row, output.surface_snapshots))
        self._offer(self._ingest, map(ingest_metric_row, output.ingest_snapshots))
        self._offer(self._alerts, map(alert_row, output.alerts))

    def flush(self) -> None:
        for sink in self._sinks:
            self._until_done(sink.flush)

    def _offer(self, sink: ClickHouseSink[Any], rows: Iterable[Any]) -> None:
        for row in rows:
            self._until_done(sink.add, row)

    def _until_done(self, attempt: Callable[..., None], *args: Any) -> None:
        while True:
            try:
                attempt(*args)
                return
            except SinkBackpressure as pushback:
                self._on_wait(pushback)
                self._sleep(pushback.retry_after)


def batches(
    inputs: Iterable[tuple[bytes, SourcePosition]], size: int = BATCH_INPUTS
) -> Iterator[list[tuple[bytes, SourcePosition]]]:
    iterator = iter(inputs)
    while batch := list(islice(iterator, size)):
        yield batch


@contextmanager
def throughput_gc() -> Iterator[None]:
    """Fewer garbage collections while a run allocates millions of short-lived objects.

    The pipeline's state holds few reference cycles, but CPython's default thresholds run a
    young-generation pass every 700 allocations and keep rescanning the long-lived state
    (contracts, registries, packed conversations): 15-20% of a replay's time. Freezing what
    exists at the start and collecting less often measured ~25% more events/s. The previous
    thresholds come back afterwards.
    """
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()


def run(
    inputs: Iterable[tuple[bytes, SourcePosition]],
    pipeline: Pipeline,
    writer: StoreWriter,
    on_batch: Callable[[RunSummary], None] = lambda _: None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> RunSummary:
    """Runs every input through the pipeline and the store; returns what happened."""
    summary = RunSummary()
    started = time.perf_counter()
    with throughput_gc():
        for batch in batches(inputs):
            output = pipeline.process(batch, now())
            writer.write(output)
            summary.add(len(batch), output)
            on_batch(summary)
    final = pipeline.finish()
    writer.write(final)
    writer.flush()
    summary.add(0, final)
    summary.seconds = time.perf_counter() - started
    return summary
