"""Running a consumer (the worker or a baseline) in a child process against the bench's broker,
and timing how long it takes to process records that are waiting for it.

Timing, the same for every consumer: the consumer is started and joins its group; a warm-up
slice of the input is produced and waited for until committed (so the group join, faust's
start and the first pipeline per partition are out of the time). Then the consumer is frozen
(SIGSTOP), the measured records are produced, and it is released (SIGCONT): the clock runs from
the release until its group has committed every record (`progress`, committed offsets against
the producer's acknowledged ones). Freezing keeps the producer out of the figure: convtrack's
producer (kafka-python, gzip) is slower than the raw baseline consumer, which would otherwise
measure the producer. The freeze stays well under the session timeout, so nobody is evicted.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from kafka import KafkaProducer  # type: ignore[import-untyped]
from pydantic import SecretStr

from convtrack.broker import EmbeddedBroker
from convtrack.processes import stop_child
from convtrack.settings import Settings
from convtrack.streams.kafka import OutRecord, PartitionBatcher, client_options, ensure_topics
from convtrack.streams.kafka.admin import topic_specs
from convtrack.streams.kafka.producer import _PRODUCER_OPTIONS
from convtrack.streams.worker.progress import behind, committed_offsets, wait_until_committed
from tests.integration.support import worker_env

KEY = "bench-pseudonymization-key-0123456789abcdef"
POLL_SECONDS = 0.05
"""How often the bench asks for committed offsets: the resolution of every end time."""
FREEZE_WARNING_SECONDS = 4.0
"""A frozen consumer misses heartbeats; past the session timeout (6 s) it would be evicted."""
PROFILE_DIR = "BENCH_PROFILE_DIR"
"""Set to a directory to sample every worker's measured window with py-spy (on PATH) into
DIR/<worker log name>.txt, as collapsed stacks with thread names."""
_STOP_SECONDS = 30.0
_ROOT = Path(__file__).resolve().parents[1]
"""The children run from the repository, where `bench` imports."""


class Child:
    """A consumer process in its own session (so SIGSTOP/SIGCONT reach all of it), logging to a
    file."""

    def __init__(
        self, argv: list[str], env: dict[str, str], log_path: Path, *, profile: bool = False
    ) -> None:
        """`profile`: sampled by py-spy while measured, when PROFILE_DIR is set."""
        self.argv = argv
        self.env = {**os.environ, **env}
        self.log_path = log_path
        self.profile = profile
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError("not started")
        return self._process.pid

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self._process = subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=self.env,
            cwd=_ROOT,
            start_new_session=True,
        )

    def freeze(self) -> None:
        os.killpg(self.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.killpg(self.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self.thaw()  # a frozen process would not handle SIGTERM
        stop_child(self._process, signal.SIGTERM, _STOP_SECONDS)
        if self._log is not None:
            self._log.close()
            self._log = None

    @contextmanager
    def measured(self) -> Iterator[None]:
        """The measured window: py-spy samples it if asked (PROFILE_DIR)."""
        directory = os.environ.get(PROFILE_DIR)
        if not (self.profile and directory):
            yield
            return
        binary = shutil.which("py-spy")
        if binary is None:
            raise RuntimeError(f"{PROFILE_DIR} is set but py-spy is not on PATH")
        output = Path(directory) / f"{self.log_path.stem}.txt"
        output.parent.mkdir(parents=True, exist_ok=True)
        argv = [binary, "record", "--pid", str(self.pid), "--rate", "200", "--threads"]
        sampler = subprocess.Popen(  # noqa: S603 (py-spy from PATH, fixed arguments)
            [*argv, "--nonblocking", "--format", "raw", "--output", str(output)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        try:
            yield
        finally:
            stop_child(sampler, signal.SIGINT, _STOP_SECONDS)  # SIGINT: py-spy writes and exits

    def output(self, tail: int = 3_000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return ""


def bench_settings(broker: EmbeddedBroker, directory: Path, name: str, **changes: Any) -> Settings:
    """Topics and group named `name`, the store in `directory`; otherwise convtrack's defaults
    (4 partitions, gzip, the default take and sink batching)."""
    return Settings(
        kafka_bootstrap_servers=broker.bootstrap_servers,
        data_dir=directory,
        clickhouse_dsn=f"chdb://{directory / 'clickhouse'}",
        pseudonymization_key=SecretStr(KEY),
        raw_topic=f"{name}.raw",
        dead_letter_topic=f"{name}.dead",
        trust_topic=f"{name}.trust",
        metrics_topic=f"{name}.metrics",
        worker_app_id=name,
        **changes,
    )


def worker_child(settings: Settings, log: Path) -> Child:
    argv = [sys.executable, "-m", "convtrack", "worker", "--loglevel", "info"]
    return Child(argv, worker_env(settings), log, profile=True)


def raw_child(settings: Settings, log: Path) -> Child:
    argv = [sys.executable, "-m", "bench.consumers", "raw", settings.kafka_bootstrap_servers]
    return Child([*argv, settings.raw_topic, settings.worker_app_id], {}, log)


def faust_child(settings: Settings, log: Path) -> Child:
    datadir = settings.data_dir / "faust"
    datadir.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "bench.consumers", "faust", settings.kafka_bootstrap_servers]
    argv += [settings.raw_topic, settings.worker_app_id, str(settings.kafka_partitions)]
    return Child([*argv, str(datadir)], {}, log)


def encode(lines: Sequence[bytes], batch_events: int, partitions: int) -> list[OutRecord]:
    """Records as convtrack's producer builds them, ahead of any timing."""
    batcher = PartitionBatcher(partitions, batch_events)
    records = [record for line in lines for record in batcher.add(line)]
    return records + batcher.drain()


