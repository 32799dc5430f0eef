"""The watchdog reports a partition only when records went missing on their way to the agent:
read past a commit that stands still, or committed past records the state never got; and only
once the sign has lasted, watched check by check, with no batch of the partition in the agent's
hands."""

from convtrack.streams.worker.watchdog import Finding, PartitionReading, Remedy, StallDetector


def reading(
    read: int | None,
    committed: int | None,
    *,
    in_flight: bool = False,
    partition: int = 0,
    missing: tuple[int, int] | None = None,
    end: int | None = None,
) -> PartitionReading:
    return PartitionReading(("raw", partition), read, committed, in_flight, missing, end)


def watch(
    detector: StallDetector, readings: list[PartitionReading], start: int, end: int
) -> list[tuple[int, Finding]]:
    """Checks every second from `start` to `end` inclusive, as the worker's timer does."""
    return [(now, f) for now in range(start, end + 1) for f in detector.check(readings, now)]


def test_records_read_but_never_handed_over_are_sought_back_once_the_wait_is_over() -> None:
    detector = StallDetector(after_seconds=6)
    stalled = reading(1070, 531)
    # Reported once the sign has lasted 6 s, then again after 6 more (the clock restarts):
    # still at the same offset after the seek back, the gap the commit waits at holds no
    # records, and the consumer may commit over it; then a seek again, should it not help.
    assert watch(detector, [stalled], 0, 19) == [
        (6, Finding(stalled, Remedy.SEEK, 531)),
        (12, Finding(stalled, Remedy.RELEASE_GAP, 531)),
        (18, Finding(stalled, Remedy.SEEK, 531)),
    ]


def test_a_stall_that_moves_on_after_the_seek_is_sought_back_again_not_released() -> None:
    detector = StallDetector(after_seconds=6)
    watch(detector, [reading(1070, 531)], 0, 6)
    later = reading(2000, 1500)
    assert watch(detector, [later], 7, 13) == [(13, Finding(later, Remedy.SEEK, 1500))]


def test_a_moving_commit_or_records_with_the_agent_are_not_a_stall() -> None:
    detector = StallDetector(after_seconds=6)
    for second in range(30):
        # the commit moves every two seconds
        assert detector.check([reading(2000, 500 + second // 2)], now=second) == []
    # a slow batch (the store is down)
    assert watch(StallDetector(after_seconds=6), [reading(2000, 500, in_flight=True)], 0, 30) == []


def test_an_idle_partition_is_not_a_stall() -> None:
    # everything read is committed and processed, or nothing was read since a seek; the log
    # ends there, or where it ends is not known yet
    idle = [
        reading(499, 500),
        reading(None, 500, partition=1, end=500),
        reading(500, 500, partition=2, end=500),
    ]
    assert watch(StallDetector(after_seconds=6), idle, 0, 30) == []


def test_records_waiting_on_the_broker_that_nothing_reads_are_fetched_again_once() -> None:
    detector = StallDetector(after_seconds=6)
    never_fetched = reading(None, 500, end=900)
    caught_up_then_left = reading(699, 700, partition=1, end=900)
    # Still idle at the same offset after that: the log ends in offsets that hold no records
    # (a transactional producer's last marker), so the partition is left alone.
    assert watch(detector, [never_fetched, caught_up_then_left], 0, 30) == [
        (6, Finding(never_fetched, Remedy.RESUME, 500)),
        (6, Finding(caught_up_then_left, Remedy.RESUME, 700)),
    ]
    # Once it moves, a new stop is a new sign.
    later = reading(949, 950, end=1200)
    watch(detector, [reading(800, 750, end=1200)], 31, 32)
    assert watch(detector, [later], 33, 39) == [(39, Finding(later, Remedy.RESUME, 950))]


def test_a_partition_the_agent_holds_or_that_moves_is_not_idle() -> None:
    busy = reading(None, 500, end=900, in_flight=True)
    assert watch(StallDetector(after_seconds=6), [busy], 0, 30) == []
    detector = StallDetector(after_seconds=6)
    for second in range(30):
        # read and committed every two seconds, the log growing ahead
        at = 500 + 10 * (second // 2)
        assert detector.check([reading(at - 1, at, end=at + 400)], now=second) == []


def test_records_committed_over_but_never_processed_are_sought_back_then_closed() -> None:
    detector = StallDetector(after_seconds=6)
    skipped = reading(1108, 1109, missing=(521, 531))
    # Still open after the seek back: the offsets hold no records.
    assert watch(detector, [skipped], 0, 12) == [
        (6, Finding(skipped, Remedy.SEEK, 521)),
        (12, Finding(skipped, Remedy.CLOSE_GAP, 521)),
    ]


def test_a_gap_that_fills_after_the_seek_is_not_closed() -> None:
    detector = StallDetector(after_seconds=6)
    watch(detector, [reading(1108, 1109, missing=(521, 531))], 0, 6)
    assert detector.check([reading(1108, 1109)], now=7) == []
    later = reading(2000, 2001, missing=(1500, 1510))
    assert watch(detector, [later], 8, 14) == [(14, Finding(later, Remedy.SEEK, 1500))]


def test_a_partition_no_longer_assigned_is_forgotten() -> None:
    detector = StallDetector(after_seconds=6)
    watch(detector, [reading(1070, 531)], 0, 3)
    detector.check([], now=4)
    # Assigned again: its wait starts afresh.
    assert watch(detector, [reading(1070, 531)], 5, 10) == []


def test_a_long_pause_between_checks_is_not_time_watched() -> None:
    """A big batch can keep the event loop, and the checks, away for longer than the wait."""
    detector = StallDetector(after_seconds=6)
    stalled = reading(88, None)
    detector.check([stalled], now=0)
    assert watch(detector, [stalled], 26, 31) == []
    assert detector.check([stalled], now=32) == [Finding(stalled, Remedy.SEEK, 0)]
