from typing import Any

import orjson
import pytest
from aiokafka.partitioner import (  # type: ignore[import-untyped]
    DefaultPartitioner as AiokafkaPartitioner,
)
from hypothesis import given
from hypothesis import strategies as st
from kafka.partitioner.default import (  # type: ignore[import-untyped]
    DefaultPartitioner as KafkaPythonPartitioner,
)

from convtrack.streams.kafka.partitioner import (
    conversation_key,
    partition_for,
    partition_for_payload,
)

# Kafka's own test vectors for the Java client's murmur2 (UtilsTest.testMurmur2).
_JAVA_MURMUR2 = {
    b"21": -973932308,
    b"foobar": -790332482,
    b"a-little-bit-long-string": -985981536,
    b"a-little-bit-longer-string": -1486304829,
    b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
    b"abc": 479470107,
}


class _Cluster:
    """The part of kafka-python's ClusterMetadata its partitioner reads."""

    def __init__(self, partitions: int) -> None:
        self._partitions = set(range(partitions))

    def topics(self) -> set[str]:
        return {"raw"}

    def partitions_for_topic(self, topic: str) -> set[int]:
        return self._partitions

    def available_partitions_for_topic(self, topic: str) -> set[int]:
        return self._partitions


@pytest.mark.parametrize(("key", "java_hash"), _JAVA_MURMUR2.items())
def test_keys_map_as_in_the_java_client(key: bytes, java_hash: int) -> None:
    for partitions in (1, 3, 4, 12, 1000):
        # Java: Utils.toPositive(murmur2(key)) % numPartitions
        assert partition_for(key, partitions) == (java_hash & 0x7FFFFFFF) % partitions


@given(st.binary(max_size=80), st.integers(min_value=1, max_value=256))
def test_keys_map_as_in_kafka_python_and_aiokafka(key: bytes, partitions: int) -> None:
    expected = partition_for(key, partitions)
    cluster: Any = _Cluster(partitions)
    assert KafkaPythonPartitioner().partition("raw", key, key, None, None, cluster) == expected
    everything = list(range(partitions))
    assert AiokafkaPartitioner()(key, everything, everything) == expected


def test_a_topic_has_at_least_one_partition() -> None:
    with pytest.raises(ValueError, match="at least one partition"):
        partition_for(b"k", 0)


def test_the_key_is_the_conversation_id() -> None:
    payload = orjson.dumps({"event_type": "exposure", "conversation_id": "conv-ü-1"})
    assert conversation_key(payload) == "conv-ü-1".encode()


@pytest.mark.parametrize(
    "payload",
    [
        b'{"conversation_id": "c1", "trunc',
        b'[{"conversation_id": "c1"}]',
        b'{"conversation_id": 17}',
        b'{"event_type": "exposure"}',
        b"",
    ],
)
def test_a_payload_without_a_readable_conversation_id_has_no_key(payload: bytes) -> None:
    assert conversation_key(payload) is None


def test_events_of_one_conversation_share_a_partition() -> None:
    first = orjson.dumps({"conversation_id": "c-42", "turn_index": 1})
    second = orjson.dumps({"conversation_id": "c-42", "turn_index": 2, "event_type": "x"})
    assert partition_for_payload(first, 8) == partition_for_payload(second, 8)
    assert partition_for_payload(first, 8) == (b"c-42", partition_for(b"c-42", 8))


def test_keyless_payloads_are_spread_the_same_way_every_time() -> None:
    payloads = [b'{"broken": %d' % n for n in range(200)]
    placed = [partition_for_payload(p, 4) for p in payloads]
    assert placed == [partition_for_payload(p, 4) for p in payloads]
    assert {key for key, _ in placed} == {None}
    assert {partition for _, partition in placed} == {0, 1, 2, 3}
