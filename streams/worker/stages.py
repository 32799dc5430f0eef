"""What the worker's two agents do with each batch of taken records. Thin: the cores do the
work; this is the order that makes delivery at-least-once without loss.

Per batch: drop the records the saved state already holds, run the cores (in a thread, so
faust's heartbeats and fetches go on), queue dead letters and re-keyed events for the broker,
write every output to ClickHouse meanwhile (in a thread too: an unavailable store makes the
write wait, and input simply stops), wait until the store and the broker have them all, then
save state, the partition's next offset last, and wait until the broker has that too. Only then
does the agent return, faust acks the records, and a later commit covers them. A crash before
the state is saved replays the batch (the inserts are idempotent); a crash after it replays
nothing, as the restored offset skips the batch.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from convtrack.runner import StoreWriter
from convtrack.streams.pipeline import Output
from convtrack.streams.worker.health import WorkerHealth
from convtrack.streams.worker.records import (
    OutMessage,
    RawRecord,
    dead_letter_messages,
    inputs_by_partition,
    metric_messages,
    next_offsets,
    offsets_by_partition,
    trust_messages,
)
from convtrack.streams.worker.shards import Shards
from convtrack.streams.worker.trust import TrustShards

Send = Callable[[OutMessage], Awaitable[Awaitable[object]]]
"""Queues a message; what it returns completes once the broker has it."""
Ready = Callable[[], Awaitable[None]]
"""Returns once the tables are restored: faust may hand over records while it still reads the
changelogs, and a pipeline built then would start from part of its saved state."""
Assigned = Callable[[], set[int]]
"""The partitions of the stage's topic this worker owns now."""
Saved = Callable[[], Awaitable[None]]
"""Returns once the broker has the state the stage saved (the table's changelog), or raises."""


class StoreGate:
    """The one StoreWriter both agents share, used by one of them at a time."""

    def __init__(self, writer: StoreWriter, health: WorkerHealth) -> None:
        self._writer = writer
        self._health = health
        self._lock = asyncio.Lock()

    async def write(self, outputs: Sequence[Output]) -> None:
        async with self._lock:
            started = time.perf_counter()
            await asyncio.to_thread(self._write, outputs)
            self._health.sink_flush.observe(time.perf_counter() - started)

    def _write(self, outputs: Sequence[Output]) -> None:
        for output in outputs:
            self._writer.write(output)
        self._writer.flush()


class _Stage:
    """What both agents share: the topic, the store, health, and which partitions they own."""

    def __init__(
        self,
        topic: str,
        gate: StoreGate,
        health: WorkerHealth,
        *,
        assigned: Assigned,
        ready: Ready,
        saved: Saved,
    ) -> None:
        self.topic = topic
        self._gate = gate
        self._health = health
        self._assigned = assigned
        self._ready = ready
        self._saved = saved

    async def _owned(self) -> set[int]:
        """Waits for restored tables; the partitions this worker owns now."""
        await self._ready()
        return self._assigned()


class RawStage(_Stage):
    def __init__(
        self,
        topic: str,
        shards: Shards,
        gate: StoreGate,
        health: WorkerHealth,
        *,
        assigned: Assigned,
        ready: Ready,
        saved: Saved,
        send_dead_letter: Send,
        send_trust: Send,
        send_metrics: Send,
        trust_partitions: int,
    ) -> None:
        super().__init__(topic, gate, health, assigned=assigned, ready=ready, saved=saved)
        self.shards = shards
        self._send_metrics = send_metrics
        self._send_dead_letter = send_dead_letter
        self._send_trust = send_trust
        self._trust_partitions = trust_partitions

    async def handle(self, records: Sequence[RawRecord]) -> dict[int, Output]:
        self.shards.keep_only(await self._owned())
        fresh = self.shards.unprocessed(records)
        floors = next_offsets(fresh)
        inputs = inputs_by_partition(self.topic, fresh)
        outputs = await asyncio.to_thread(self.shards.process, inputs, datetime.now(UTC), floors)
        # Delivered before the state says the batch is done: a crash in between replays it.
        # Queued before the insert, so the broker takes them while ClickHouse stores the rows.
        deliveries = []
        for output in outputs.values():
            for message in dead_letter_messages(output.dead_letters):
                deliveries.append(await self._send_dead_letter(message))
            for message in trust_messages(output, self._trust_partitions):
                deliveries.append(await self._send_trust(message))
        # The alert judge's reports (docs/worker.md, Alerts): a batch the saved state holds is
        # never processed again, so its snapshots would never be reported again either.
        clocks = {p: self.shards.pipeline(p).validator.watermark for p in outputs}
        for message in metric_messages(outputs, clocks):
            deliveries.append(await self._send_metrics(message))
        await self._gate.write(list(outputs.values()))
        await asyncio.gather(*deliveries)
        self.shards.save(outputs, offsets_by_partition(fresh))
        await self._saved()
        self._health.observe_raw(len(fresh), self.topic, outputs.values())
        self._health.observe_conversations(self.shards.conversations())
        return outputs


class TrustStage(_Stage):
    def __init__(
        self,
        topic: str,
        shards: TrustShards,
        gate: StoreGate,
        health: WorkerHealth,
        *,
        assigned: Assigned,
        ready: Ready,
        saved: Saved,
    ) -> None:
        super().__init__(topic, gate, health, assigned=assigned, ready=ready, saved=saved)
        self.shards = shards

    async def handle(self, records: Sequence[RawRecord]) -> dict[int, Output]:
        self.shards.keep_only(await self._owned())
        fresh = self.shards.unprocessed(records)
        outputs = await asyncio.to_thread(self.shards.process, fresh)
        await self._gate.write(list(outputs.values()))
        self.shards.save(outputs, offsets_by_partition(fresh))
        await self._saved()
        self._health.records.labels(self.topic).inc(len(fresh))
        return outputs
