"""Processed offsets: what is saved is skipped, and a gap stays open until its records come."""

from hypothesis import given
from hypothesis import strategies as st

from convtrack.streams.worker.offsets import MAX_RANGES, ProcessedOffsets


def test_records_handed_over_after_a_gap_leave_the_gap_open() -> None:
    processed = ProcessedOffsets()
    processed.add(range(0, 10))
    processed.add(range(50, 60))  # faust dropped 10..49 and handed over what came after
    assert 9 in processed and 10 not in processed and 49 not in processed and 55 in processed
    processed.add(range(10, 50))  # sought back: the gap fills
    assert processed.low == 60 and processed.ranges == []


def test_a_round_trip_keeps_everything() -> None:
    processed = ProcessedOffsets()
    processed.add([3, 4, 7, 9, 10])
    again = ProcessedOffsets.decode(processed.encode())
    assert (again.low, again.ranges) == (0, [(3, 5), (7, 8), (9, 11)])


def test_gaps_that_never_fill_are_closed_oldest_first() -> None:
    processed = ProcessedOffsets()
    processed.add(range(0, 4 * (MAX_RANGES + 5), 2))  # a marker between every two records
    assert len(processed.ranges) == MAX_RANGES
    assert 1 in processed and processed.ranges[0][0] > processed.low


@given(st.lists(st.sets(st.integers(0, 300)), max_size=12))
def test_it_holds_exactly_the_offsets_added(batches: list[set[int]]) -> None:
    processed = ProcessedOffsets()
    seen: set[int] = set()
    for batch in batches:
        processed.add(batch)
        seen |= batch
    assert {offset for offset in range(310) if offset in processed} == seen
    restored = ProcessedOffsets.decode(processed.encode())
    assert {offset for offset in range(310) if offset in restored} == seen


def test_the_first_gap_under_the_commit_and_closing_it() -> None:
    processed = ProcessedOffsets()
    processed.add(range(0, 521))
    processed.add(range(531, 600))
    assert processed.first_gap(below=500) is None
    assert processed.first_gap(below=525) == (521, 525)
    assert processed.first_gap(below=700) == (521, 531)
    processed.close(521, 531)
    assert (processed.low, processed.ranges) == (600, [])
    processed.close(650, 660)
    processed.close(640, 655)
    assert processed.ranges == [(640, 660)] and 645 in processed and 630 not in processed
