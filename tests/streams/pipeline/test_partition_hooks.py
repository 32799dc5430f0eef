"""What a Kafka partition's pipeline needs of the core: trust and alerts switched off (they run
elsewhere), metric versions at least the offset floor, conversations restored on first touch."""

from datetime import timedelta
from itertools import islice

from convtrack.contracts import load_default_contracts
from convtrack.schemas.dead_letter import FilePosition
from convtrack.simulator import SimulationConfig, simulate
from convtrack.streams.pipeline import Pipeline, PipelineConfig
from convtrack.streams.validate import Pseudonymizer, Validator
from tests.streams.validate.support import CONFIG, KEY

CONTRACTS = load_default_contracts()
SIMULATION = SimulationConfig(seed=12, duration=timedelta(days=2), conversations=400)
RECEIVED = SIMULATION.start + timedelta(days=30)


def batches(size: int = 400) -> list[list[tuple[bytes, FilePosition]]]:
    numbered = enumerate(simulate(SIMULATION), 1)
    out = []
    while batch := [(raw, FilePosition(path="s", line=n)) for n, raw in islice(numbered, size)]:
        out.append(batch)
    return out


def pipeline(config: PipelineConfig) -> Pipeline:
    return Pipeline(Validator(CONFIG, Pseudonymizer(KEY)), CONTRACTS, config)


def test_a_partition_pipeline_leaves_trust_and_alerts_to_others() -> None:
    everything, partial = (
        pipeline(PipelineConfig()),
        pipeline(PipelineConfig(trust=False, alerts=False)),
    )
    full = [everything.process(b, RECEIVED) for b in batches()] + [everything.finish()]
    part = [partial.process(b, RECEIVED) for b in batches()] + [partial.finish()]
    assert any(o.returning for o in full)
    assert not any(o.returning or o.alerts for o in part)
    assert [len(o.changes) for o in part] == [len(o.changes) for o in full]


def test_metric_versions_are_at_least_the_floor_and_keep_growing() -> None:
    subject = pipeline(PipelineConfig(trust=False, alerts=False))
    seen: dict[object, int] = {}
    for floor, batch in enumerate(batches(), start=1):
        for snapshot in subject.process(
            batch, RECEIVED, version_floor=floor * 1000
        ).surface_snapshots:
            slot = snapshot.window, snapshot.part
            assert snapshot.version >= floor * 1000
            assert snapshot.version > seen.get(slot, 0)
            seen[slot] = snapshot.version
    assert seen
