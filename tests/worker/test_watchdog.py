"""The stall detector reports a partition only when faust read past the commit, nothing of it
is with the agent, and the commit has stood still for the whole wait."""

from convtrack.streams.worker.watchdog import PartitionReading, StallDetector


def reading(
    read: int | None, committed: int | None, *, in_flight: bool = False, partition: int = 0
) -> PartitionReading:
    return PartitionReading(("raw", partition), read, committed, in_flight)


def test_records_read_but_never_handed_over_are_a_stall_once_the_wait_is_over() -> None:
    detector = StallDetector(after_seconds=6)
    assert detector.stalled([reading(1070, 531)], now=0) == []
    assert detector.stalled([reading(1070, 531)], now=5.9) == []
    assert detector.stalled([reading(1070, 531)], now=6) == [reading(1070, 531)]
    # Reported once per stall: the clock starts again.
    assert detector.stalled([reading(1070, 531)], now=7) == []
    assert detector.stalled([reading(1070, 531)], now=12) == [reading(1070, 531)]


def test_a_moving_commit_or_records_with_the_agent_are_not_a_stall() -> None:
    detector = StallDetector(after_seconds=6)
    for second in range(0, 30, 2):
        # the commit moves every two seconds
        assert detector.stalled([reading(2000, 500 + second)], now=second) == []
    detector = StallDetector(after_seconds=6)
    for second in range(30):
        # a slow batch (the store is down): its records are unacknowledged
        assert detector.stalled([reading(2000, 500, in_flight=True)], now=second) == []


def test_an_idle_partition_is_not_a_stall() -> None:
    detector = StallDetector(after_seconds=6)
    for second in range(30):
        # everything read is committed, or nothing was read since a seek
        idle = [reading(499, 500), reading(None, 500, partition=1), reading(500, 500, partition=2)]
        assert detector.stalled(idle, now=second) == []


def test_a_partition_no_longer_assigned_is_forgotten() -> None:
    detector = StallDetector(after_seconds=6)
    detector.stalled([reading(1070, 531)], now=0)
    detector.stalled([], now=3)
    # Assigned again: its wait starts afresh.
    assert detector.stalled([reading(1070, 531)], now=7) == []
