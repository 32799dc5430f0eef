"""The watchdog's faust side: which partitions the agents hold, what faust's consumer read and
committed, and the seeks. Reads faust's consumer bookkeeping, which has no public accessor."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

import faust
from aiokafka.errors import ConsumerStoppedError, KafkaError  # type: ignore[import-untyped]
from faust.exceptions import ConsumerNotStarted
from faust.types import TP

from convtrack.streams.worker.health import WorkerHealth
from convtrack.streams.worker.offsets import ProcessedOffsets
from convtrack.streams.worker.records import RawRecord
from convtrack.streams.worker.watchdog import Finding, PartitionReading, Remedy, StallDetector

log = logging.getLogger("convtrack.worker")
CHECK_SECONDS = 1.0
STALL_SECONDS = 6.0
"""Commits come every second while a partition moves: six without one is a stall."""
ENDS_EVERY_SECONDS = 5.0
"""How often the broker is asked where each partition's log ends (one request per broker)."""
_ENDS_TIMEOUT_SECONDS = 5.0


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
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`states`: per topic, the stage whose saved state says which offsets it holds.
        `restored`: whether faust has finished restoring the tables; until then nothing is
        checked, as reading a stage's state would build it from part of its changelog."""
        self._app = app
        self._health = health
        self._topics = topics
        self._states = states
        self._restored = restored
        self._clock = clock
        self._detector = StallDetector(STALL_SECONDS)
        self._in_hand: set[tuple[str, int]] = set()
        """The partitions of the batches the agents are handling now."""
        self._ends: dict[TP, int] = {}
        self._ends_asked: float | None = None

    @property
    def ends(self) -> Mapping[TP, int]:
        """Per assigned partition, where its log ended when the broker was last asked."""
        return self._ends

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
        assigned = [tp for tp in self._app.assignor.assigned_actives() if tp.topic in self._topics]
        await self._ask_ends(consumer, assigned)
        readings = [self._reading(tp, consumer) for tp in assigned]
        for finding in self._detector.check(readings, self._clock()):
            await self._remedy(finding, consumer)

    async def _ask_ends(self, consumer: Any, assigned: list[TP]) -> None:
        """Fetches report a partition's end only once they return its records, so a partition
        that is never fetched would look caught up: its lag and the idle sign need the broker's
        own answer."""
        owned = set(assigned)
        self._ends = {tp: end for tp, end in self._ends.items() if tp in owned}
        now = self._clock()
        if not assigned or (
            self._ends_asked is not None and now - self._ends_asked < ENDS_EVERY_SECONDS
        ):
            return
        self._ends_asked = now
        try:
            ends = await asyncio.wait_for(consumer.highwaters(*assigned), _ENDS_TIMEOUT_SECONDS)
        except (KafkaError, ConsumerNotStarted, ConsumerStoppedError, TimeoutError) as error:
            # a rebalance, a broker away, the worker stopping: the next ask or the fetches tell
            log.debug("log end offsets not available: %r", error)
            return
        self._ends = {tp: end for tp, end in ends.items() if tp in owned}

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
            self._ends.get(tp),
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
        if finding.remedy is Remedy.RESUME:
            log.warning(
                "%s[%d]: records wait past offset %d (the log ends at %s) but none was read "
                "for %.0f s (faust had the partition %s); fetching it again from %d",
                topic,
                partition,
                finding.offset,
                reading.end,
                STALL_SECONDS,
                _fetch_state(consumer, tp),
                finding.offset,
            )
            _make_active(consumer, tp)
        elif finding.remedy is Remedy.RELEASE_GAP and await consumer.release_gaps(tp):
            log.warning(
                "%s[%d]: the commit still stops at %d after a seek back: the offsets there "
                "hold no records (transaction markers?); committing over them",
                topic,
                partition,
                finding.offset,
            )
            return
        elif reading.missing is not None:
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


def _fetch_state(consumer: Any, tp: TP) -> str:
    if tp in consumer._paused_partitions:
        return "paused"
    if tp in consumer._buffered_partitions:
        return "held back for a full stream buffer"
    if tp not in consumer._get_active_partitions():
        return "out of its active set"
    return "active"


def _make_active(consumer: Any, tp: TP) -> None:
    """faust fetches only the partitions in its active set; the tables are restored by now
    (checks wait for that), so nothing should hold one of the agents' partitions back."""
    consumer._buffered_partitions.discard(tp)
    consumer.resume_partitions([tp])
