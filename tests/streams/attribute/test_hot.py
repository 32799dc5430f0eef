"""Keeping conversations unpacked between batches (`Limits.hot`) changes nothing but speed."""

from datetime import timedelta
from itertools import islice

import pytest

from convtrack.contracts import ContractBook
from convtrack.schemas.dead_letter import FilePosition
from convtrack.schemas.envelope import Event
from convtrack.simulator import SimulationConfig, simulate
from convtrack.streams.attribute import Attributor, Change, ConversationKey, Limits
from convtrack.streams.attribute.facts import Fact
from convtrack.streams.validate import Pseudonymizer, Validator, ValidEvent
from tests.streams.validate.support import CONFIG, KEY

SIMULATION = SimulationConfig(seed=23, duration=timedelta(days=4), conversations=400)
RECEIVED = SIMULATION.start + timedelta(days=30)
CONTRACTS = ContractBook.from_tables({"attribution": {"model": "linear"}}, [])
SHORT = {"idle_ttl": timedelta(hours=6), "converted_ttl": timedelta(hours=20)}
"""Short enough that conversations expire, hot or packed, within the simulated days."""

Run = tuple[list[list[Change]], list[list[ConversationKey]], list[Fact], dict[str, int | None]]


@pytest.fixture(scope="module")
def events() -> list[Event]:
    validator = Validator(CONFIG, Pseudonymizer(KEY))
    outcomes = (
        validator.validate(raw, FilePosition(path="sim", line=n), RECEIVED)
        for n, raw in enumerate(simulate(SIMULATION), start=1)
    )
    return [outcome.event for outcome in outcomes if isinstance(outcome, ValidEvent)]


def run(events: list[Event], hot: int, batch: int = 150) -> Run:
    """Changes and evictions per batch, then the final facts and revisions."""
    attributor = Attributor(CONTRACTS, Limits(hot=hot, **SHORT))
    changes, evicted = [], []
    it = iter(events)
    while chunk := list(islice(it, batch)):
        changes.append(attributor.apply_batch(chunk))
        evicted.append(attributor.expire(max(event.occurred_at for event in chunk)))
    revisions = {
        e.conversation_id: attributor.revision(e.tenant_id, e.conversation_id) for e in events
    }
    return changes, evicted, attributor.facts(), revisions


def test_the_simulation_exercises_expiry_and_revisits(events: list[Event]) -> None:
    changes, evicted, facts, _ = run(events, hot=0)
    assert sum(map(len, evicted)) > 50
    assert sum(map(len, changes)) > len(facts) > 100


@pytest.mark.parametrize("hot", [1, 40, 100_000])
def test_any_hot_limit_gives_the_same_changes_evictions_and_facts(
    events: list[Event], hot: int
) -> None:
    assert run(events, hot) == run(events, hot=0)


def test_the_hot_limit_bounds_what_stays_unpacked(events: list[Event]) -> None:
    attributor = Attributor(CONTRACTS, Limits(hot=40, **SHORT))
    attributor.apply_batch(events[:500])
    assert attributor.unpacked == 40
    assert len(attributor) == len({e.conversation_id for e in events[:500]})
