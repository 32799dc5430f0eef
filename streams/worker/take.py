"""Batches of Kafka records bounded by count *and* bytes, as faust's `take_events` bounds by
count only.

A batch's fixed costs (a ClickHouse insert per table, a state record per touched key, a
commit) are paid per batch, so one-event records want batches of thousands of records. Batch
records (hundreds of events each) would then make batches of millions of events: the byte
bound keeps those to what memory allows. This is faust's `Stream.take_events` with that one
change: the buffer is full at `max_records` records or `max_bytes` of values. Records are acked
only after the caller is done with their batch, so a commit never covers unprocessed records.
"""

import asyncio
from collections.abc import AsyncGenerator
from typing import Any, cast

import faust
from faust.types import EventT
from mode.utils.aiter import aiter
from mode.utils.futures import notify

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
    """The stream's processor fills it; `_take` empties it."""

    def __init__(self, stream: faust.Stream[bytes], max_records: int, max_bytes: int) -> None:
        self.stream = stream
        self.max_records = max_records
        self.max_bytes = max_bytes
        self.events: Events = []
        self.size = 0
        self.full = asyncio.Event()
        self.consumed = asyncio.Event()
        self.consuming: asyncio.Future[None] | None = None

    async def add(self, value: bytes) -> bytes:
        """The stream's processor: runs for every record, in the stream's own task."""
        stream = self.stream
        try:
            # the caller is reading the buffer: wait until it is handed back empty
            if self.consuming is not None:
                try:
                    await self.consuming
                finally:
                    self.consuming = None
            event = stream.current_event
            if event is None:
                raise RuntimeError("take buffer found no current event")
            self.events.append(event)
            self.size += len(value or b"")
            if len(self.events) >= self.max_records or self.size >= self.max_bytes:
                self.full.set()
                self.consumed.clear()
                # never more than the bounds: hold the stream until the batch is taken
                await stream.wait(self.consumed)  # type: ignore[arg-type]
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # what faust's own take does: a stream that cannot buffer stops its agent
            stream.log.exception("Error adding to take buffer: %r", exc)
            await stream.crash(exc)
        return value

    def hand_over(self) -> Events:
        """The buffered events, and the buffer closed until `release`."""
        self.consuming = self.stream.loop.create_future()
        taken, self.events, self.size = self.events, [], 0
        return taken

    async def release(self, taken: Events) -> None:
        """Acks the caller's batch (a commit may now cover it) and reopens the buffer."""
        for event in taken:
            await self.stream.ack(event)
        notify(self.consuming)
        self.full.clear()
        self.consumed.set()


async def _take(buffer: _Buffer, within: float) -> AsyncGenerator[Events, None]:
    stream = buffer.stream
    acks_before = stream.enable_acks
    # acks are ours: an event is acked once the caller has finished with its batch
    stream.enable_acks = False
    stream.add_processor(buffer.add)
    stream._enable_passive(cast(Any, aiter(stream.channel)))
    try:
        while not stream.should_stop:
            await stream.wait_for_stopped(buffer.full, timeout=within)  # type: ignore[arg-type]
            if not buffer.events:
                continue
            taken = buffer.hand_over()
            try:
                yield taken
            finally:
                await buffer.release(taken)
    finally:
        stream.enable_acks = acks_before
        stream._processors.remove(buffer.add)
