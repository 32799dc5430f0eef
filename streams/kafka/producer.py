"""A PayloadWriter that sends events to the raw topic, batched per partition, and counts what the
broker acknowledged per partition.

The counts are the producer's side of consumer lag: Tansu's end offsets are wrong after a
batched send, so lag is computed against what was produced, not against the broker's end.
"""

import threading
from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaProducer  # type: ignore[import-untyped]
from kafka.errors import KafkaError  # type: ignore[import-untyped]

from convtrack.settings import KafkaCompression
from convtrack.streams.kafka.admin import partition_count
from convtrack.streams.kafka.batching import OutRecord, PartitionBatcher
from convtrack.streams.kafka.connection import KafkaSetupError, client_options, translated
from convtrack.streams.kafka.record import MAX_RECORD_BYTES

# acks=all + idempotence: no loss and no duplicates from retries, and order kept with five
# requests in flight (Tansu hands out producer ids, so this works there too). Our own
# batching makes records big, so the client batches few of them: a short linger suffices.
_PRODUCER_OPTIONS: dict[str, Any] = {
    "acks": "all",
    "enable_idempotence": True,
    "linger_ms": 20,
    "batch_size": 1 << 20,
    "max_request_size": MAX_RECORD_BYTES + (48 << 10),
    "allow_auto_create_topics": False,
    "max_block_ms": 10_000,
}


@dataclass
class ProduceReport:
    """What the broker acknowledged, by partition."""

    records: dict[int, int] = field(default_factory=dict)
    events: dict[int, int] = field(default_factory=dict)
    next_offsets: dict[int, int] = field(default_factory=dict)
    """One past the highest acknowledged offset: what a consumer has committed once it has
    read all of it."""
    failed_records: int = 0

    @property
    def total_records(self) -> int:
        return sum(self.records.values())

    @property
    def total_events(self) -> int:
        return sum(self.events.values())


class KafkaPayloadWriter:
    """Build with `open_kafka_writer`. `close` raises KafkaSetupError if any record was not
    acknowledged; `report` is complete after `flush` or `close`."""

    def __init__(
        self, producer: Any, topic: str, batcher: PartitionBatcher, bootstrap_servers: str
    ) -> None:
        self.topic = topic
        self.report = ProduceReport()
        self._producer = producer
        self._batcher = batcher
        self._bootstrap_servers = bootstrap_servers
        self._lock = threading.Lock()
        self._first_error: BaseException | None = None

    def write(self, payload: bytes) -> None:
        for record in self._batcher.add(payload):
            self._send(record)

    def flush(self) -> None:
        """Send the partly filled batches and wait until the broker has answered for all."""
        for record in self._batcher.drain():
            self._send(record)
        try:
            self._producer.flush()
        except KafkaError as error:
            raise translated(error, self._bootstrap_servers, "producing") from error

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self._producer.close()
        if self._first_error is not None:
            raise KafkaSetupError(
                f"{self.report.failed_records} records to {self.topic} were not acknowledged; "
                f"first error: {self._first_error}"
            )

    def _send(self, record: OutRecord) -> None:
        try:
            future = self._producer.send(
                self.topic,
                value=record.value,
                key=record.key,
                headers=list(record.headers),
                partition=record.partition,
            )
        except KafkaError as error:
            raise translated(error, self._bootstrap_servers, "producing") from error
        # Callbacks run on the client's I/O thread.
        future.add_callback(self._acknowledged, record.events)
        future.add_errback(self._failed)

    def _acknowledged(self, events: int, metadata: Any) -> None:
        partition: int = metadata.partition
        offset: int = metadata.offset
        with self._lock:
            report = self.report
            report.records[partition] = report.records.get(partition, 0) + 1
            report.events[partition] = report.events.get(partition, 0) + events
            report.next_offsets[partition] = max(report.next_offsets.get(partition, 0), offset + 1)

    def _failed(self, error: BaseException) -> None:
        with self._lock:
            self.report.failed_records += 1
            if self._first_error is None:
                self._first_error = error


def open_kafka_writer(
    bootstrap_servers: str,
    topic: str,
    *,
    batch_events: int,
    compression: KafkaCompression = KafkaCompression.GZIP,
) -> KafkaPayloadWriter:
    """A writer for an existing topic; `batch_events=1` sends one event per record."""
    partitions = partition_count(bootstrap_servers, topic)
    if partitions is None:
        raise KafkaSetupError(
            f"topic {topic} does not exist on {bootstrap_servers}; "
            "create it with `convtrack topics create`"
        )
    batcher = PartitionBatcher(partitions, batch_events)
    codec = None if compression is KafkaCompression.NONE else compression.value
    try:
        producer = KafkaProducer(
            **client_options(bootstrap_servers), **_PRODUCER_OPTIONS, compression_type=codec
        )
    except KafkaError as error:
        raise translated(error, bootstrap_servers, "connecting the producer") from error
    except RuntimeError as error:
        # kafka-python's way of saying a codec's library is missing
        raise KafkaSetupError(
            f"CONVTRACK_KAFKA_COMPRESSION={compression.value}: {error}; install it or use gzip"
        ) from error
    return KafkaPayloadWriter(producer, topic, batcher, bootstrap_servers)
