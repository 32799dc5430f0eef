"""Lag from committed offsets, never from end offsets alone; the log line; what counts as a
dead letter."""

import orjson
from faust.types import TP

from convtrack.contracts import ContractBook
from convtrack.schemas.dead_letter import KafkaPosition, Reason
from convtrack.streams.pipeline import Pipeline
from convtrack.streams.worker.health import PartitionOffsets, WorkerHealth, partition_offsets
from convtrack.streams.worker.progress import behind
from tests.streams.validate.support import RECEIVED, exposure, make_validator


def test_lag_counts_what_was_read_when_the_high_watermark_lags_behind() -> None:
    # Tansu: after a batched send the fetch's high watermark points at the last batch's start.
    assert PartitionOffsets("raw", 0, committed=10, read=29, end=21).lag == 20
    assert PartitionOffsets("raw", 0, committed=None, read=None, end=5).lag == 5
    assert PartitionOffsets("raw", 0, committed=30, read=29, end=21).lag == 0


def test_offsets_are_rows_per_topic_partition_of_the_given_topics() -> None:
    raw0, raw1, other = TP("raw", 0), TP("raw", 1), TP("elsewhere", 0)
    raw2 = TP("raw", 2)
    rows = partition_offsets(
        {raw0: 3, raw2: 40}, {raw1: 8, other: 1}, {raw0: 5}, {raw0: 4, raw2: 90}, {"raw"}
    )
    # partition 2 was never fetched: only the broker's answer shows its records waiting
    assert [(r.partition, r.committed, r.read, r.end, r.lag) for r in rows] == [
        (0, 3, None, 5, 2),
        (1, None, 8, None, 9),
        (2, 40, None, 90, 50),
    ]
    health = WorkerHealth()
    health.observe_offsets(rows)
    assert (
        health.registry.get_sample_value(
            "convtrack_worker_consumer_lag", {"topic": "raw", "partition": "1"}
        )
        == 9
    )
    assert "lag raw[0]=2 raw[1]=9" in health.summary(rows)


def test_behind_compares_what_was_produced_with_what_was_committed() -> None:
    assert behind({0: 5, 1: 7}, {0: 5, 1: 9, 2: 1}) == 3


def test_duplicates_count_as_duplicates_not_as_dead_letters() -> None:
    """They reach the dead-letter topic and table, but the dead-letter rate is about malformed
    input: a retrying producer must not look like a broken one."""
    pipeline = Pipeline(make_validator(), ContractBook.from_tables({}, []))
    event = orjson.dumps(exposure())
    inputs = [event, event, b"{"]
    output = pipeline.process(
        [(raw, KafkaPosition(topic="raw", partition=0, offset=n)) for n, raw in enumerate(inputs)],
        RECEIVED,
    )
    assert [d.reason for d in output.dead_letters] == [Reason.DUPLICATE, Reason.INVALID_JSON]
    health = WorkerHealth()
    health.observe_raw(3, "raw", [output])

    def sample(name: str, **labels: str) -> float | None:
        return health.registry.get_sample_value(name, labels)

    events = "convtrack_worker_events_total"
    assert [sample(events, outcome=o) for o in ("valid", "duplicate", "dead_letter")] == [1, 1, 1]
    dead_letters = "convtrack_worker_dead_letters_total"
    assert sample(dead_letters, reason="invalid_json") == 1
    assert sample(dead_letters, reason="duplicate") is None
    assert "33.33% dead-lettered" in health.summary([])
    # the duplicate's dead letter is stored, so its offset counts as stored
    assert sample("convtrack_worker_stored_offset", topic="raw", partition="0") == 3


def test_live_conversations_are_gauged_per_owned_partition_packed_and_unpacked() -> None:
    health = WorkerHealth()

    def conversations(partition: int, form: str) -> float | None:
        labels = {"partition": str(partition), "form": form}
        return health.registry.get_sample_value("convtrack_worker_conversations", labels)

    health.observe_conversations({0: (10, 2), 1: (5, 0)})
    assert (conversations(0, "packed"), conversations(0, "unpacked")) == (10, 2)
    health.observe_conversations({1: (6, 1)})  # partition 0 was revoked
    assert (conversations(0, "packed"), conversations(0, "unpacked")) == (None, None)
    assert (conversations(1, "packed"), conversations(1, "unpacked")) == (6, 1)
