"""2. A worker killed with SIGKILL mid-stream and started again ends with exactly the tables of
an uninterrupted run: its saved state (dedup ids, conversations, metric windows, trust users)
comes back from the changelogs, the batches it had not committed are processed again, and the
idempotent inserts and offset-based versions absorb what was written twice.
3. Two workers in one group split the partitions and, together, store what one would."""

import time
from pathlib import Path

from convtrack.broker import EmbeddedBroker
from convtrack.settings import Settings
from convtrack.streams.worker.process import WorkerProcess
from convtrack.streams.worker.progress import committed_offsets
from tests.integration.support import (
    batching_aside,
    create_topics,
    merge_stores,
    payloads,
    produce,
    read_store,
    reference,
    wait_for,
    worker_env,
    worker_settings,
)


def test_a_worker_killed_mid_stream_resumes_with_its_state(
    kafka_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    # Small batches: many commits, so the kill lands between batches written and committed.
    settings = worker_settings(kafka_broker, tmp_path / "worker", worker_take_records=10)
    create_topics(settings)
    lines = payloads()
    half = len(lines) // 2
    env = worker_env(settings)
    first = WorkerProcess(env, tmp_path / "first.log")
    first.start()
    try:
        report = produce(settings, lines[:half], batch_events=1)
        wait_for(settings, report, first)
        # State for the first half is saved; now crash while the second half is under way.
        rest = produce(settings, lines[half:], batch_events=1)
        _wait_until_some_committed(settings, report.next_offsets)
        first.kill()
    finally:
        first.stop()
    assert _committed_total(settings) < sum(rest.next_offsets.values()), "killed too late"

    second = WorkerProcess(env, tmp_path / "second.log")
    second.start()
    try:
        wait_for(settings, rest, second, timeout=90)
    finally:
        second.stop()

    got = batching_aside(read_store(tmp_path / "worker" / "clickhouse"))
    want = batching_aside(reference(settings, lines, tmp_path / "reference"))
    assert (got.events, got.dead_letters) == (want.events, want.dead_letters)
    assert got.conversion_facts == want.conversion_facts
    assert got.surface_totals == want.surface_totals


def test_two_workers_split_the_partitions_and_store_what_one_would(
    kafka_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    settings = worker_settings(kafka_broker, tmp_path / "a")
    create_topics(settings)
    workers = [
        WorkerProcess(worker_env(settings), tmp_path / "a.log"),
        WorkerProcess(worker_env(_elsewhere(settings, tmp_path / "b")), tmp_path / "b.log"),
    ]
    for worker in workers:
        worker.start()
    try:
        time.sleep(8)  # both join before anything is produced: a group join takes ~3 s here
        lines = payloads()
        report = produce(settings, lines, batch_events=50)
        wait_for(settings, report, *workers)
    finally:
        for worker in workers:
            worker.stop()

    a, b = (read_store(tmp_path / name / "clickhouse") for name in ("a", "b"))
    assert a.events > 0 and b.events > 0, "one worker got no partition"
    merged = merge_stores(
        tmp_path / "merged", [tmp_path / "a" / "clickhouse", tmp_path / "b" / "clickhouse"]
    )
    want = reference(settings, lines, tmp_path / "reference")
    assert a.events + b.events == want.events
    assert merged.conversion_facts == want.conversion_facts
    assert merged.surface_totals == want.surface_totals


def _committed_total(settings: Settings) -> int:
    committed = committed_offsets(
        settings.kafka_bootstrap_servers,
        settings.worker_app_id,
        settings.raw_topic,
        settings.kafka_partitions,
    )
    return sum(committed.values())


def _wait_until_some_committed(settings: Settings, before: dict[int, int]) -> None:
    floor = sum(before.values())
    deadline = time.monotonic() + 30
    while _committed_total(settings) <= floor + 20:
        assert time.monotonic() < deadline, "the worker made no progress on the second half"
        time.sleep(0.05)


def _elsewhere(settings: Settings, directory: Path) -> Settings:
    """The same worker with its own store (chDB serves one process per directory)."""
    return settings.model_copy(
        update={"data_dir": directory, "clickhouse_dsn": f"chdb://{directory / 'clickhouse'}"}
    )
