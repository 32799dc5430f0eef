"""From taken Kafka records to pipeline inputs, and from pipeline outputs to the records the
worker sends on. Pure: no faust, no Kafka client, so it is tested alone."""

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from convtrack.schemas.dead_letter import DeadLetterV1, KafkaPosition, SourcePosition
from convtrack.schemas.events.conversation_started_v1 import ConversationStartedV1
from convtrack.schemas.events.conversion_v1 import ConversionV1
from convtrack.streams.kafka.partitioner import partition_for
from convtrack.streams.kafka.record import (
    BATCH_HEADERS,
    RecordHeaders,
    encode_batch,
    split_record,
)
from convtrack.streams.pipeline import Output

Inputs = list[tuple[bytes, SourcePosition]]


class RawRecord(NamedTuple):
    """What the worker keeps of a consumed record."""

    partition: int
    offset: int
    value: bytes
    headers: RecordHeaders


class OutMessage(NamedTuple):
    key: bytes | None
    value: bytes
    partition: int | None
    """None: the producer's partitioner picks by key."""
    headers: tuple[tuple[str, bytes], ...] = ()


def inputs_by_partition(topic: str, records: Iterable[RawRecord]) -> dict[int, Inputs]:
    """Every event of every record, with its exact position (index_in_record for batches), per
    partition in offset order. A record whose value is missing (a tombstone) is one empty
    event, so it is dead-lettered rather than vanishing."""
    grouped: dict[int, Inputs] = {}
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        events = split_record(record.value or b"", record.headers)
        target = grouped.setdefault(record.partition, [])
        for index, raw in enumerate(events):
            position = KafkaPosition(
                topic=topic, partition=record.partition, offset=record.offset, index_in_record=index
            )
            target.append((raw, position))
    return grouped


def next_offsets(records: Sequence[RawRecord]) -> dict[int, int]:
    """Per partition, one past the highest offset taken."""
    ends: dict[int, int] = {}
    for record in records:
        ends[record.partition] = max(ends.get(record.partition, 0), record.offset + 1)
    return ends


def dead_letter_messages(letters: Iterable[DeadLetterV1]) -> list[OutMessage]:
    """Dead letters as JSON on the partition their input came from (a replayed one goes back
    to its conversation's partition), keyed by their deterministic id."""
    return [
        OutMessage(
            letter.dead_letter_id.encode(),
            letter.model_dump_json().encode(),
            getattr(letter.source, "partition", None),
        )
        for letter in letters
    ]


def trust_messages(output: Output, partitions: int) -> list[OutMessage]:
    """The valid events durable trust needs, keyed by (tenant, pseudonymous user): a user's
    conversations are spread over raw partitions, the trust agent needs them together. One
    batch record per trust partition (docs/record-format.md), as faust's cost is per record."""
    by_partition: dict[int, list[bytes]] = {}
    for valid in output.events:
        event = valid.event
        if isinstance(event, ConversionV1 | ConversationStartedV1):
            key = f"{event.tenant_id}\x1f{event.user_id}".encode()
            by_partition.setdefault(partition_for(key, partitions), []).append(
                event.model_dump_json().encode()
            )
    return [
        OutMessage(None, encode_batch(events), partition, BATCH_HEADERS)
        for partition, events in sorted(by_partition.items())
    ]
