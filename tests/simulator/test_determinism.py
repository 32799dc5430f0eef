"""Same arguments, same bytes: no wall clock, no global random state, no set order."""

import gzip
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from convtrack.simulator import SimulationConfig, open_jsonl, simulate, write_all

_SHORT = SimulationConfig(seed=3, duration=timedelta(hours=6), conversations=400)


def test_the_same_seed_gives_the_same_bytes() -> None:
    assert list(simulate(_SHORT)) == list(simulate(replace(_SHORT)))


def test_iterating_again_starts_over() -> None:
    simulation = simulate(_SHORT)
    first = list(simulation)
    summary = simulation.summary.to_dict()
    assert list(simulation) == first
    assert simulation.summary.to_dict() == summary


def test_another_seed_gives_other_traffic() -> None:
    first = list(simulate(_SHORT))
    other = list(simulate(replace(_SHORT, seed=4)))
    assert first != other
    assert not set(first) & set(other)


def test_switching_a_fault_off_leaves_the_traffic_alone() -> None:
    with_faults = simulate(_SHORT)
    lines = set(with_faults)
    scenarios = replace(_SHORT.scenarios, duplicate_share=0.0, malformed_share=0.0)
    without = list(simulate(replace(_SHORT, scenarios=scenarios)))
    assert set(without) <= lines
    assert len(without) == with_faults.summary.events


def test_gzip_output_is_reproducible_and_decompresses_to_the_lines(tmp_path: Path) -> None:
    for name in ("a.jsonl.gz", "b.jsonl.gz"):
        write_all(simulate(_SHORT), open_jsonl(str(tmp_path / name)))
    packed = (tmp_path / "a.jsonl.gz").read_bytes()
    assert packed == (tmp_path / "b.jsonl.gz").read_bytes()
    assert gzip.decompress(packed) == b"".join(line + b"\n" for line in simulate(_SHORT))
