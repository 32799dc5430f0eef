"""Batches of Kafka records bounded by count *and* bytes, as faust's `take_events` bounds by
count only.

A batch's fixed costs (a ClickHouse insert per table, a state record per touched key, a
commit) are paid per batch, so one-event records want batches of thousands of records. Batch
records (hundreds of events each) would then make batches of millions of events: the byte
bound keeps those to what memory allows. This is faust's `Stream.take_events` with two
changes: the buffer is full at `max_records` records or `max_bytes` of values, and the time
bound counts from the oldest buffered record (as a producer's linger does), not from the last
batch. Records are acked only after the caller is done with their batch, so a commit never
covers unprocessed records.
"""

import asyncio
from collections.abc import AsyncGenerator
from typing import Any, cast

import faust
from faust.types import EventT
from mode.utils.aiter import aiter

Events = list[EventT[bytes]]


def take_bounded(
    stream: faust.Stream[bytes], max_records: int, max_bytes: int, within: float
) -> AsyncGenerator[Events, None]:
    """Lists of events, each as soon as it holds `max_records` records or `max_bytes` of record
    values, or what arrived within `within` seconds. One record larger than `max_bytes` is a
    batch of its own."""
    batches = _take(_Buffer(stream, max_records, max_bytes), within)
    # as faust's own takes do: the stream closes it on stop, so its acks and processor go too
    stream._active_agens.add(batches)
    return batches


class _Buffer:
    """The stream's processor fills it; `_take` empties it. While the caller works on one
    batch the next one fills (up to the bounds, then the stream waits): at most two batches
    in memory, and a worker behind its input finds its next batch ready."""

    def __init__(self, stream: faust.Stream[bytes], max_records: int, max_bytes: int) -> None:
        self.stream = stream
        self.max_records = max_records
        self.max_bytes = max_bytes
        self.events: Events = []
        self.size = 0
        self.first_at = 0.0
        """When the oldest buffered record arrived (the loop's clock)."""
        self.full = asyncio.Event()
        self.room = asyncio.Event()
        self.room.set()

    async def add(self, value: bytes) -> bytes:
        """The stream's processor: runs for every record, in the stream's own task."""
        stream = self.stream
        try:
            event = stream.current_event
            if event is None:
                raise RuntimeError("take buffer found no current event")
            if not self.events:
                self.first_at = stream.loop.time()
            self.events.append(event)
            self.size += len(value or b"")
            if len(self.events) >= self.max_records or self.size >= self.max_bytes:
                self.full.set()
                self.room.clear()
                # never more than the bounds: hold the stream until this batch is taken
                await stream.wait(self.room)  # type: ignore[arg-type]
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # what faust's own take does: a stream that cannot buffer stops its agent
            stream.log.exception("Error adding to take buffer: %r", exc)
            await stream.crash(exc)
        return value

    def ready(self, within: float) -> bool:
        """Full, or its oldest record has waited `within`."""
        return self.full.is_set() or (bool(self.events) and self.time_left(within) <= 0)

    def time_left(self, within: float) -> float:
        # The window runs from the oldest buffered record, not from the last hand-over: what
        # arrived while the caller worked has waited already.
        if not self.events:
            return within
        return within - (self.stream.loop.time() - self.first_at)

    def hand_over(self) -> Events:
        """The buffered events; a new buffer fills meanwhile (the handed list never changes)."""
        taken, self.events, self.size = self.events, [], 0
        self.full.clear()
        self.room.set()
        return taken

    async def release(self, taken: Events) -> None:
        """Acks the caller's finished batch: a commit may now cover it."""
        for event in taken:
            await self.stream.ack(event)


async def _take(buffer: _Buffer, within: float) -> AsyncGenerator[Events, None]:
    stream = buffer.stream
    acks_before = stream.enable_acks
    # acks are ours: an event is acked once the caller has finished with its batch
    stream.enable_acks = False
    stream.add_processor(buffer.add)
    stream._enable_passive(cast(Any, aiter(stream.channel)))
    try:
        while not stream.should_stop:
            if not buffer.ready(within):
                timeout = buffer.time_left(within)
                await stream.wait_for_stopped(buffer.full, timeout=timeout)  # type: ignore[arg-type]
                continue
            taken = buffer.hand_over()
            try:
                yield taken
            finally:
                await buffer.release(taken)
    finally:
        stream.enable_acks = acks_before
        stream._processors.remove(buffer.add)
