"""The watchdog on faust's own consumer bookkeeping: a partition faust stopped fetching while
the broker holds records for it is made active again and read from its committed offset, and
the log end the broker reports reaches the lag."""

from collections.abc import Mapping
from typing import Any

import pytest
from faust.types import TP

from convtrack.streams.worker import guard
from convtrack.streams.worker.health import WorkerHealth

RAW = TP("raw", 0)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def run(consumer: Any, step: Any) -> Any:
    return consumer.loop.run_until_complete(step)


def assigned_to(consumer: Any, ends: Mapping[TP, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """The consumer owns `ends`' partitions, and the broker says their logs end there."""
    sought: list[tuple[TP, int]] = []

    async def highwaters(*partitions: TP) -> Mapping[TP, int]:
        return {tp: ends[tp] for tp in partitions}

    async def seek(partition: TP, offset: int) -> None:
        sought.append((partition, offset))

    monkeypatch.setattr(consumer.app.assignor, "assigned_actives", lambda: set(ends))
    monkeypatch.setattr(consumer, "highwaters", highwaters)
    monkeypatch.setattr(consumer, "_seek", seek)
    consumer._set_active_tps(set(ends))


def watched(consumer: Any, clock: Clock, seconds: int) -> tuple[guard.PartitionGuard, Any]:
    health = WorkerHealth()
    watchdog = guard.PartitionGuard(
        consumer.app, health, {RAW.topic}, {}, restored=lambda: True, clock=clock
    )
    for second in range(seconds + 1):
        clock.now = float(second)
        run(consumer, watchdog.check())
    return watchdog, health


def held_back_at_500(consumer: Any, log_end: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Committed up to 500; the stream buffer filled, and the drain that puts the partition
    back in faust's active set never came."""
    assigned_to(consumer, {RAW: log_end}, monkeypatch)
    consumer._committed_offset[RAW] = 500
    consumer.on_buffer_full(RAW)
    assert RAW not in consumer._get_active_partitions()


def reseeks(health: WorkerHealth) -> float:
    return (
        health.registry.get_sample_value(
            "convtrack_worker_partition_reseeks_total", {"topic": RAW.topic, "partition": "0"}
        )
        or 0.0
    )


def test_a_partition_faust_stopped_fetching_is_fetched_again_from_its_commit(
    consumer: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    held_back_at_500(consumer, 900, monkeypatch)
    _, health = watched(consumer, clock, int(guard.STALL_SECONDS))
    assert RAW in consumer._get_active_partitions()
    assert RAW not in consumer._buffered_partitions
    assert consumer._read_offset[RAW] == 500
    assert reseeks(health) == 1


def test_a_partition_whose_log_ends_at_its_commit_is_left_alone(
    consumer: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    held_back_at_500(consumer, 500, monkeypatch)
    _, health = watched(consumer, clock, 3 * int(guard.STALL_SECONDS))
    assert RAW not in consumer._get_active_partitions()
    assert reseeks(health) == 0


def test_the_log_end_is_asked_every_few_seconds_and_kept_for_owned_partitions_only(
    consumer: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[float] = []
    assigned_to(consumer, {RAW: 900}, monkeypatch)

    async def highwaters(*partitions: TP) -> Mapping[TP, int]:
        asked.append(clock.now)
        return {RAW: 900, TP("raw", 1): 40}  # a partition given away meanwhile

    monkeypatch.setattr(consumer, "highwaters", highwaters)
    watchdog, _ = watched(consumer, clock, 11)
    assert asked == [0.0, 5.0, 10.0]
    assert watchdog.ends == {RAW: 900}
    # given away: gone from the ends (and the lag) at the next check, not the next ask
    monkeypatch.setattr(consumer.app.assignor, "assigned_actives", set)
    clock.now = 12.0
    run(consumer, watchdog.check())
    assert watchdog.ends == {}
    assert asked == [0.0, 5.0, 10.0]
