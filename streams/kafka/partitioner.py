"""Which partition an event belongs to: the Java client's default for keyed records (murmur2 of
the key, made positive, modulo the partition count), so a third-party producer sending one
event per record keyed by conversation_id and convtrack's batching producer agree."""

import orjson
from kafka.partitioner.default import murmur2  # type: ignore[import-untyped]


def partition_for(key: bytes, partitions: int) -> int:
    """The partition the Java, kafka-python and aiokafka default partitioners pick for `key`."""
    if partitions < 1:
        raise ValueError(f"a topic has at least one partition, not {partitions}")
    hashed: int = murmur2(key)
    return (hashed & 0x7FFFFFFF) % partitions


def conversation_key(payload: bytes) -> bytes | None:
    """The record key of an event: its conversation_id as UTF-8, or None when the payload is
    not a JSON object with a string conversation_id (a broken event has no order to keep)."""
    try:
        document = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(document, dict):
        return None
    conversation_id = document.get("conversation_id")
    return conversation_id.encode() if isinstance(conversation_id, str) else None


def partition_for_payload(payload: bytes, partitions: int) -> tuple[bytes | None, int]:
    """(key, partition) for one event. A keyless payload is spread by a hash of its bytes rather
    than at random, so the same input always lands on the same partitions."""
    key = conversation_key(payload)
    return key, partition_for(payload if key is None else key, partitions)
