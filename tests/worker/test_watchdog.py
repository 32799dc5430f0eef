"""The watchdog reports a partition only when records went missing on their way to the agent:
read past a commit that stands still, or committed past records the state never got; and only
once the sign has lasted, with no batch of the partition in the agent's hands."""

from convtrack.streams.worker.watchdog import Finding, PartitionReading, Remedy, StallDetector


def reading(
    read: int | None,
    committed: int | None,
    *,
    in_flight: bool = False,
    partition: int = 0,
    missing: tuple[int, int] | None = None,
) -> PartitionReading:
    return PartitionReading(("raw", partition), read, committed, in_flight, missing)


def test_records_read_but_never_handed_over_are_sought_back_once_the_wait_is_over() -> None:
    detector = StallDetector(after_seconds=6)
    stalled = reading(1070, 531)
    assert detector.check([stalled], now=0) == []
    assert detector.check([stalled], now=5.9) == []
    assert detector.check([stalled], now=6) == [Finding(stalled, Remedy.SEEK, 531)]
    # Reported once per stall: the clock starts again.
    assert detector.check([stalled], now=7) == []
    assert detector.check([stalled], now=12) == [Finding(stalled, Remedy.SEEK, 531)]


def test_a_moving_commit_or_records_with_the_agent_are_not_a_stall() -> None:
    detector = StallDetector(after_seconds=6)
    for second in range(0, 30, 2):
        # the commit moves every two seconds
        assert detector.check([reading(2000, 500 + second)], now=second) == []
    detector = StallDetector(after_seconds=6)
    for second in range(30):
        # a slow batch (the store is down)
        assert detector.check([reading(2000, 500, in_flight=True)], now=second) == []


def test_an_idle_partition_is_not_a_stall() -> None:
    detector = StallDetector(after_seconds=6)
    for second in range(30):
        # everything read is committed and processed, or nothing was read since a seek
        idle = [reading(499, 500), reading(None, 500, partition=1), reading(500, 500, partition=2)]
        assert detector.check(idle, now=second) == []


def test_records_committed_over_but_never_processed_are_sought_back_then_closed() -> None:
    detector = StallDetector(after_seconds=6)
    skipped = reading(1108, 1109, missing=(521, 531))
    detector.check([skipped], now=0)
    assert detector.check([skipped], now=6) == [Finding(skipped, Remedy.SEEK, 521)]
    # Still open after the seek back: the offsets hold no records.
    assert detector.check([skipped], now=12) == [Finding(skipped, Remedy.CLOSE_GAP, 521)]


def test_a_gap_that_fills_after_the_seek_is_not_closed() -> None:
    detector = StallDetector(after_seconds=6)
    detector.check([reading(1108, 1109, missing=(521, 531))], now=0)
    detector.check([reading(1108, 1109, missing=(521, 531))], now=6)
    assert detector.check([reading(1108, 1109)], now=7) == []
    later = reading(2000, 2001, missing=(1500, 1510))
    detector.check([later], now=8)
    assert detector.check([later], now=14) == [Finding(later, Remedy.SEEK, 1500)]


def test_a_partition_no_longer_assigned_is_forgotten() -> None:
    detector = StallDetector(after_seconds=6)
    detector.check([reading(1070, 531)], now=0)
    detector.check([], now=3)
    # Assigned again: its wait starts afresh.
    assert detector.check([reading(1070, 531)], now=7) == []
