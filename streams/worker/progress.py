"""Is everything produced processed? Committed offsets of the worker's group against what was
produced, never against the broker's end offsets (wrong on Tansu after batched sends).

For the raw topic the producer knows what it sent (`ProduceReport.next_offsets`). The trust
and metrics topics are written by the workers themselves, so once the raw topic is fully
committed (and commits flush the worker's producer first) their records are all on the broker:
reading them to the end gives their exact next offsets.
"""

import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from kafka import KafkaConsumer, TopicPartition  # type: ignore[import-untyped]

from convtrack.settings import Settings
from convtrack.streams.kafka.connection import client_options

_IDLE_SECONDS = 1.0


def _consumer(bootstrap_servers: str, group_id: str | None) -> Any:
    return KafkaConsumer(
        **client_options(bootstrap_servers),
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        consumer_timeout_ms=int(_IDLE_SECONDS * 1000),
    )


def committed_offsets(
    bootstrap_servers: str, group_id: str, topic: str, partitions: int
) -> dict[int, int]:
    """What the group has committed per partition (0 where nothing yet). Asking does not join
    the group, so it never triggers a rebalance."""
    consumer = _consumer(bootstrap_servers, group_id)
    try:
        return {
            partition: consumer.committed(TopicPartition(topic, partition)) or 0
            for partition in range(partitions)
        }
    finally:
        consumer.close()


def read_ends(bootstrap_servers: str, topic: str, partitions: int) -> dict[int, int]:
    """One past the last record of each partition, by reading it all (no group)."""
    consumer = _consumer(bootstrap_servers, None)
    try:
        assigned = [TopicPartition(topic, partition) for partition in range(partitions)]
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        ends = dict.fromkeys(range(partitions), 0)
        for record in consumer:
            ends[record.partition] = max(ends[record.partition], record.offset + 1)
        return ends
    finally:
        consumer.close()


def behind(committed: Mapping[int, int], produced: Mapping[int, int]) -> int:
    """Records produced but not committed, over all partitions."""
    return sum(max(0, end - committed.get(p, 0)) for p, end in produced.items())


def wait_until_committed(
    lag: Callable[[], int],
    timeout: float,
    *,
    alive: Callable[[], bool] = lambda: True,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Polls `lag` until it is 0; TimeoutError naming what remains otherwise, RuntimeError
    once `alive` says the worker is gone. `sleep` lets an in-process worker's loop run."""
    deadline = time.monotonic() + timeout
    while (remaining := lag()) > 0:
        if not alive():
            raise RuntimeError(f"the worker stopped with {remaining} records unprocessed")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{remaining} records still unprocessed after {timeout:g} s")
        sleep(0.5)


def wait_until_processed(
    settings: Settings,
    produced: Mapping[int, int],
    timeout: float,
    *,
    alive: Callable[[], bool] = lambda: True,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Until the worker group (settings.worker_app_id) has committed everything produced to the
    raw topic, then everything the workers forwarded to the trust and metrics topics."""
    servers, group = settings.kafka_bootstrap_servers, settings.worker_app_id
    partitions = settings.kafka_partitions
    deadline = time.monotonic() + timeout

    def raw_lag() -> int:
        committed = committed_offsets(servers, group, settings.raw_topic, partitions)
        return behind(committed, produced)

    wait_until_committed(raw_lag, timeout, alive=alive, sleep=sleep)

    def forwarded_lag(topic: str, count: int, ends: dict[int, int]) -> int:
        return behind(committed_offsets(servers, group, topic, count), ends)

    for topic, count in ((settings.trust_topic, partitions), (settings.metrics_topic, 1)):
        lag = partial(forwarded_lag, topic, count, read_ends(servers, topic, count))
        remaining = max(1.0, deadline - time.monotonic())
        wait_until_committed(lag, remaining, alive=alive, sleep=sleep)
