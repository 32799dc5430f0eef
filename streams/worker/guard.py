"""The watchdog's faust side: which partitions the agents hold, what faust's consumer read and
committed, and the seeks. Reads faust's consumer bookkeeping, which has no public accessor."""

import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

import faust
from faust.types import TP

from convtrack.streams.worker.health import WorkerHealth
from convtrack.streams.worker.offsets import ProcessedOffsets
from convtrack.streams.worker.records import RawRecord
from convtrack.streams.worker.watchdog import Finding, PartitionReading, Remedy, StallDetector

log = logging.getLogger("convtrack.worker")
CHECK_SECONDS = 1.0
STALL_SECONDS = 6.0
"""Commits come every second while a partition moves: six without one is a stall."""


class ProcessedByPartition(Protocol):
    def processed(self, partition: int) -> ProcessedOffsets: ...


def raw_record(event: Any) -> RawRecord:
    message = event.message
    return RawRecord(message.partition, message.offset, message.value, message.headers)


class PartitionGuard:
    def __init__(
        self,
        app: faust.App,
        health: WorkerHealth,
        topics: set[str],
        states: Mapping[str, ProcessedByPartition],
        *,
        restored: Callable[[], bool],
    ) -> None:
        """`states`: per topic, the stage whose saved state says which offsets it holds.
        `restored`: whether faust has finished restoring the tables; until then nothing is
        checked, as reading a stage's state would build it from part of its changelog."""
        self._app = app
        self._health = health
        self._topics = topics
        self._states = states
        self._restored = restored
        self._detector = StallDetector(STALL_SECONDS)
        self._in_hand: set[tuple[str, int]] = set()
        """The partitions of the batches the agents are handling now."""

    async def handle(
        self, handle: Callable[[list[RawRecord]], Awaitable[object]], events: Sequence[Any]
    ) -> None:
        """Runs an agent's batch, marking its partitions as in hand meanwhile."""
        partitions = {(e.message.topic, e.message.partition) for e in events}
        self._in_hand |= partitions
        try:
            await handle([raw_record(e) for e in events])
        finally:
            self._in_hand -= partitions

    async def check(self) -> None:
        if not self._restored():
            return
        consumer: Any = self._app.consumer
        readings = [
            self._reading(tp, consumer)
            for tp in self._app.assignor.assigned_actives()
            if tp.topic in self._topics
        ]
        for finding in self._detector.check(readings, time.monotonic()):
            await self._remedy(finding, consumer)

    def _reading(self, tp: TP, consumer: Any) -> PartitionReading:
        committed = consumer._committed_offset.get(tp)
        state = self._states.get(tp.topic)
        missing = None
        if state is not None and committed is not None:
            missing = state.processed(tp.partition).first_gap(committed)
        return PartitionReading(
            (tp.topic, tp.partition),
            consumer._read_offset.get(tp),
            committed,
            (tp.topic, tp.partition) in self._in_hand,
            missing,
        )

    async def _remedy(self, finding: Finding, consumer: Any) -> None:
        reading = finding.reading
        topic, partition = reading.partition
        if finding.remedy is Remedy.CLOSE_GAP and reading.missing is not None:
            log.warning(
                "%s[%d]: offsets %d-%d hold no records (sought back once); counted as done",
                topic,
                partition,
                *reading.missing,
            )
            self._states[topic].processed(partition).close(*reading.missing)
            return
        tp = TP(topic, partition)
        if finding.remedy is Remedy.RELEASE_GAP and await consumer.release_gaps(tp):
            log.warning(
                "%s[%d]: the commit still stops at %d after a seek back: the offsets there "
                "hold no records (transaction markers?); committing over them",
                topic,
                partition,
                finding.offset,
            )
            return
        if reading.missing is not None:
            log.warning(
                "%s[%d]: committed past offsets %d-%d, never processed; seeking back to %d",
                topic,
                partition,
                reading.missing[0],
                reading.missing[1] - 1,
                finding.offset,
            )
        else:
            log.warning(
                "%s[%d]: read up to %s but nothing reached the agent; seeking back to %d",
                topic,
                partition,
                reading.read,
                finding.offset,
            )
        self._health.reseeks.labels(topic, str(partition)).inc()
        await consumer.seek(tp, finding.offset)
