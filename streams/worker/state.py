"""Saving each partition's state after a batch, and restoring it when a partition is (re)assigned.

What is saved, each table key written at most once per batch:
- validator: one chunk per batch of the event ids it accepted (by hour) and its watermark;
  chunks whose hours fell behind the lateness horizon are deleted;
- attribution: per conversation its state in the portable form (with its fact revision),
  restored only when the conversation is next touched (`rebuild`), so new fact versions stay
  above the stored ones and nothing is emitted again;
- metrics: per window and part the latest (version, counters), so a restarted aggregator goes
  on adding to the stored figures instead of overwriting them with partial counts;
- the offsets of the records processed: records Kafka delivers again (after a crash before
  the commit, or a seek back) are skipped instead of being counted a second time as
  duplicates (see `offsets`). A batch's writes are saved whole or not at all (`journal`).
"""

import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol
from uuid import UUID

from convtrack.schemas.registry import REGISTRY
from convtrack.streams.attribute import ConversationKey, ConversationState, portable
from convtrack.streams.attribute.records import record_of
from convtrack.streams.metrics import MetricsAggregator
from convtrack.streams.metrics.aggregator import IngestWindow
from convtrack.streams.metrics.contributions import SurfaceWindow
from convtrack.streams.pipeline import Output, Pipeline
from convtrack.streams.validate.dedup import hour_of
from convtrack.streams.worker import codec
from convtrack.streams.worker.codec import (
    CONVERSATION,
    DEDUP,
    INGEST,
    PROCESSED,
    SURFACE,
    DedupChunk,
)
from convtrack.streams.worker.journal import BatchWrites, KeyWriter, repair
from convtrack.streams.worker.offsets import ProcessedOffsets

log = logging.getLogger("convtrack.worker")
DEDUP_CHUNK_IDS = 5_000
"""Ids per saved chunk (~170 KB): a batch of many big records accepts far more ids than one
changelog record can carry (a broker takes about 1 MB)."""


class StateTable(KeyWriter, Protocol):
    def items_of(self, partition: int) -> Iterator[tuple[bytes, bytes]]: ...


def rebuild(key: ConversationKey, value: bytes) -> ConversationState | None:
    """A conversation's saved state: portable JSON, or, as workers before it saved, its
    validated events (replayed through `touch` and `add`) after its revision."""
    if portable.is_portable(value):
        return portable.decode(key, value)
    revision, events = codec.decode_conversation(value)
    parsed = [REGISTRY.adapter.validate_json(event) for event in events]
    if not parsed:
        return None
    first = parsed[0]
    state = ConversationState(*key, first.user_id, first.occurred_at)
    for event in parsed:
        state.touch(event.occurred_at, event.surface, event.surface_id, event.user_id)
        record = record_of(event)
        if record is not None:
            state.add(record)
    state.revision = revision
    return state


def conversation_key(partition: int, key: ConversationKey) -> bytes:
    return codec.key(partition, CONVERSATION, *key)


@dataclass(slots=True)
class WindowKeys:
    """Which windows of one aggregator are saved, so closed ones can be deleted.

    Kept by slot, the key beside it: a batch compares the open slots with the saved ones and
    encodes only the keys it writes, not one per window the lateness keeps open."""

    surfaces: dict[tuple[SurfaceWindow, int], bytes] = field(default_factory=dict)
    ingests: dict[tuple[IngestWindow, int], bytes] = field(default_factory=dict)

    def restore(
        self, metrics: MetricsAggregator, partition: int, kind: str, parts: list[str], value: bytes
    ) -> None:
        if kind == SURFACE:
            window, part = codec.surface_window(parts)
            version, tally = codec.decode_surface(value)
            metrics.restore_surface(window, part, version, tally)
            self.surfaces[(window, part)] = codec.surface_key(partition, window, part)
        else:
            ingest, part = codec.ingest_window(parts)
            ingest_version, counters = codec.decode_ingest(value)
            metrics.restore_ingest(ingest, part, ingest_version, counters)
            self.ingests[(ingest, part)] = codec.ingest_key(partition, ingest, part)

    def save(
        self, table: KeyWriter, metrics: MetricsAggregator, partition: int, output: Output
    ) -> None:
        for surface in output.surface_snapshots:
            slot = (surface.window, surface.part)
            window_key = self.surfaces.get(slot) or codec.surface_key(partition, *slot)
            table.set(window_key, codec.encode_surface(surface.version, surface.counters))
            self.surfaces[slot] = window_key
        for ingest in output.ingest_snapshots:
            ingest_slot = (ingest.window, ingest.part)
            window_key = self.ingests.get(ingest_slot) or codec.ingest_key(partition, *ingest_slot)
            table.set(window_key, codec.encode_ingest(ingest.version, ingest.counters))
            self.ingests[ingest_slot] = window_key
        open_surfaces, open_ingests = metrics.open_slots()
        for closed in self.surfaces.keys() - open_surfaces:
            table.delete(self.surfaces.pop(closed))
        for closed_ingest in self.ingests.keys() - open_ingests:
            table.delete(self.ingests.pop(closed_ingest))


