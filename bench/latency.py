"""Event-to-queryable latency of a running worker at a paced offered rate.

The bench offers event n at t0 + n/rate. Every TICK it sends what was offered during the tick,
batched per partition as convtrack's producer batches (one NDJSON record per partition and
tick), with convtrack's producer settings (linger 20 ms, gzip). Meanwhile it polls the worker's
Prometheus gauge `convtrack_worker_stored_offset{partition}` (one past the highest offset whose
events the worker has inserted into ClickHouse; it moves at the end of the batch, after the
insert, the state save and the sends of dead letters and re-keyed messages). An event's
latency is the first poll that shows its record stored minus the moment it was offered:
producer batching, Kafka, the worker's take window, the cores, the insert and the poll interval
are all in it. The store cannot be asked directly: chDB serves a directory to one process only,
the worker's.
"""

import threading
import time
import urllib.request
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from bench.kafka import Child, Sender, create_topics, encode, wait_committed
from convtrack.settings import Settings
from convtrack.streams.kafka import OutRecord, PartitionBatcher, partition_for_payload

TICK = 0.05
"""The producer's linger: offered events leave together every TICK seconds."""
GAUGE = "convtrack_worker_stored_offset"


@dataclass(frozen=True, slots=True)
class Tick:
    records: list[OutRecord]
    offered: list[list[float]]
    """Per record, when each of its events was offered (seconds after the start)."""


def ticks(lines: Sequence[bytes], rate: float, partitions: int, batch_events: int) -> list[Tick]:
    """The paced schedule, encoded ahead of time: what leaves at the end of each tick."""
    per_tick = max(1, round(rate * TICK))
    batcher = PartitionBatcher(partitions, batch_events)
    schedule = []
    for first in range(0, len(lines), per_tick):
        waiting: dict[int, list[float]] = {}
        records = []
        for n in range(first, min(first + per_tick, len(lines))):
            _, partition = partition_for_payload(lines[n], partitions)
            waiting.setdefault(partition, []).append(n / rate)
            records += batcher.add(lines[n])
        records += batcher.drain()
        # a partition's records leave in the order its events came, so they take its offer
        # times in order
        offered = []
        for record in records:
            mine = waiting[record.partition]
            offered.append(mine[: record.events])
            del mine[: record.events]
        schedule.append(Tick(records, offered))
    return schedule


@dataclass
class StoredPoller:
    """Samples the worker's stored offsets in a thread: per partition, (time, offset) pairs."""

    port: int
    topic: str
    samples: dict[int, tuple[list[float], list[int]]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="stored-poller", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def stored(self) -> dict[int, int]:
        return {p: offsets[-1] for p, (_, offsets) in self.samples.items() if offsets}

    def stored_at(self, partition: int, offset: int) -> float | None:
        """When `offset` of `partition` was first seen stored; None if never."""
        times, offsets = self.samples.get(partition, ([], []))
        at = bisect_left(offsets, offset + 1)
        return times[at] if at < len(times) else None

    def _run(self) -> None:
        # only the one gauge (prometheus-client's name[] filter): rendering every metric 20
        # times a second took ~5% of the worker's CPU, and the probe should not slow the worker
        url = f"http://127.0.0.1:{self.port}/metrics?name[]={GAUGE}"
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                with urllib.request.urlopen(url, timeout=2) as reply:
                    text = reply.read().decode()
            except OSError:
                # a worker that died shows in the run (child.alive); a gap is a missed sample
                self._stop.wait(TICK)
                continue
            seen = time.monotonic()
            for family in text_string_to_metric_families(text):
                for sample in family.samples if family.name == GAUGE else ():
                    if sample.labels.get("topic") == self.topic:
                        times, offsets = self.samples.setdefault(
                            int(sample.labels["partition"]), ([], [])
                        )
                        # monotonic per partition, so stored_at can bisect
                        times.append(seen)
                        offsets.append(max(int(sample.value), offsets[-1] if offsets else 0))
            self._stop.wait(max(0.0, TICK - (seen - began)))


@dataclass(frozen=True, slots=True)
class Latency:
    offered: int
    stored: int
    seconds: list[float]
    """Latency of every stored event, sorted."""
    sustained: float
    """Events stored per second, from the first store to the last: the offered rate when the
    worker keeps up, its capacity when it does not."""

    def percentile(self, q: float) -> float:
        """Over every offered event; one never stored counts as infinitely late."""
        rank = min(self.offered - 1, max(0, round(q * self.offered) - 1))
        return self.seconds[rank] if rank < len(self.seconds) else float("inf")


def _offer(sender: Sender, schedule: Sequence[Tick]) -> tuple[float, list[list[Any]]]:
    """Sends each tick's records at its end; (when the first tick began, the acknowledged
    RecordMetadata per tick and record)."""
    futures = []
    start = time.monotonic()
    for n, tick in enumerate(schedule):
        time.sleep(max(0.0, start + (n + 1) * TICK - time.monotonic()))
        futures.append(sender.send(tick.records))
    return start, [sender.flush(batch) for batch in futures]


def measure_latency(
    child: Child,
    settings: Settings,
    warmup: Sequence[bytes],
    lines: Sequence[bytes],
    *,
    rate: float,
    drain_timeout: float,
) -> Latency:
    """Runs the worker `child` (its metrics port set in `settings`) through a warm-up, then
    offers `lines` at `rate` and waits up to `drain_timeout` after the last offer for all of
    them to be stored. Stops the child."""
    partitions = settings.kafka_partitions
    schedule = ticks(lines, rate, partitions, batch_events=500)
    create_topics(settings)
    sender = Sender(settings)
    poller = StoredPoller(settings.worker_metrics_port, settings.raw_topic)
    child.start()
    try:
        sender.flush(sender.send(encode(warmup, 500, partitions)))
        wait_committed(settings, dict(sender.next_offsets), child, drain_timeout)
        poller.start()
        with child.measured():
            start, acknowledged = _offer(sender, schedule)
            deadline = time.monotonic() + drain_timeout
            while time.monotonic() < deadline and child.alive():
                now = poller.stored()
                if all(now.get(p, 0) >= end for p, end in sender.next_offsets.items()):
                    break
                time.sleep(TICK)
    finally:
        poller.stop()
        sender.close()
        child.stop()
    seconds, stored_at = [], []
    for tick, metas in zip(schedule, acknowledged, strict=True):
        for offered, meta in zip(tick.offered, metas, strict=True):
            at = poller.stored_at(meta.partition, meta.offset)
            if at is not None:
                seconds += [at - start - t for t in offered]
                stored_at.append(at)
    span = max(stored_at) - min(stored_at) if stored_at else 0.0
    return Latency(len(lines), len(seconds), sorted(seconds), len(seconds) / max(span, TICK))
