"""The faust tables that hold the worker's saved state, behind the `StateTable` protocol.

Keys name their partition (`codec.key`), and the table sends each to that changelog partition
itself. faust's own choice needs the current event, which `take_events()` batches do not have
(INFRA.md: a table updated inside take() needs use_partitioner=True), and the producer's
partitioner would hash the key to any partition, so the state would be restored to whichever
worker owns that one instead of the worker owning the raw partition it belongs to.
"""

from collections.abc import Iterator
from typing import Any

import faust

from convtrack.streams.worker.codec import partition_of


class PartitionedTable(faust.Table[bytes, bytes]):
    def partition_for_key(self, key: Any) -> int | None:
        return partition_of(key)


class FaustStateTable:
    def __init__(self, table: faust.Table[bytes, bytes]) -> None:
        self._table = table

    def get(self, key: bytes) -> bytes | None:
        value: bytes | None = self._table.get(key)
        return value

    def set(self, key: bytes, value: bytes) -> None:
        self._table[key] = value

    def delete(self, key: bytes) -> None:
        if key in self._table:
            del self._table[key]

    def items_of(self, partition: int) -> Iterator[tuple[bytes, bytes]]:
        prefix = f"{partition}|".encode()
        for key, value in list(self._table.items()):
            if key.startswith(prefix):
                yield key, value


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