class RawState:
    """The saved state of one raw partition."""

    def __init__(self, partition: int, table: StateTable) -> None:
        self.partition = partition
        self.table = table
        self._next_chunk = 0
        self._chunk_hours: dict[int, int] = {}
        """Chunk number -> the newest hour it holds ids of."""
        self._windows = WindowKeys()
        self.processed = ProcessedOffsets()
        """The offsets whose records the saved state holds."""

    def load(self, key: ConversationKey) -> ConversationState | None:
        value = self.table.get(conversation_key(self.partition, key))
        return None if value is None else rebuild(key, value)

    def restore(self, pipeline: Pipeline) -> None:
        """Everything but conversations (those come back through `load`, when touched)."""
        repair(self.table, self.partition)
        validator, watermark, housekept_at = pipeline.validator, None, None
        for raw_key, value in self.table.items_of(self.partition):
            _, kind, parts = codec.split_key(raw_key)
            if kind == DEDUP:
                chunk = codec.decode_dedup(value)
                number = int(parts[0])
                self._next_chunk = max(self._next_chunk, number + 1)
                self._chunk_hours[number] = max(chunk.ids, default=0)
                for hour, ids in chunk.ids.items():
                    at = codec.from_micros(hour * 3_600_000_000)
                    for event_id in ids:
                        validator.dedup.remember(event_id, at)
                if chunk.watermark is not None and (
                    watermark is None or chunk.watermark > watermark
                ):
                    watermark, housekept_at = chunk.watermark, chunk.housekept_at
            elif kind in (SURFACE, INGEST):
                self._windows.restore(pipeline.metrics, self.partition, kind, parts, value)
            elif kind == PROCESSED:
                self.processed = ProcessedOffsets.decode(value)
        log.info("partition %d restored: %s", self.partition, self.processed)
        if watermark is not None:
            validator.watermark = watermark
            validator.dedup.forget_before(watermark - validator.config.lateness)
            pipeline.resume_housekeeping(housekept_at or watermark)

    def save(self, pipeline: Pipeline, output: Output, offsets: list[int]) -> None:
        """`offsets`: those of the records the batch processed."""
        writes = BatchWrites(self.table, self.partition)
        self._save_dedup(writes, pipeline, output)
        attributor = pipeline.attributor
        touched = dict.fromkeys((v.event.tenant_id, v.event.conversation_id) for v in output.events)
        for key in touched:
            conversation = attributor.state(*key)
            if conversation is None:  # expired within this very batch
                continue
            writes.set(conversation_key(self.partition, key), portable.encode(conversation))
        for key in output.evicted:
            writes.delete(conversation_key(self.partition, key))
        self._windows.save(writes, pipeline.metrics, self.partition, output)
        self.processed.add(offsets)
        writes.commit(self.processed.encode())

    def _save_dedup(self, writes: KeyWriter, pipeline: Pipeline, output: Output) -> None:
        watermark = pipeline.validator.watermark
        events = output.events
        for start in range(0, len(events), DEDUP_CHUNK_IDS):
            ids: dict[int, list[UUID]] = defaultdict(list)
            for valid in events[start : start + DEDUP_CHUNK_IDS]:
                ids[hour_of(valid.event.occurred_at)].append(valid.event.event_id)
            number = self._next_chunk
            self._next_chunk += 1
            chunk_key = codec.key(self.partition, DEDUP, f"{number:012d}")
            chunk = DedupChunk(watermark, dict(ids), pipeline.housekept_at)
            writes.set(chunk_key, codec.encode_dedup(chunk))
            self._chunk_hours[number] = max(ids)
        if watermark is not None:
            cutoff = hour_of(watermark - pipeline.validator.config.lateness)
            # The newest chunk always stays: it carries the watermark.
            newest = max(self._chunk_hours, default=None)
            for number in [n for n, h in self._chunk_hours.items() if h < cutoff and n != newest]:
                writes.delete(codec.key(self.partition, DEDUP, f"{number:012d}"))
                del self._chunk_hours[number]
