"""A batch's state writes to one partition, saved so that a crash never leaves half of them.

A batch touches many keys of its partition (dedup ids, conversations, metric windows), and
their changelog records reach the broker in several produce batches: a worker killed while they
are on their way can leave some of a batch's writes saved and others not, for instance its
event ids saved but not the conversations they belong to, so that the replayed batch would find
its events "duplicate" and never add them. So the writes go first as a journal, then key by
key, then the partition's processed offsets. A record is stored whole or not at all, but a big
batch's journal does not fit in one (brokers take about 1 MB), so it is cut in chunks that each
name the batch (by its processed offsets) and their count. A restore finds either a whole
journal newer than the processed offsets, and applies it again, or a partial one, which means
no key write of that batch had started yet, and ignores it.
"""

import logging
from typing import Protocol

import orjson

from convtrack.streams.worker import codec
from convtrack.streams.worker.codec import JOURNAL

log = logging.getLogger("convtrack.worker")
CHUNK_BYTES = 256 * 1024
"""Well under the 1 MB a broker takes in a record by default, JSON overhead included."""

Writes = dict[bytes, bytes | None]
"""Key -> value, None for a deletion."""


class KeyWriter(Protocol):
    def get(self, key: bytes) -> bytes | None: ...

    def set(self, key: bytes, value: bytes) -> None: ...

    def delete(self, key: bytes) -> None: ...


class BatchWrites:
    """One batch's writes to one partition's keys, held until `commit`; reads see them."""

    def __init__(self, table: KeyWriter, partition: int) -> None:
        self._table = table
        self._partition = partition
        self._writes: Writes = {}

    def get(self, key: bytes) -> bytes | None:
        if key in self._writes:
            return self._writes[key]
        return self._table.get(key)

    def set(self, key: bytes, value: bytes) -> None:
        self._writes[key] = value

    def delete(self, key: bytes) -> None:
        self._writes[key] = None

    def commit(self, processed: bytes) -> None:
        """`processed`: the partition's processed offsets with the batch's (`offsets`)."""
        table, partition = self._table, self._partition
        chunks = _chunks(self._writes)
        stale = _chunk_count(table, partition)
        for index, chunk in enumerate(chunks):
            table.set(_chunk_key(partition, index), _encode(processed, index, len(chunks), chunk))
        for index in range(len(chunks), stale):
            self._writes[_chunk_key(partition, index)] = None
        _apply(table, partition, processed, self._writes)
        self._writes = {}


def repair(table: KeyWriter, partition: int) -> None:
    """Completes the partition's last batch if a crash cut its key writes short; logs what it
    finds, as a restart's first sign of where the last life stopped."""
    first = table.get(_chunk_key(partition, 0))
    if first is None:
        return
    processed, _, count, _ = _decode(first)
    if table.get(codec.processed_key(partition)) == processed:
        return  # the batch completed
    writes: Writes = {}
    for index in range(count):
        value = table.get(_chunk_key(partition, index))
        chunk_processed, _, _, chunk = _decode(value) if value is not None else (None, 0, 0, {})
        if chunk_processed != processed:
            # missing, or a chunk of an older batch: the journal was cut, no key written yet
            log.info("partition %d: last batch's journal cut short, ignored", partition)
            return
        writes.update(chunk)
    log.info("partition %d: last batch's writes cut short, applied again", partition)
    _apply(table, partition, processed, writes)


def _apply(table: KeyWriter, partition: int, processed: bytes, writes: Writes) -> None:
    for key, value in writes.items():
        if value is None:
            table.delete(key)
        else:
            table.set(key, value)
    table.set(codec.processed_key(partition), processed)


def _chunks(writes: Writes) -> list[Writes]:
    chunks: list[Writes] = [{}]
    size = 0
    for key, value in writes.items():
        grows = len(key) + (0 if value is None else len(value))
        if chunks[-1] and size + grows > CHUNK_BYTES:
            chunks.append({})
            size = 0
        chunks[-1][key] = value
        size += grows
    return chunks


def _chunk_count(table: KeyWriter, partition: int) -> int:
    first = table.get(_chunk_key(partition, 0))
    return 0 if first is None else _decode(first)[2]


def _chunk_key(partition: int, index: int) -> bytes:
    return codec.key(partition, JOURNAL, f"{index:06d}")


def _encode(processed: bytes, index: int, count: int, writes: Writes) -> bytes:
    """Keys and values are UTF-8 (JSON and event JSON)."""
    return orjson.dumps(
        {
            "o": processed.decode(),
            "k": index,
            "n": count,
            "w": [[k.decode(), None if v is None else v.decode()] for k, v in writes.items()],
        }
    )


def _decode(value: bytes) -> tuple[bytes, int, int, Writes]:
    document = orjson.loads(value)
    writes: Writes = {k.encode(): None if v is None else v.encode() for k, v in document["w"]}
    return document["o"].encode(), document["k"], document["n"], writes
