"""From taken Kafka records to pipeline inputs, and from pipeline outputs to the records the
worker sends on. Pure: no faust, no Kafka client, so it is tested alone."""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from convtrack.schemas.dead_letter import DeadLetter, KafkaPosition, SourcePosition
from convtrack.schemas.events.conversation_started_v1 import ConversationStartedV1
from convtrack.schemas.events.conversion_v1 import ConversionV1
from convtrack.streams.alerts.judge import MetricReport
from convtrack.streams.kafka.partitioner import partition_for
from convtrack.streams.kafka.record import (
    BATCH_HEADERS,
    MAX_BATCH_EVENTS,
    MAX_RECORD_BYTES,
    RecordHeaders,
    encode_batch,
    split_record,
)
from convtrack.streams.pipeline import Output
from convtrack.streams.worker.alert_codec import encode_reports

Inputs = list[tuple[bytes, SourcePosition]]
METRICS_PARTITION = 0
"""The metrics topic's one partition: the alert judge needs every shard's report in one order."""
SNAPSHOTS_PER_RECORD = 1_000
"""About 0.5 MB of JSON: under the 1 MB a Kafka record may have by default."""


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


Held = Callable[[int, int], bool]
"""Whether the saved state holds (partition, offset)."""


def fresh_records(records: Iterable[RawRecord], held: Held) -> list[RawRecord]:
    """The records the saved state does not hold, each once: a seek back can deliver again a
    record the batch already holds."""
    fresh: dict[tuple[int, int], RawRecord] = {}
    for record in records:
        if not held(record.partition, record.offset):
            fresh.setdefault((record.partition, record.offset), record)
    return list(fresh.values())


def next_offsets(records: Sequence[RawRecord]) -> dict[int, int]:
    """Per partition, one past the highest offset taken."""
    ends: dict[int, int] = {}
    for record in records:
        ends[record.partition] = max(ends.get(record.partition, 0), record.offset + 1)
    return ends


def offsets_by_partition(records: Sequence[RawRecord]) -> dict[int, list[int]]:
    by_partition: dict[int, list[int]] = {}
    for record in records:
        by_partition.setdefault(record.partition, []).append(record.offset)
    return by_partition


def dead_letter_messages(letters: Iterable[DeadLetter]) -> list[OutMessage]:
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
    conversations are spread over raw partitions, the trust agent needs them together. As few
    batch records per trust partition as the record limits allow (docs/record-format.md), as
    faust's cost is per record."""
    by_partition: dict[int, list[bytes]] = {}
    for valid in output.events:
        event = valid.event
        if isinstance(event, ConversionV1 | ConversationStartedV1):
            key = f"{event.tenant_id}\x1f{event.user_id}".encode()
            by_partition.setdefault(partition_for(key, partitions), []).append(
                event.model_dump_json().encode()
            )
    return [
        OutMessage(None, encode_batch(piece), partition, BATCH_HEADERS)
        for partition, events in sorted(by_partition.items())
        for piece in within_record_limits(events)
    ]


def within_record_limits(events: Sequence[bytes]) -> list[list[bytes]]:
    """Consecutive pieces of `events`, each within a batch record's size and count limits."""
    pieces: list[list[bytes]] = [[]]
    size = 0
    for event in events:
        grows = len(event) + 1
        if pieces[-1] and (size + grows > MAX_RECORD_BYTES or len(pieces[-1]) >= MAX_BATCH_EVENTS):
            pieces.append([])
            size = 0
        pieces[-1].append(event)
        size += grows
    return pieces


def metric_messages(
    outputs: dict[int, Output],
    clocks: dict[int, datetime | None],
    per_record: int = SNAPSHOTS_PER_RECORD,
) -> list[OutMessage]:
    """Each partition's `Output.reports` of a batch, for the alert judge, in as few records as
    fit. A report too big for one record is split; only its last piece carries the clock, so
    the judge never sees the clock before the snapshots."""
    pieces: list[MetricReport] = []
    for partition, output in sorted(outputs.items()):
        for report in output.reports(partition, clocks.get(partition)):
            surfaces, ingest = report.surfaces, report.ingest
            while len(surfaces) + len(ingest) > per_record:
                taken = min(len(surfaces), per_record)
                rest = per_record - taken
                pieces.append(MetricReport(partition, None, surfaces[:taken], ingest[:rest]))
                surfaces, ingest = surfaces[taken:], ingest[rest:]
            pieces.append(report._replace(surfaces=surfaces, ingest=ingest))
    records: list[list[MetricReport]] = []
    size = 0
    for piece in pieces:
        count = len(piece.surfaces) + len(piece.ingest)
        if not records or size + count > per_record:
            records.append([])
            size = 0
        records[-1].append(piece)
        size += count
    return [OutMessage(None, encode_reports(r), METRICS_PARTITION) for r in records]
