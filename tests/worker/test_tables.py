"""The state tables' changelog records: every change, in order, however many batches they take."""

from aiokafka.producer.message_accumulator import BatchBuilder  # type: ignore[import-untyped]
from aiokafka.record.memory_records import MemoryRecords  # type: ignore[import-untyped]

from convtrack.streams.worker.tables import Change, record_batches

NO_COMPRESSION = 0


def decoded(batches: list[BatchBuilder]) -> list[Change]:
    changes: list[Change] = []
    for batch in batches:
        records = MemoryRecords(bytes(batch._build())).next_batch()
        changes += [(record.key, record.value) for record in records]
    return changes


def test_changes_past_a_batch_go_on_in_the_next_one_none_lost_or_reordered() -> None:
    changes: list[Change] = [(f"0|c|{n}".encode(), b"v" * (n % 7 * 40)) for n in range(200)]
    changes[17] = (b"0|c|17", None)  # a deletion: a tombstone
    changes.append((b"0|c|big", b"x" * 5_000))  # bigger than a batch: one of its own

    batches = list(record_batches(lambda: BatchBuilder(1_024, NO_COMPRESSION), changes))

    assert len(batches) > 10
    assert [batch.record_count() for batch in batches][-1] == 1
    assert decoded(batches) == changes


def test_no_changes_make_no_batch() -> None:
    assert list(record_batches(lambda: BatchBuilder(1_024, NO_COMPRESSION), [])) == []
