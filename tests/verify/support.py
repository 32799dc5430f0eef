"""A simulated day through the real pipeline into a fresh chDB store, every output written with
the sinks' row converters: the input `verify` must find exactly consistent.

On top of the simulation: every schema example (one conversation where everything happens in
the same instant, so the tie-breaking rules are exercised), two conversions no exposure can be
credited for (one names an unknown exposure), and a hotel intent answered by a rental offer,
which only the sample contract's mapping rule counts as intent-matched.
"""

from datetime import timedelta
from itertools import islice
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import orjson
from clickhouse_connect.driver.client import Client

from convtrack.contracts import load_default_contracts
from convtrack.runner import StoreWriter
from convtrack.schemas.dead_letter import FilePosition
from convtrack.simulator import SimulationConfig, simulate
from convtrack.sinks import BatchPolicy, RetryPolicy
from convtrack.streams.pipeline import Output, Pipeline
from convtrack.streams.validate import Pseudonymizer, Validator
from tests.streams.validate.support import CONFIG, KEY, all_examples

CONTRACTS = load_default_contracts()
SIMULATION = SimulationConfig(seed=5, duration=timedelta(days=1), conversations=1_500)
RECEIVED = SIMULATION.start + timedelta(days=30)
BATCH = 500


def inputs() -> list[bytes]:
    examples = all_examples()
    return [*simulate(SIMULATION), *map(orjson.dumps, [*examples, *_extra(examples)])]


def _extra(examples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def like(event_type: str, **changes: Any) -> dict[str, Any]:
        example = next(e for e in examples if e["event_type"] == event_type)
        ident = uuid5(NAMESPACE_URL, orjson.dumps(changes, option=orjson.OPT_SORT_KEYS).decode())
        return {**example, "event_id": str(ident), **changes}

    lonely = {"conversation_id": "conv-lonely"}
    unnamed = like("conversion", **lonely, conversion_id="lonely-2")
    del unnamed["exposure_id"]
    rental = {"conversation_id": "conv-rental", "occurred_at": "2026-11-02T12:00:00Z"}
    return [
        like("conversion", **lonely, conversion_id="lonely-1", exposure_id="exp-unknown"),
        unnamed,
        like("intent_detected", **rental, category="hotels", commercial=True),
        like("exposure", **rental, exposure_id="exp-rental", offer_category="vacation-rentals"),
    ]


def run_pipeline(lines: list[bytes]) -> list[Output]:
    pipeline = Pipeline(Validator(CONFIG, Pseudonymizer(KEY)), CONTRACTS)
    numbered = enumerate(lines, start=1)
    outputs = []
    while batch := [(raw, FilePosition(path="sim", line=n)) for n, raw in islice(numbered, BATCH)]:
        outputs.append(pipeline.process(batch, RECEIVED))
    outputs.append(pipeline.finish())
    return outputs


def store_outputs(client: Client, outputs: list[Output]) -> None:
    writer = StoreWriter(client, BatchPolicy(max_rows=5_000), RetryPolicy())
    for output in outputs:
        writer.write(output)
    writer.flush()
