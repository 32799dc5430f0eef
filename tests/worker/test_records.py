"""Taken records -> pipeline inputs with exact positions; outputs -> the records sent on."""

from datetime import UTC, datetime

import orjson

from convtrack.schemas.dead_letter import KafkaPosition
from convtrack.streams.kafka import BATCH_HEADERS, encode_batch, partition_for, split_record
from convtrack.streams.kafka.record import MAX_BATCH_EVENTS, MAX_RECORD_BYTES
from convtrack.streams.pipeline import Output
from convtrack.streams.validate import ValidEvent
from convtrack.streams.worker.records import (
    RawRecord,
    dead_letter_messages,
    fresh_records,
    inputs_by_partition,
    next_offsets,
    trust_messages,
    within_record_limits,
)
from tests.streams.validate.support import all_examples, make_validator, position


def test_batches_are_split_with_their_index_and_partitions_kept_apart() -> None:
    records = [
        RawRecord(1, 7, encode_batch([b"a", b"b"]), list(BATCH_HEADERS)),
        RawRecord(0, 3, b"single", None),
        RawRecord(1, 6, b"earlier", ()),
        RawRecord(0, 4, None, None),  # type: ignore[arg-type]  # a tombstone
    ]
    inputs = inputs_by_partition("raw", records)
    assert {p: [(raw, s.offset, s.index_in_record) for raw, s in v] for p, v in inputs.items()} == {  # type: ignore[union-attr]
        0: [(b"single", 3, 0), (b"", 4, 0)],
        1: [(b"earlier", 6, 0), (b"a", 7, 0), (b"b", 7, 1)],
    }
    assert all(
        isinstance(s, KafkaPosition) and s.topic == "raw" for v in inputs.values() for _, s in v
    )
    assert next_offsets(records) == {0: 5, 1: 8}


def test_dead_letters_go_to_their_input_partition_and_trust_events_by_user() -> None:
    validator = make_validator()
    now = datetime(2030, 1, 1, tzinfo=UTC)
    outcomes = [
        validator.validate(orjson.dumps(example), position(n), now)
        for n, example in enumerate(all_examples(), 1)
    ]
    output = Output(events=[o for o in outcomes if isinstance(o, ValidEvent)])
    sent = trust_messages(output, 4)
    events = [e for m in sent for e in split_record(m.value, m.headers)]
    kinds = {orjson.loads(e)["event_type"] for e in events}
    assert kinds == {"conversation_started", "conversion"}
    assert len(events) == sum(v.event.event_type in kinds for v in output.events)
    for message in sent:
        for event in split_record(message.value, message.headers):
            document = orjson.loads(event)
            key = f"{document['tenant_id']}\x1f{document['user_id']}".encode()
            assert partition_for(key, 4) == message.partition
            assert document["user_id"].startswith("p1_")

    bad = validator.validate(b"{", KafkaPosition(topic="raw", partition=2, offset=9), now)
    (message,) = dead_letter_messages([bad])  # type: ignore[list-item]
    assert message.partition == 2
    assert orjson.loads(message.value)["reason"] == "invalid_json"


def test_re_keyed_events_are_cut_into_records_within_the_limits() -> None:
    events = [b"x" * 300_000] * 7 + [b"{}"] * (MAX_BATCH_EVENTS + 5)
    pieces = within_record_limits(events)
    assert [e for piece in pieces for e in piece] == events
    assert all(len(encode_batch(piece)) <= MAX_RECORD_BYTES for piece in pieces)
    assert all(len(piece) <= MAX_BATCH_EVENTS for piece in pieces)
    assert [len(piece) for piece in pieces] == [3, 3, MAX_BATCH_EVENTS, 6]


def test_a_record_delivered_twice_or_already_held_is_taken_once_or_not_at_all() -> None:
    def record(partition: int, offset: int, value: bytes) -> RawRecord:
        return RawRecord(partition, offset, value, ())

    records = [record(0, 5, b"a"), record(1, 5, b"b"), record(0, 6, b"c"), record(0, 5, b"a")]
    held = {(0, 6)}
    fresh = fresh_records(records, lambda partition, offset: (partition, offset) in held)
    assert fresh == [record(0, 5, b"a"), record(1, 5, b"b")]