class Sender:
    """convtrack's producer settings (acks=all, idempotence, linger, gzip) for records encoded
    beforehand; counts the next offset per partition as the broker acknowledged it."""

    def __init__(self, settings: Settings) -> None:
        self.topic = settings.raw_topic
        codec = settings.kafka_compression.value
        self._producer = KafkaProducer(
            **client_options(settings.kafka_bootstrap_servers),
            **_PRODUCER_OPTIONS,
            compression_type=None if codec == "none" else codec,
        )
        self.next_offsets: dict[int, int] = {}

    def send(self, records: Sequence[OutRecord]) -> list[Any]:
        """Queues `records`; their futures (RecordMetadata once acknowledged)."""
        return [
            self._producer.send(
                self.topic,
                value=r.value,
                key=r.key,
                headers=list(r.headers),
                partition=r.partition,
            )
            for r in records
        ]

    def flush(self, futures: Sequence[Any]) -> list[Any]:
        """Waits for `futures`; their RecordMetadata, counted into next_offsets."""
        self._producer.flush()
        acknowledged = [future.get() for future in futures]
        for meta in acknowledged:
            self.next_offsets[meta.partition] = max(
                self.next_offsets.get(meta.partition, 0), meta.offset + 1
            )
        return acknowledged

    def close(self) -> None:
        self._producer.close()


def create_topics(settings: Settings) -> None:
    ensure_topics(settings.kafka_bootstrap_servers, topic_specs(settings))


def wait_committed(
    settings: Settings, produced: dict[int, int], child: Child, timeout: float
) -> None:
    """Until the group has committed everything `produced` on the raw topic."""

    def lag() -> int:
        committed = committed_offsets(
            settings.kafka_bootstrap_servers,
            settings.worker_app_id,
            settings.raw_topic,
            settings.kafka_partitions,
        )
        return behind(committed, produced)

    try:
        wait_until_committed(
            lag, timeout, alive=child.alive, sleep=lambda _: time.sleep(POLL_SECONDS)
        )
    except (RuntimeError, TimeoutError) as error:
        raise RuntimeError(f"{error}\n{child.output()}") from None


@dataclass(frozen=True, slots=True)
class Timed:
    events: int
    seconds: float
    frozen: float
    """How long the consumer was frozen while the records were produced."""

    @property
    def rate(self) -> float:
        return self.events / self.seconds


def timed_run(
    child: Child,
    settings: Settings,
    warmup: Sequence[OutRecord],
    records: Sequence[OutRecord],
    timeout: float,
) -> Timed:
    """Warm up, freeze, produce `records`, release: seconds until all is committed. Stops the
    child at the end."""
    create_topics(settings)
    sender = Sender(settings)
    child.start()
    try:
        sender.flush(sender.send(warmup))
        wait_committed(settings, dict(sender.next_offsets), child, timeout)
        child.freeze()
        frozen_at = time.monotonic()
        sender.flush(sender.send(records))
        released = time.monotonic()
        with child.measured():
            child.thaw()
            if released - frozen_at > FREEZE_WARNING_SECONDS:
                print(f"  (frozen {released - frozen_at:.1f} s: the time may include a rejoin)")
            wait_committed(settings, dict(sender.next_offsets), child, timeout)
            seconds = time.monotonic() - released
    finally:
        sender.close()
        child.stop()
    return Timed(sum(r.events for r in records), seconds, released - frozen_at)
