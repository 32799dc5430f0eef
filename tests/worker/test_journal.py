"""A worker killed while a batch's state is on its way to the changelog (some keys saved,
others not) restores to a state from which the rest of the input gives exactly the output of
an uninterrupted run."""

from collections.abc import Iterator
from typing import Any

import pytest

from convtrack.schemas.dead_letter import KafkaPosition
from convtrack.streams.pipeline import Output
from convtrack.streams.worker import journal
from convtrack.streams.worker.records import (
    RawRecord,
    inputs_by_partition,
    next_offsets,
    offsets_by_partition,
)
from convtrack.streams.worker.shards import Shards
from tests.worker.test_state import NOW, batches, latest, new_pipeline

Batch = list[tuple[bytes, KafkaPosition]]


class Changelog:
    """Every write in order, as faust sends them; a table is rebuilt from any prefix."""

    def __init__(self, writes: list[tuple[bytes, bytes | None]] | None = None) -> None:
        self.writes = list(writes or [])
        self.data: dict[bytes, bytes] = {}
        for key, value in self.writes:
            self._put(key, value)

    def get(self, key: bytes) -> bytes | None:
        return self.data.get(key)

    def set(self, key: bytes, value: bytes) -> None:
        self.writes.append((key, value))
        self._put(key, value)

    def delete(self, key: bytes) -> None:
        self.writes.append((key, None))
        self._put(key, None)

    def items_of(self, partition: int) -> Iterator[tuple[bytes, bytes]]:
        prefix = f"{partition}|".encode()
        return iter([(k, v) for k, v in self.data.items() if k.startswith(prefix)])

    def _put(self, key: bytes, value: bytes | None) -> None:
        if value is None:
            self.data.pop(key, None)
        else:
            self.data[key] = value


def deliver(shards: Shards, taken: list[Batch]) -> list[Output]:
    """What the raw stage does with each batch Kafka delivers."""
    outputs: list[Output] = []
    for batch in taken:
        records = [RawRecord(0, position.offset, raw, ()) for raw, position in batch]
        fresh = shards.unprocessed(records)
        floors = next_offsets(fresh)
        output = shards.process(inputs_by_partition("raw", fresh), NOW, floors)
        shards.save(output, offsets_by_partition(fresh))
        outputs += output.values()
    return outputs


@pytest.mark.parametrize("chunk_bytes", [journal.CHUNK_BYTES, 2_000])
@pytest.mark.parametrize("fraction", [0.0, 0.05, 0.1, 0.3, 0.5, 0.9, 1.0])
def test_a_crash_anywhere_in_a_batch_s_writes_loses_and_repeats_nothing(
    fraction: float, chunk_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With small chunks the journal itself takes several records, and the crash can cut it."""
    monkeypatch.setattr(journal, "CHUNK_BYTES", chunk_bytes)
    taken = batches()
    crash_after = len(taken) // 2
    whole = deliver(Shards(new_pipeline), taken)

    changelog = Changelog()
    before = deliver(Shards(new_pipeline, changelog), taken[: crash_after - 1])
    saved = len(changelog.writes)
    before += deliver(Shards(new_pipeline, changelog), taken[crash_after - 1 : crash_after])
    in_flight = len(changelog.writes) - saved
    assert in_flight > 3, "the batch writes several keys"
    # Killed with part of the last batch's writes sent; Kafka delivers again from the last
    # commit, which may be far behind.
    survived = Changelog(changelog.writes[: saved + round(in_flight * fraction)])
    after = deliver(Shards(new_pipeline, survived), taken)

    assert latest(before + after) == latest(whole)
    assert latest_ingest(before + after) == latest_ingest(whole)


def latest_ingest(outputs: list[Output]) -> dict[Any, Any]:
    """Newest ingest counters (duplicates and dead letters included) by (window, part)."""
    windows: dict[Any, Any] = {}
    for output in outputs:
        for snapshot in output.ingest_snapshots:
            slot = snapshot.window, snapshot.part
            if slot not in windows or windows[slot][0] <= snapshot.version:
                windows[slot] = (snapshot.version, snapshot.counters)
    return windows
