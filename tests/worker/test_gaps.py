"""The worker's consumer never commits over records it skipped (streams/worker/repairs.py, Gaps):
a jump in delivered offsets holds the commit until the records come back after a seek, or
until the watchdog releases a gap that holds no records."""

from collections.abc import Coroutine
from typing import Any

from faust.types import TP

RAW = TP("raw", 0)


def run(consumer: Any, step: Coroutine[Any, Any, Any]) -> Any:
    return consumer.loop.run_until_complete(step)


def acked(consumer: Any, offsets: range) -> None:
    consumer._acked[RAW].extend(offsets)
    consumer._acked_index[RAW].update(offsets)


def commits(consumer: Any) -> list[int]:
    """The offsets faust would commit, call after call, until it has nothing new."""
    found = []
    while (offset := consumer._new_offset(RAW)) is not None:
        consumer._committed_offset[RAW] = offset
        found.append(offset)
    return found


def test_a_jump_in_delivered_offsets_holds_the_commit_until_the_records_come_back(
    consumer: Any,
) -> None:
    # Offsets 10-19 were fetched but dropped: the agent got 0-9, then 20-29.
    acked(consumer, range(10))
    acked(consumer, range(20, 30))
    run(consumer, consumer._add_gap(RAW, 10, 20))
    assert commits(consumer) == [10]  # faust alone would commit 30
    acked(consumer, range(10, 20))  # sought back, processed
    assert commits(consumer) == [30]


def test_a_released_gap_is_committed_over(consumer: Any) -> None:
    # 10-19 hold no records (a transactional producer's markers): still held after a seek.
    acked(consumer, range(10))
    acked(consumer, range(20, 30))
    run(consumer, consumer._add_gap(RAW, 10, 20))
    assert commits(consumer) == [10]
    assert run(consumer, consumer.release_gaps(RAW))
    assert commits(consumer)[-1] == 30
    assert not run(consumer, consumer.release_gaps(RAW))
