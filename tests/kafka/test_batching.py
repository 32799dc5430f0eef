from collections import defaultdict

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from convtrack.streams.kafka.batching import OutRecord, PartitionBatcher
from convtrack.streams.kafka.partitioner import partition_for, partition_for_payload
from convtrack.streams.kafka.record import BATCH_HEADERS, MAX_BATCH_EVENTS, split_record


def _event(conversation: int, turn: int) -> bytes:
    return orjson.dumps({"conversation_id": f"conv-{conversation}", "turn_index": turn})


_events = st.one_of(
    st.builds(_event, st.integers(0, 12), st.integers(0, 99)),
    st.binary(max_size=40),  # broken payloads, with newlines sometimes
)


def _send_all(batcher: PartitionBatcher, events: list[bytes]) -> list[OutRecord]:
    records = [record for event in events for record in batcher.add(event)]
    return records + batcher.drain()


@given(
    st.lists(_events, max_size=80),
    st.integers(1, 6),
    st.integers(1, 12),
    st.integers(24, 200),
)
def test_every_event_arrives_once_in_order_on_its_partition(
    events: list[bytes], partitions: int, max_events: int, max_bytes: int
) -> None:
    records = _send_all(PartitionBatcher(partitions, max_events, max_bytes), events)
    expected: dict[int, list[bytes]] = defaultdict(list)
    for event in events:
        expected[partition_for_payload(event, partitions)[1]].append(event)
    received: dict[int, list[bytes]] = defaultdict(list)
    for record in records:
        items = split_record(record.value, record.headers)
        assert record.events == len(items)
        if record.key is not None:
            assert partition_for(record.key, partitions) == record.partition
        if len(items) > 1:
            assert len(items) <= max_events
            assert len(record.value) <= max_bytes
        received[record.partition].extend(items)
    assert received == expected


def test_one_event_per_record_looks_like_a_third_party_producer() -> None:
    events = [_event(n, 0) for n in range(20)]
    records = _send_all(PartitionBatcher(4, 1), events)
    assert [r.value for r in records] == events
    assert all(r.headers == () and r.events == 1 for r in records)
    assert [r.key for r in records] == [f"conv-{n}".encode() for n in range(20)]


def test_a_full_batch_leaves_at_once_and_the_rest_on_drain() -> None:
    batcher = PartitionBatcher(1, 3)
    events = [_event(n, 0) for n in range(7)]
    sent = [len(batcher.add(event)) for event in events]
    assert sent == [0, 0, 1, 0, 0, 1, 0]
    (rest,) = batcher.drain()
    assert rest.events == 1
    assert rest.headers == BATCH_HEADERS
    assert batcher.drain() == []


def test_a_batch_is_keyed_by_its_first_keyed_event() -> None:
    batcher = PartitionBatcher(1, 10)
    for event in (b"{broken", _event(5, 0), _event(6, 0)):
        batcher.add(event)
    (record,) = batcher.drain()
    assert record.key == b"conv-5"


def test_an_event_with_a_newline_goes_alone_after_its_partitions_pending_batch() -> None:
    batcher = PartitionBatcher(1, 10)
    batcher.add(_event(1, 0))
    pretty = b'{\n "conversation_id": "conv-1"\n}'
    pending, alone = batcher.add(pretty)
    assert split_record(pending.value, pending.headers) == [_event(1, 0)]
    assert (alone.value, alone.headers, alone.key) == (pretty, (), b"conv-1")


@pytest.mark.parametrize(
    ("max_events", "max_bytes"), [(0, 100), (MAX_BATCH_EVENTS + 1, 100), (5, 0)]
)
def test_limits_are_checked(max_events: int, max_bytes: int) -> None:
    with pytest.raises(ValueError, match="per record"):
        PartitionBatcher(4, max_events, max_bytes)
