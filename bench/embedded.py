"""The embedded main job end to end: simulated JSON Lines -> pipeline -> ClickHouse (chDB).

Throughput is a ratio to orjson.loads over the same bytes in the same run (issue 5's target:
>= 0.10). Storage is compressed bytes per stored event from system.parts after the parts are
merged, as a long-running store would be (target: <= 40 B).
"""

import tempfile
import time
from datetime import timedelta
from pathlib import Path

import orjson

from bench.core import PIPELINE
from bench.results import Result, at_least, at_most
from convtrack.contracts import load_default_contracts
from convtrack.runner import StoreWriter, run
from convtrack.schemas.dead_letter import FilePosition
from convtrack.simulator import SimulationConfig, simulate
from convtrack.sinks import BatchPolicy, RetryPolicy, connect, migrate, parse_dsn
from convtrack.streams.pipeline import Pipeline
from convtrack.streams.validate import Pseudonymizer, ValidateConfig, Validator

SIMULATION = SimulationConfig(seed=1, duration=timedelta(days=7))
KEY = b"bench-key-0123456789abcdef0123456789"
CONFIG = ValidateConfig(
    max_payload_bytes=65_536,
    future_skew=timedelta(minutes=5),
    lateness=timedelta(days=7),
    dedup_max_ids=1_000_000,
)
_PARTS_SQL = """
SELECT table, sum(data_compressed_bytes), sum(rows)
FROM system.parts WHERE active AND database = currentDatabase() GROUP BY table
"""


def _loads(lines: list[bytes]) -> float:
    began = time.perf_counter()
    for raw in lines:
        try:
            orjson.loads(raw)
        except orjson.JSONDecodeError:
            continue  # the simulator's malformed lines cost the baseline a parse attempt too
    return time.perf_counter() - began


def measure() -> list[Result]:
    lines = list(simulate(SIMULATION))
    inputs = [(raw, FilePosition(path="bench", line=n)) for n, raw in enumerate(lines, 1)]
    baseline = min(_loads(lines) for _ in range(3))
    with tempfile.TemporaryDirectory() as directory:
        client = connect(parse_dsn(f"chdb://{directory}", Path(directory)))
        try:
            migrate(client)
            validator = Validator(CONFIG, Pseudonymizer(KEY))
            pipeline = Pipeline(validator, load_default_contracts(), PIPELINE)
            writer = StoreWriter(client, BatchPolicy(max_rows=50_000), RetryPolicy())
            began = time.perf_counter()
            summary = run(inputs, pipeline, writer)
            seconds = time.perf_counter() - began
            for table in ("events", "dead_letters", "conversion_facts", "surface_metrics"):
                client.command(f"OPTIMIZE TABLE {table} FINAL")
            sizes = {t: (int(b), int(r)) for t, b, r in client.query(_PARTS_SQL).result_rows}
        finally:
            client.close()
    rate = len(lines) / seconds
    event_bytes, event_rows = sizes["events"]
    all_bytes = sum(b for b, _ in sizes.values())
    return [
        Result("inputs", len(lines), "lines"),
        Result("orjson.loads (baseline)", len(lines) / baseline, "events/s"),
        Result("embedded end to end", rate, "events/s"),
        at_least("embedded vs orjson.loads", rate * baseline / len(lines), "x", 0.10),
        at_most("events table", event_bytes / event_rows, "B/event", 40),
        Result("all tables", all_bytes / summary.valid, "B/valid event"),
    ]
