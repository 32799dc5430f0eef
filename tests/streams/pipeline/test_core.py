"""The pipeline core: every input accounted for, and results, alerts included, independent of
batching."""

from collections import Counter
from datetime import timedelta
from itertools import islice
from uuid import UUID

import orjson
import pytest

from convtrack.contracts import ContractBook, load_default_contracts
from convtrack.schemas.dead_letter import DeadLetterV2, FilePosition, Reason
from convtrack.schemas.envelope import Event
from convtrack.schemas.events.exposure_v1 import ExposureV1
from convtrack.simulator import SimulationConfig, simulate
from convtrack.streams.metrics import IngestCounters
from convtrack.streams.pipeline import Output, Pipeline
from convtrack.streams.validate import Pseudonymizer, Validator, ValidEvent
from tests.streams.metrics.support import totals
from tests.streams.validate.support import CONFIG, KEY, make_validator
from tests.worker.alerts_support import embedded
from tests.worker.alerts_support import lines as drop_lines

CONTRACTS = ContractBook.from_tables({}, [])
SIMULATION = SimulationConfig(seed=11, duration=timedelta(hours=12), conversations=600)
RECEIVED = SIMULATION.start + timedelta(days=30)


def run(lines: list[bytes], batch_size: int) -> list[Output]:
    pipeline = Pipeline(Validator(CONFIG, Pseudonymizer(KEY)), CONTRACTS)
    numbered = enumerate(lines, start=1)
    outputs = []
    while batch := [
        (raw, FilePosition(path="sim", line=n)) for n, raw in islice(numbered, batch_size)
    ]:
        outputs.append(pipeline.process(batch, RECEIVED))
    outputs.append(pipeline.finish())
    return outputs


@pytest.fixture(scope="module")
def lines() -> list[bytes]:
    return list(simulate(SIMULATION))


def test_every_input_has_exactly_one_outcome(lines: list[bytes]) -> None:
    outputs = run(lines, 500)
    accounted = sum(len(o.events) + len(o.rejected) + o.duplicates for o in outputs)
    assert accounted == len(lines)
    reasons = Counter(d.reason for o in outputs for d in o.dead_letters)
    assert reasons[Reason.SCHEMA_VIOLATION] > 0
    assert reasons[Reason.DUPLICATE] == sum(o.duplicates for o in outputs) > 0


def test_a_duplicate_is_stored_as_a_dead_letter_but_counted_as_a_duplicate() -> None:
    example = ExposureV1.model_json_schema()["examples"][0]
    event = orjson.dumps(example)
    (output, final) = run([event, b"{not json", event], 3)
    assert [e.event.event_id for e in output.events] == [UUID(example["event_id"])]
    assert [(d.reason, d.source) for d in output.dead_letters] == [
        (Reason.INVALID_JSON, FilePosition(path="sim", line=2)),
        (Reason.DUPLICATE, FilePosition(path="sim", line=3)),
    ]
    assert all(isinstance(d, DeadLetterV2) for d in output.dead_letters)
    assert [d.reason for d in output.rejected] == [Reason.INVALID_JSON]
    assert output.duplicates == 1
    counts = sum(
        (s.counters for s in output.ingest_snapshots + final.ingest_snapshots), IngestCounters()
    )
    assert counts == IngestCounters.of(valid=1, duplicates=1, dead_letters={"invalid_json": 1})


def test_garbage_becomes_dead_letters_and_never_raises() -> None:
    (output, _) = run([b"", b"\xff\xfe", b"[1,2]", b'{"event_type": 3}', b"{" * 10_000], 2)[:2]
    assert output.dead_letters


@pytest.mark.parametrize("batch_size", [1, 97])
def test_stored_metrics_do_not_depend_on_batching(lines: list[bytes], batch_size: int) -> None:
    def stored(outputs: list[Output]) -> object:
        return totals(s for o in outputs for s in o.surface_snapshots)

    assert stored(run(lines, batch_size)) == stored(run(lines, 500))


@pytest.fixture(scope="module")
def drop() -> list[bytes]:
    return drop_lines()


@pytest.mark.parametrize("batch_size", [150, 100_000])
def test_alerts_do_not_depend_on_batching(drop: list[bytes], batch_size: int) -> None:
    # A period is judged on what came before the clock reached its end plus the grace, even
    # when that moment falls inside a batch: the evidence is the same to the last digit, and
    # so is every period's sum the evaluator was given.
    want_alerts, want = embedded(drop, 2_000)
    assert {a.rule.value for a in want_alerts} >= {"relevance_drop"}
    got_alerts, got = embedded(drop, batch_size)
    assert got.judged == want.judged
    assert got_alerts == want_alerts


def test_a_batch_spanning_hours_closes_each_window_once(drop: list[bytes]) -> None:
    # A worker catching up takes hours of a partition in one batch: each checkpoint carries
    # the periods it closes, never again the ones an earlier checkpoint closed.
    pipeline = Pipeline(make_validator(), load_default_contracts())
    output = pipeline.process([(raw, FilePosition(path="sim", line=1)) for raw in drop], RECEIVED)
    assert len(output.checkpoints) >= 9
    closed = [(s.window, s.part) for c in output.checkpoints for s in c.closing.surfaces]
    assert len(closed) == len(set(closed)) > 0


def test_the_same_batching_gives_identical_output(lines: list[bytes]) -> None:
    first, second = run(lines, 250), run(lines, 250)
    assert [o.surface_snapshots for o in first] == [o.surface_snapshots for o in second]
    assert [o.alerts for o in first] == [o.alerts for o in second]


def test_finish_leaves_nothing_unflushed(lines: list[bytes]) -> None:
    pipeline = Pipeline(Validator(CONFIG, Pseudonymizer(KEY)), CONTRACTS)
    pipeline.process([(raw, FilePosition(path="sim", line=1)) for raw in lines[:300]], RECEIVED)
    pipeline.metrics.apply_all(pipeline.attributor.apply(pipeline_last_event(lines)))
    assert pipeline.finish().surface_snapshots, "a change after the last batch must be flushed"
    assert pipeline.finish() == Output()


def pipeline_last_event(lines: list[bytes]) -> Event:
    validator = Validator(CONFIG, Pseudonymizer(KEY))
    for raw in reversed(lines):
        outcome = validator.validate(raw, FilePosition(path="sim", line=1), RECEIVED)
        if isinstance(outcome, ValidEvent) and outcome.event.event_type == "exposure":
            return outcome.event
    raise AssertionError("the simulation has exposures")
