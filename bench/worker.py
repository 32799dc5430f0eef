"""The Kafka worker on one embedded Tansu broker started here (4 partitions, gzip, convtrack's
producer settings), against baselines reading the same records in the same run:

1. batched records (500 events each): the worker vs a raw aiokafka consumer that only splits
   and decodes (`bench.consumers raw`);
2. one event per record: the worker vs a bare faust agent that only splits and decodes, with
   the worker's consumer settings, loop and take (`bench.consumers faust`);
3. event-to-queryable latency at a paced offered rate (bench/latency.py).

Throughput is timed as bench/kafka.py describes (group join and warm-up excluded, the consumer
released onto records already produced, until everything is committed).
"""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bench.kafka import (
    Timed,
    bench_settings,
    encode,
    faust_child,
    raw_child,
    timed_run,
    worker_child,
)
from bench.latency import TICK, Latency, measure_latency
from bench.results import Result, at_least, at_most
from convtrack.broker import EmbeddedBroker, free_port
from convtrack.settings import Settings
from convtrack.simulator import SimulationConfig, simulate
from convtrack.sinks import connect, parse_dsn

BATCH_EVENTS = 500
RAW_TARGET, RAW_STRETCH, FAUST_TARGET, P99_TARGET = 0.25, 0.5, 0.8, 2.0


@dataclass(frozen=True, slots=True)
class Volumes:
    batched: SimulationConfig
    one_event: SimulationConfig
    latency: SimulationConfig
    """Days of traffic offered at `latency_rate`: event time runs thousands of times faster
    than the clock, so most batches open new metric windows (a catch-up, or a backfill)."""
    live: SimulationConfig
    """A dense simulated minute: event time runs ~4.5 times faster than the clock, as close to
    live traffic at `latency_rate` as the simulator's scale allows."""
    warmup: int
    """Leading lines of each simulation produced before the clock starts."""
    latency_rate: int
    """Events per second offered in the latency run."""
    latency_seconds: float
    timeout: float
    """Longest wait for any one step (a warm-up, a drain) before the bench gives up."""


FULL = Volumes(
    batched=SimulationConfig(seed=61, duration=timedelta(days=3), conversations=8_800),
    one_event=SimulationConfig(seed=62, duration=timedelta(days=3), conversations=8_000),
    latency=SimulationConfig(seed=63, duration=timedelta(days=3), conversations=11_000),
    live=SimulationConfig(seed=64, duration=timedelta(minutes=1), conversations=30_000),
    warmup=2_000,
    latency_rate=5_000,
    latency_seconds=15,
    timeout=150,
)
"""About 60k batched and 55k one-event events (enough that faust's 1 s commit interval is a small
part of each run), and twice 15 s at 5k events/s: ~4 min here."""


@contextmanager
def _broker(broker: EmbeddedBroker | None) -> Iterator[EmbeddedBroker]:
    """The caller's broker, or one of our own, stopped at the end (Tansu keeps all in memory)."""
    if broker is not None:
        yield broker
        return
    with EmbeddedBroker() as own:
        yield own


def _check_store(settings: Settings, events: int) -> None:
    """A worker that dead-letters everything would look fast: most events must be stored."""
    client = connect(parse_dsn(settings.clickhouse_dsn, settings.data_dir))
    try:
        stored = client.query("SELECT count() FROM events").result_rows[0][0]
    finally:
        client.close()
    if stored < events // 2:
        raise RuntimeError(f"the worker stored {stored:,} of {events:,} events")


