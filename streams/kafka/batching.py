"""Grouping events into records bound to one partition: pure, no Kafka, so it is tested alone.

Events of one partition leave in the order they came in (a conversation is always on one
partition, so its order holds); events of different partitions never share a record.
"""

from dataclasses import dataclass

from convtrack.streams.kafka.partitioner import partition_for_payload
from convtrack.streams.kafka.record import (
    BATCH_HEADERS,
    MAX_BATCH_EVENTS,
    MAX_RECORD_BYTES,
    encode_batch,
    fits_in_batch,
)


@dataclass(frozen=True, slots=True)
class OutRecord:
    partition: int
    key: bytes | None
    """A batch's key is its first keyed event's: it hashes to the same partition."""
    value: bytes
    headers: tuple[tuple[str, bytes], ...]
    events: int


@dataclass(slots=True)
class _Pending:
    events: list[bytes]
    key: bytes | None = None
    size: int = 0


class PartitionBatcher:
    """Feed events with `add`; send what it returns, then what `drain` returns at the end.

    With `max_events=1` every event is its own record without headers: exactly what a
    third-party producer sends.
    """

    def __init__(self, partitions: int, max_events: int, max_bytes: int = MAX_RECORD_BYTES) -> None:
        if not 1 <= max_events <= MAX_BATCH_EVENTS:
            raise ValueError(f"events per record must be 1..{MAX_BATCH_EVENTS}, not {max_events}")
        if not 1 <= max_bytes <= MAX_RECORD_BYTES:
            raise ValueError(f"bytes per record must be 1..{MAX_RECORD_BYTES}, not {max_bytes}")
        self.partitions = partitions
        self.max_events = max_events
        self.max_bytes = max_bytes
        self._pending: dict[int, _Pending] = {}

    def add(self, event: bytes) -> list[OutRecord]:
        """The records completed by this event (none, one or two), in send order."""
        key, partition = partition_for_payload(event, self.partitions)
        if self.max_events == 1 or not fits_in_batch(event) or len(event) + 1 > self.max_bytes:
            single = OutRecord(partition, key, event, (), 1)
            return [*self._take(partition), single]
        done = []
        pending = self._pending.get(partition)
        # +1: the newline that ends it
        if pending is not None and pending.size + 1 + len(event) > self.max_bytes:
            done = self._take(partition)
            pending = None
        if pending is None:
            pending = self._pending[partition] = _Pending([], key)
        pending.events.append(event)
        pending.size += 1 + len(event)
        if pending.key is None:
            pending.key = key
        if len(pending.events) >= self.max_events:
            done += self._take(partition)
        return done

    def drain(self) -> list[OutRecord]:
        """Every partly filled record, by partition."""
        return [record for partition in sorted(self._pending) for record in self._take(partition)]

    def _take(self, partition: int) -> list[OutRecord]:
        pending = self._pending.pop(partition, None)
        if pending is None:
            return []
        value = encode_batch(pending.events)
        return [OutRecord(partition, pending.key, value, BATCH_HEADERS, len(pending.events))]
