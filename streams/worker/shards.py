"""The raw partitions one worker owns, each with its own pipeline core (shard = partition).

A partition is one ordered input, which is what a `Pipeline` serves: its watermark, its dedup
horizon and its metric partials (keyed by shard, DESIGN.md trap 1) are per partition. Pipelines
come and go with the partition assignment; a new one starts from the partition's saved state.
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from convtrack.streams.attribute import ConversationKey, ConversationState
from convtrack.streams.pipeline import Output, Pipeline
from convtrack.streams.worker.offsets import ProcessedOffsets
from convtrack.streams.worker.records import Inputs, RawRecord, fresh_records
from convtrack.streams.worker.state import RawState, StateTable

Loader = Callable[[ConversationKey], ConversationState | None]
PipelineFactory = Callable[[int, Loader | None], Pipeline]
"""Builds the pipeline of a partition, its conversations loaded from saved state if any."""


class Shards:
    def __init__(self, new_pipeline: PipelineFactory, table: StateTable | None = None) -> None:
        """Without a table nothing is saved: a restart starts from nothing (tests, benches)."""
        self._new_pipeline = new_pipeline
        self._table = table
        self._open: dict[int, tuple[Pipeline, RawState | None]] = {}
        self._processed: dict[int, ProcessedOffsets] = {}
        """Per open partition, the offsets its pipeline processed."""

    def __contains__(self, partition: int) -> bool:
        return partition in self._open

    def pipeline(self, partition: int) -> Pipeline:
        return self._shard(partition)[0]

    def process(
        self, inputs: dict[int, Inputs], received_at: datetime, floors: dict[int, int]
    ) -> dict[int, Output]:
        """Each partition's inputs through its pipeline; `floors` (one past each partition's
        last offset taken) version the metric snapshots, see `Pipeline.process`. Reads saved
        state, never writes it: it runs off the event loop."""
        return {
            partition: self.pipeline(partition).process(
                batch, received_at, version_floor=floors[partition]
            )
            for partition, batch in sorted(inputs.items())
        }

    def unprocessed(self, records: Sequence[RawRecord]) -> list[RawRecord]:
        """Without the records the saved state already holds (delivered again after a crash
        before the commit, or after a seek back), each once (see `fresh_records`)."""
        for partition in {r.partition for r in records}:
            self._shard(partition)
        return fresh_records(records, lambda partition, at: at in self._processed[partition])

    def processed(self, partition: int) -> ProcessedOffsets:
        """The partition's processed offsets (restoring its state if it is not open yet)."""
        self._shard(partition)
        return self._processed[partition]

    def save(self, outputs: dict[int, Output], offsets: dict[int, list[int]]) -> None:
        """On the event loop: writing a table key sends its changelog record. `offsets`: per
        partition, those of the records processed."""
        for partition, output in outputs.items():
            pipeline, state = self._shard(partition)
            if state is not None:
                state.save(pipeline, output, offsets[partition])
            else:
                self._processed[partition].add(offsets[partition])

    def conversations(self) -> dict[int, tuple[int, int]]:
        """Per open partition, its live conversations: (packed, unpacked)."""
        counts = {}
        for partition, (pipeline, _) in sorted(self._open.items()):
            attributor = pipeline.attributor
            counts[partition] = (len(attributor) - attributor.unpacked, attributor.unpacked)
        return counts

    def keep_only(self, partitions: set[int]) -> None:
        """Forget revoked partitions: whoever owns them next resumes from the saved state, and
        so must we if they come back."""
        self.drop([p for p in self._open if p not in partitions])

    def drop(self, partitions: Iterable[int]) -> None:
        for partition in partitions:
            self._open.pop(partition, None)
            self._processed.pop(partition, None)

    def _shard(self, partition: int) -> tuple[Pipeline, RawState | None]:
        shard = self._open.get(partition)
        if shard is None:
            state = None if self._table is None else RawState(partition, self._table)
            pipeline = self._new_pipeline(partition, None if state is None else state.load)
            if state is not None:
                state.restore(pipeline)
            self._processed[partition] = ProcessedOffsets() if state is None else state.processed
            shard = self._open[partition] = (pipeline, state)
        return shard
