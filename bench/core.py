"""Throughput and memory of the pipeline core, as ratios to orjson.loads over the same bytes.

    python -m bench.core

Absolute times depend on the machine; the ratios (and bytes) are what to compare across runs.
Not part of the test suite: run it before and after a change to the core.
"""

import gc
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import timedelta
from itertools import islice
from uuid import uuid4

import orjson

from bench.results import Result, at_most, table
from convtrack.contracts import ContractBook
from convtrack.schemas.dead_letter import FilePosition, SourcePosition
from convtrack.settings import Settings
from convtrack.simulator import SimulationConfig, simulate
from convtrack.streams.pipeline import Pipeline, PipelineConfig
from convtrack.streams.validate import Deduplicator, Pseudonymizer, ValidateConfig, Validator
from tests.streams.attribute.test_memory import bytes_per_conversation

SIMULATION = SimulationConfig(seed=1, duration=timedelta(days=2), conversations=7_000)
RECEIVED = SIMULATION.start + timedelta(days=30)
BATCH = 2_000
RUNS = 3
CONFIG = ValidateConfig(
    max_payload_bytes=65_536,
    future_skew=timedelta(minutes=5),
    lateness=timedelta(days=7),
    dedup_max_ids=1_000_000,
)
KEY = b"bench-key-0123456789abcdef0123456789"
CONTRACTS = ContractBook.from_tables({}, [])
PIPELINE = PipelineConfig(hot_conversations=Settings.model_fields["hot_conversations"].default)
"""What `convtrack replay` runs with by default."""
MEMORY_CONVERSATIONS = 2_000
DEDUP_IDS = 200_000


def best_of(work: Callable[[], object]) -> float:
    """Seconds of the fastest of `RUNS` runs (the least disturbed by the rest of the machine)."""
    times = []
    for _ in range(RUNS):
        gc.collect()
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return min(times)


def positioned(lines: list[bytes]) -> list[tuple[bytes, SourcePosition]]:
    return [(raw, FilePosition(path="bench", line=n)) for n, raw in enumerate(lines, start=1)]


def batches(
    inputs: list[tuple[bytes, SourcePosition]],
) -> Iterator[list[tuple[bytes, SourcePosition]]]:
    it = iter(inputs)
    while batch := list(islice(it, BATCH)):
        yield batch


def loads_all(lines: list[bytes]) -> None:
    for raw in lines:
        try:
            orjson.loads(raw)
        except orjson.JSONDecodeError:
            # the simulator injects broken payloads on purpose; the baseline parses them too
            continue


def validate_all(inputs: list[tuple[bytes, SourcePosition]]) -> None:
    validator = Validator(CONFIG, Pseudonymizer(KEY))
    for raw, source in inputs:
        validator.validate(raw, source, RECEIVED)


def pipeline_all(inputs: list[tuple[bytes, SourcePosition]]) -> None:
    pipeline = Pipeline(Validator(CONFIG, Pseudonymizer(KEY)), CONTRACTS, PIPELINE)
    for batch in batches(inputs):
        pipeline.process(batch, RECEIVED)
    pipeline.finish()


def bytes_per_dedup_id() -> float:
    ids = [uuid4() for _ in range(DEDUP_IDS)]
    at = SIMULATION.start
    dedup = Deduplicator(DEDUP_IDS)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for n, event_id in enumerate(ids):
        dedup.remember(event_id, at + timedelta(seconds=n * 3))
    gc.collect()
    retained = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return retained / DEDUP_IDS


def measure() -> list[Result]:
    lines = list(simulate(SIMULATION))
    inputs = positioned(lines)
    count = len(lines)
    loads = best_of(lambda: loads_all(lines))
    validate = best_of(lambda: validate_all(inputs))
    pipeline = best_of(lambda: pipeline_all(inputs))
    return [
        Result("inputs", count, f"lines of {sum(map(len, lines)) / count:.0f} B"),
        Result("orjson.loads (baseline)", count / loads, "events/s"),
        Result("validate", count / validate, "events/s"),
        Result("validate vs orjson.loads", loads / validate, "x"),
        Result(f"pipeline core, batches of {BATCH:,}", count / pipeline, "events/s"),
        Result("pipeline core vs orjson.loads", loads / pipeline, "x"),
        at_most(
            "attribution state, packed (idle)",
            bytes_per_conversation(MEMORY_CONVERSATIONS),
            "B/live conversation",
            300,
        ),
        Result(
            "unpacked conversation (hot_conversations)",
            bytes_per_conversation(MEMORY_CONVERSATIONS, hot=True),
            "B",
        ),
        Result("deduplication memory", bytes_per_dedup_id(), "B/remembered id"),
    ]


if __name__ == "__main__":
    print(table(measure()))
