"""The latency bookkeeping of bench/latency.py, and the worker gauge it reads."""

from datetime import UTC, datetime
from uuid import uuid4

import orjson

from bench.latency import TICK, Latency, StoredPoller, ticks
from convtrack.schemas.dead_letter import DeadLetter, KafkaPosition
from convtrack.streams.kafka import partition_for_payload, split_record
from convtrack.streams.pipeline import Output
from convtrack.streams.validate import ValidEvent
from convtrack.streams.validate.outcomes import Outcome
from convtrack.streams.worker.health import WorkerHealth
from tests.streams.validate.support import all_examples, make_validator


def _event(n: int) -> bytes:
    return orjson.dumps({"event_id": str(uuid4()), "conversation_id": f"c-{n % 7}", "n": n})


def test_each_record_carries_the_offer_times_of_its_own_events_in_order() -> None:
    lines = [_event(n) for n in range(45)]
    rate = 200.0  # 10 events per tick
    schedule = ticks(lines, rate, partitions=3, batch_events=4)

    assert len(schedule) == 5
    for tick in schedule:
        assert len(tick.records) == len(tick.offered)
        for record, offered in zip(tick.records, tick.offered, strict=True):
            assert record.events == len(offered)
            numbers = [orjson.loads(e)["n"] for e in split_record(record.value, record.headers)]
            assert offered == [n / rate for n in numbers]
            assert {partition_for_payload(lines[n], 3)[1] for n in numbers} == {record.partition}
    assert sorted(t for tick in schedule for o in tick.offered for t in o) == [
        n / rate for n in range(45)
    ]
    assert all(o[-1] < (k + 1) * TICK for k, tick in enumerate(schedule) for o in tick.offered)


def test_an_offset_is_stored_at_the_first_sample_that_reaches_past_it() -> None:
    poller = StoredPoller(port=0, topic="raw")
    poller.samples[0] = ([1.0, 2.0, 3.0], [0, 5, 9])

    assert poller.stored_at(0, 0) == 2.0
    assert poller.stored_at(0, 4) == 2.0
    assert poller.stored_at(0, 5) == 3.0
    assert poller.stored_at(0, 9) is None
    assert poller.stored_at(1, 0) is None
    assert poller.stored() == {0: 9}


def test_events_never_stored_count_as_infinitely_late() -> None:
    latency = Latency(offered=100, stored=98, seconds=[n / 100 for n in range(98)], sustained=1)

    assert latency.percentile(0.5) == 0.49
    assert latency.percentile(0.98) == 0.97
    assert latency.percentile(0.99) == float("inf")


def test_the_worker_gauge_says_how_far_each_partition_is_stored() -> None:
    validator = make_validator()
    now = datetime(2030, 1, 1, tzinfo=UTC)
    first, second, *_ = (orjson.dumps(example) for example in all_examples())

    def outcome(raw: bytes, partition: int, offset: int) -> Outcome:
        return validator.validate(
            raw, KafkaPosition(topic="raw", partition=partition, offset=offset), now
        )

    zero = [outcome(first, 0, 3), outcome(b"{", 0, 9), outcome(second, 0, 7)]
    two = [outcome(b"[", 2, 1)]
    outputs = [
        Output(
            events=[o for o in zero if isinstance(o, ValidEvent)],
            dead_letters=[o for o in zero if isinstance(o, DeadLetter)],
        ),
        Output(dead_letters=[o for o in two if isinstance(o, DeadLetter)]),
    ]
    assert [len(o.events) + len(o.dead_letters) for o in outputs] == [3, 1]
    health = WorkerHealth()
    health.observe_raw(4, "raw", outputs)

    def gauge(partition: int) -> float | None:
        labels = {"topic": "raw", "partition": str(partition)}
        return health.registry.get_sample_value("convtrack_worker_stored_offset", labels)

    assert (gauge(0), gauge(1), gauge(2)) == (10, None, 2)
