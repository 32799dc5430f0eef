"""The faust tables that hold the worker's saved state, behind the `StateTable` protocol.

Keys name their partition (`codec.key`), and the table sends each to that changelog partition
itself. faust's own choice needs the current event, which `take_events()` batches do not have
(INFRA.md: a table updated inside take() needs use_partitioner=True), and the producer's
partitioner would hash the key to any partition, so the state would be restored to whichever
worker owns that one instead of the worker owning the raw partition it belongs to.

Writes go to the table's store at once and to its changelog when the stage calls `send`, as
record batches handed to the producer whole: faust sends each key on its own, through a buffer,
a topic, sensors and a future apiece, and a batch writes thousands of keys (that was a sixth
of the worker's time on live-like input). faust restores these records like its own, as the
key and value serializers are raw.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import faust
from faust.types import TP

from convtrack.streams.worker.codec import partition_of

Change = tuple[bytes, bytes | None]
"""A key and its new value, None for a deletion (a tombstone on the changelog)."""


class PartitionedTable(faust.Table[bytes, bytes]):
    def partition_for_key(self, key: Any) -> int | None:
        return partition_of(key)


class FaustStateTable:
    def __init__(self, table: faust.Table[bytes, bytes]) -> None:
        self._table = table
        self._unsent: defaultdict[int, list[Change]] = defaultdict(list)
        """Per changelog partition, the changes written since the last `send`, in order."""

    def get(self, key: bytes) -> bytes | None:
        value: bytes | None = self._table.data.get(key)
        return value

    def set(self, key: bytes, value: bytes) -> None:
        self._table.data[key] = value
        self._unsent[partition_of(key)].append((key, value))

    def delete(self, key: bytes) -> None:
        store = self._table.data
        if key in store:
            del store[key]
            self._unsent[partition_of(key)].append((key, None))

    def items_of(self, partition: int) -> Iterator[tuple[bytes, bytes]]:
        prefix = f"{partition}|".encode()
        for key, value in list(self._table.data.items()):
            if key.startswith(prefix):
                yield key, value

    async def send(self) -> None:
        """Returns once the broker has every change written so far, or raises: the stage calls
        it before its records are acknowledged, so a commit never covers state that was lost."""
        unsent, self._unsent = self._unsent, defaultdict(list)
        producer: Any = self._table.app.producer._ensure_producer()  # type: ignore[attr-defined]
        topic = self._table.changelog_topic.get_topic_name()
        deliveries = []
        for partition, changes in unsent.items():
            for batch in record_batches(producer.create_batch, changes):
                delivery = await producer.send_batch(batch, topic, partition=partition)
                deliveries.append((partition, delivery, batch.record_count()))
        for partition, delivery, count in deliveries:
            metadata = await delivery
            # faust's restore of a persistent store starts after this offset (`_on_changelog_sent`)
            self._table.data.set_persisted_offset(TP(topic, partition), metadata.offset + count - 1)


def record_batches(new_batch: Callable[[], Any], changes: list[Change]) -> Iterator[Any]:
    """The changes, in order, as record batches from `new_batch` (the producer's)."""
    batch = new_batch()
    for key, value in changes:
        if batch.append(key=key, value=value, timestamp=None) is None:  # full
            yield batch
            batch = new_batch()
            if batch.append(key=key, value=value, timestamp=None) is None:
                raise ValueError(f"state record {key!r} refused by an empty producer batch")
    if batch.record_count():
        yield batch


def state_table(app: faust.App, name: str, partitions: int) -> FaustStateTable:
    table = PartitionedTable(
        app,
        name=name,
        default=None,
        beacon=app.tables.beacon,
        partitions=partitions,
        key_type=bytes,
        value_type=bytes,
        use_partitioner=True,
    )
    app.tables.add(table)
    return FaustStateTable(table)
