"""Kafka plumbing shared by producers and the worker: the record format of the raw topic
(one event, or an NDJSON batch bound to one partition), the partitioner, the batching producer
and topic administration. See docs/record-format.md.
"""

from convtrack.streams.kafka.admin import (
    TopicMismatchError,
    TopicSpec,
    TopicState,
    ensure_topics,
    list_topics,
    partition_count,
    topic_specs,
)
from convtrack.streams.kafka.batching import OutRecord, PartitionBatcher
from convtrack.streams.kafka.connection import KafkaSetupError, client_options
from convtrack.streams.kafka.partitioner import (
    conversation_key,
    partition_for,
    partition_for_payload,
)
from convtrack.streams.kafka.producer import KafkaPayloadWriter, ProduceReport, open_kafka_writer
from convtrack.streams.kafka.record import (
    BATCH_HEADERS,
    DEFAULT_BATCH_EVENTS,
    MAX_BATCH_EVENTS,
    MAX_RECORD_BYTES,
    RecordHeaders,
    encode_batch,
    is_batch,
    split_record,
)

__all__ = [
    "BATCH_HEADERS",
    "DEFAULT_BATCH_EVENTS",
    "MAX_BATCH_EVENTS",
    "MAX_RECORD_BYTES",
    "KafkaPayloadWriter",
    "KafkaSetupError",
    "OutRecord",
    "PartitionBatcher",
    "ProduceReport",
    "RecordHeaders",
    "TopicMismatchError",
    "TopicSpec",
    "TopicState",
    "client_options",
    "conversation_key",
    "encode_batch",
    "ensure_topics",
    "is_batch",
    "list_topics",
    "open_kafka_writer",
    "partition_count",
    "partition_for",
    "partition_for_payload",
    "split_record",
    "topic_specs",
]