def _throughput(
    broker: EmbeddedBroker, directory: Path, volumes: Volumes, batch_events: int
) -> tuple[Timed, Timed, int]:
    """(worker, baseline, records) over the same records, each on its own topics and group."""
    kind = "batched" if batch_events > 1 else "single"
    base = bench_settings(broker, directory / f"{kind}-base", f"bench-{kind}-base")
    lines = list(simulate(volumes.batched if batch_events > 1 else volumes.one_event))
    warmup = encode(lines[: volumes.warmup], batch_events, base.kafka_partitions)
    records = encode(lines[volumes.warmup :], batch_events, base.kafka_partitions)
    child = (raw_child if batch_events > 1 else faust_child)(base, directory / f"{kind}-base.log")
    baseline = timed_run(child, base, warmup, records, volumes.timeout)
    settings = bench_settings(broker, directory / f"{kind}-worker", f"bench-{kind}-worker")
    child = worker_child(settings, directory / f"{kind}-worker.log")
    worker = timed_run(child, settings, warmup, records, volumes.timeout)
    _check_store(settings, worker.events)
    return worker, baseline, len(records)


def _latency(
    broker: EmbeddedBroker,
    directory: Path,
    name: str,
    simulation: SimulationConfig,
    volumes: Volumes,
) -> Latency:
    settings = bench_settings(
        broker, directory / name, f"bench-{name}", worker_metrics_port=free_port()
    )
    lines = list(simulate(simulation))
    offered = lines[volumes.warmup :][: round(volumes.latency_rate * volumes.latency_seconds)]
    return measure_latency(
        worker_child(settings, directory / f"{name}-worker.log"),
        settings,
        lines[: volumes.warmup],
        offered,
        rate=volumes.latency_rate,
        drain_timeout=volumes.timeout,
    )


def _latency_rows(label: str, latency: Latency) -> list[Result]:
    return [
        Result(f"{label}: stored", latency.stored, f"of {latency.offered:,} events"),
        Result(f"{label}: sustained", latency.sustained, "events/s"),
        Result(f"{label}: event to queryable, p50", latency.percentile(0.5), "s"),
        at_most(f"{label}: event to queryable, p99", latency.percentile(0.99), "s", P99_TARGET),
    ]


def measure(volumes: Volumes = FULL, broker: EmbeddedBroker | None = None) -> list[Result]:
    with tempfile.TemporaryDirectory() as temporary, _broker(broker) as running:
        directory = Path(temporary)
        batched, raw, batched_records = _throughput(running, directory, volumes, BATCH_EVENTS)
        print(
            f"  batched: worker {batched.rate:,.0f} events/s ({batched.frozen:.1f} s frozen), "
            f"raw aiokafka {raw.rate:,.0f} ({raw.frozen:.1f} s frozen)"
        )
        single, bare, _ = _throughput(running, directory, volumes, 1)
        print(
            f"  one-event: worker {single.rate:,.0f} events/s ({single.frozen:.1f} s frozen), "
            f"bare faust {bare.rate:,.0f} ({bare.frozen:.1f} s frozen)"
        )
        latencies = [
            (label, _latency(running, directory, name, simulation, volumes))
            for name, label, simulation in (
                ("latency", "replayed days", volumes.latency),
                ("live", "live-like", volumes.live),
            )
        ]
    ratio = batched.rate / raw.rate
    return [
        Result("batched input", batched.events, f"events in {batched_records:,} records"),
        Result("raw aiokafka getmany + orjson (baseline)", raw.rate, "events/s"),
        Result("worker, batched records", batched.rate, "events/s"),
        Result(
            "worker vs raw aiokafka",
            ratio,
            "x",
            f">= {RAW_TARGET:g} (stretch {RAW_STRETCH:g})",
            ratio >= RAW_TARGET,
        ),
        Result("one-event input", single.events, "events, one per record"),
        Result("bare faust agent, decode only (baseline)", bare.rate, "events/s"),
        Result("worker, one-event records", single.rate, "events/s"),
        at_least("worker vs bare faust agent", single.rate / bare.rate, "x", FAUST_TARGET),
        Result(
            "offered",
            volumes.latency_rate,
            f"events/s for {volumes.latency_seconds:g} s, sent every {TICK * 1000:.0f} ms",
        ),
        *(row for label, latency in latencies for row in _latency_rows(label, latency)),
    ]
