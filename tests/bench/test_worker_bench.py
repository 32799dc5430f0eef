"""The Kafka section of `make bench` at a tiny volume on the real broker, so its code cannot rot.
Only that every figure comes out and every offered event is seen stored: never timings."""

import math
from datetime import timedelta

from bench.worker import Volumes, measure
from convtrack.broker import EmbeddedBroker
from convtrack.simulator import SimulationConfig

TINY = Volumes(
    batched=SimulationConfig(seed=5, duration=timedelta(hours=4), conversations=60),
    one_event=SimulationConfig(seed=6, duration=timedelta(hours=4), conversations=30),
    latency=SimulationConfig(seed=7, duration=timedelta(hours=4), conversations=60),
    live=SimulationConfig(seed=8, duration=timedelta(minutes=1), conversations=60),
    warmup=100,
    latency_rate=400,
    latency_seconds=0.5,
    timeout=90,
)


LATENCIES = ("event to queryable, p50", "event to queryable, p99")


def test_every_kafka_figure_is_measured(kafka_broker: EmbeddedBroker) -> None:
    results = {r.name: r for r in measure(TINY, kafka_broker)}

    assert list(results) == [
        "batched input",
        "raw aiokafka getmany + orjson (baseline)",
        "worker, batched records",
        "worker vs raw aiokafka",
        "one-event input",
        "bare faust agent, decode only (baseline)",
        "worker, one-event records",
        "worker vs bare faust agent",
        "offered",
        *(
            f"{label}: {figure}"
            for label in ("replayed days", "live-like")
            for figure in ("stored", "sustained", *LATENCIES)
        ),
    ]
    assert all(math.isfinite(r.value) and r.value > 0 for r in results.values())
    for label in ("replayed days", "live-like"):
        assert results[f"{label}: stored"].unit == f"of {round(400 * 0.5):,} events"
        assert results[f"{label}: stored"].value == 200
    for ratio in ("worker vs raw aiokafka", "worker vs bare faust agent"):
        assert results[ratio].met is not None
