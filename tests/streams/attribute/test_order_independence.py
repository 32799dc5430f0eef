"""Replaying the same events in any order, with duplicates, converges to the same facts."""

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from convtrack.contracts import ContractBook
from convtrack.schemas.envelope import Event
from convtrack.streams.attribute import Attributor, Fact
from tests.streams.attribute.events import (
    ad,
    adjusted,
    app_invoked,
    conversion,
    dismissed,
    engagement,
    exposure,
    feedback,
    intent,
    start,
    task_completed,
)

CONTRACTS = ContractBook.from_tables(
    {"attribution": {"window": "2h"}, "return_window": "1d"},
    [{"surface": "ad", "surface_id": "spring-sale", "attribution": {"model": "time_decay"}}],
)

EVENTS: list[Event] = [
    # c1: two touches, a partial refund then a full one, negative feedback on the credited one.
    start(0),
    intent(1, "hotels", turn=1),
    exposure(2, "e1", turn=1),
    ad(3, "a1", turn=2),
    engagement(4, "e1", "follow_up"),
    conversion(10, "o1"),
    adjusted(60, "refund", "30.00", conversion_id="o1"),
    adjusted(90, "return", "70.00", conversion_id="o1"),
    feedback(11, turn=2, thumb="down"),
    # c2: an explicit exposure, a late intent, an app, a conversion reported on the ad surface.
    intent(0, "flights", conv="c2"),
    exposure(5, "f1", "flights", conv="c2"),
    exposure(6, "f2", "hotels", conv="c2", relevance=0.3),
    intent(5, "hotels", conv="c2"),
    conversion(20, "o2", conv="c2", exposure_id="f1", surface="ad", surface_id="spring-sale"),
    dismissed(7, "f2", "report"),
    # c3: unattributed, then an exposure that arrives late and in window.
    conversion(30, "o3", conv="c3"),
    exposure(29, "g1", conv="c3"),
    intent(28, conv="c3"),
    # c4: app engagement, no conversion.
    exposure(0, "h1", conv="c4"),
    app_invoked(1, "h1", conv="c4"),
    task_completed(2, conv="c4"),
]


def final_facts(events: Sequence[Event]) -> list[Fact]:
    attributor = Attributor(CONTRACTS)
    latest: dict[tuple[str, tuple[str, ...]], tuple[int, Fact]] = {}
    for item in events:
        for change in attributor.apply(item):
            fact_id = (type(change.fact).__name__, change.fact.key)
            assert change.version > latest.get(fact_id, (0, change.fact))[0]
            latest[fact_id] = (change.version, change.fact)
    facts = sorted(attributor.facts(), key=lambda f: (type(f).__name__, f.key))
    # What was emitted, newest version per key, is exactly the final state.
    assert [fact for _, (_, fact) in sorted(latest.items())] == facts
    return facts


REFERENCE = final_facts(EVENTS)


@settings(max_examples=150, deadline=None)
@given(
    order=st.permutations(range(len(EVENTS))),
    duplicates=st.lists(st.integers(0, len(EVENTS) - 1), max_size=10),
)
def test_any_order_with_duplicates_gives_the_same_facts(
    order: list[int], duplicates: list[int]
) -> None:
    replay = [EVENTS[i] for i in order]
    for position, index in enumerate(duplicates):
        replay.insert((position * 7) % (len(replay) + 1), EVENTS[index])
    assert final_facts(replay) == REFERENCE


def test_the_reference_exercises_what_it_should() -> None:
    kinds = {type(fact).__name__ for fact in REFERENCE}
    assert kinds == {"ConversationFact", "ConversionFact", "ExposureFact"}
    assert len(REFERENCE) == 4 + 6 + 3  # conversations, exposures, conversions
