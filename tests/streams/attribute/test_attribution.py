"""One small conversation per rule, with the expected numbers written out."""

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from convtrack.contracts import ContractBook
from convtrack.schemas.envelope import Event
from convtrack.streams.attribute import Attributor, Change, ConversionFact, Reason
from tests.streams.attribute.events import (
    ad,
    adjusted,
    at,
    conversion,
    exposure,
    feedback,
    intent,
)


def book(**defaults: Any) -> ContractBook:
    return ContractBook.from_tables(defaults, [])


def run(events: Sequence[Event], contracts: ContractBook | None = None) -> Attributor:
    attributor = Attributor(contracts or book())
    for item in events:
        attributor.apply(item)
    return attributor


def the_conversion(attributor: Attributor) -> ConversionFact:
    (fact,) = [f for f in attributor.facts() if isinstance(f, ConversionFact)]
    return fact


def weights_of(fact: ConversionFact) -> dict[str, float]:
    return {touch.exposure_id: touch.weight for touch in fact.touches}


THREE_TOUCHES = [
    intent(0),
    exposure(10, "e1"),
    exposure(70, "e2"),
    exposure(130, "e3"),
    conversion(190),
]


def test_last_touch_by_default_credits_the_latest_exposure_and_marks_the_assist() -> None:
    fact = the_conversion(run(THREE_TOUCHES))
    assert weights_of(fact) == {"e3": 1.0}
    assert fact.exposure_id == "e3"
    assert fact.assisted
    assert fact.qualified
    assert fact.reasons == ()
    assert fact.time_to_convert == timedelta(minutes=190)
    assert fact.net_value == Decimal("100.00")


def test_first_touch() -> None:
    fact = the_conversion(run(THREE_TOUCHES, book(attribution={"model": "first_touch"})))
    assert weights_of(fact) == {"e1": 1.0}
    assert fact.exposure_id == "e1"


def test_linear_splits_evenly_and_credits_the_latest_on_a_tie() -> None:
    fact = the_conversion(run(THREE_TOUCHES, book(attribution={"model": "linear"})))
    assert weights_of(fact) == pytest.approx({"e1": 1 / 3, "e2": 1 / 3, "e3": 1 / 3})
    assert fact.exposure_id == "e3"


def test_time_decay_halves_per_half_life() -> None:
    # Touches 180, 120 and 60 minutes before the conversion, half-life 60 minutes:
    # raw weights 1/8, 1/4, 1/2 -> normalized 1/7, 2/7, 4/7.
    contracts = book(attribution={"model": "time_decay", "half_life": "1h"})
    fact = the_conversion(run(THREE_TOUCHES, contracts))
    assert weights_of(fact) == pytest.approx({"e1": 1 / 7, "e2": 2 / 7, "e3": 4 / 7})
    assert fact.exposure_id == "e3"


def test_the_window_includes_its_boundary_and_nothing_older() -> None:
    contracts = book(attribution={"window": "1h"})
    on_boundary = the_conversion(run([intent(0), exposure(0, "e1"), conversion(60)], contracts))
    assert on_boundary.exposure_id == "e1"
    assert on_boundary.qualified
    too_old = the_conversion(run([intent(0), exposure(0, "e1"), conversion(61)], contracts))
    assert too_old.exposure_id is None
    assert too_old.reasons == (Reason.UNATTRIBUTED,)


def test_an_exposure_after_the_conversion_gets_no_credit() -> None:
    fact = the_conversion(run([intent(0), conversion(10), exposure(11, "e1")]))
    assert fact.exposure_id is None


def test_an_explicit_exposure_id_wins_over_the_model() -> None:
    events = [*THREE_TOUCHES[:-1], conversion(190, exposure_id="e1")]
    fact = the_conversion(run(events))
    assert weights_of(fact) == {"e1": 1.0}
    assert fact.explicit
    assert not fact.assisted  # nothing came before e1
    assert fact.qualified


def test_an_explicit_exposure_outside_the_window_is_credited_but_not_qualified() -> None:
    events = [intent(0), exposure(0, "e1"), conversion(120, exposure_id="e1")]
    fact = the_conversion(run(events, book(attribution={"window": "1h"})))
    assert fact.exposure_id == "e1"
    assert not fact.in_window
    assert fact.reasons == (Reason.OUTSIDE_WINDOW,)


def test_a_conversion_without_a_touch_is_counted_as_unattributed() -> None:
    fact = the_conversion(run([intent(0), conversion(5, value="42.00")]))
    assert fact.touches == ()
    assert not fact.attributed
    assert not fact.qualified
    assert fact.reasons == (Reason.UNATTRIBUTED,)
    assert fact.value == Decimal("42.00")
    assert fact.time_to_convert == timedelta(minutes=5)


def test_intent_match_by_equality() -> None:
    fact = the_conversion(run([intent(0, "hotels"), exposure(1, "e1", "flights"), conversion(2)]))
    assert not fact.intent_matched
    assert fact.reasons == (Reason.INTENT_MISMATCH,)


def test_intent_match_by_mapping_table() -> None:
    contracts = book(intent_match={"rule": "mapping", "categories": {"hotels": ["rentals"]}})
    events = [intent(0, "hotels"), exposure(1, "e1", "rentals"), conversion(2)]
    fact = the_conversion(run(events, contracts))
    assert fact.intent_matched
    assert fact.intent_category == "hotels"
    assert fact.qualified


def test_only_an_intent_detected_before_the_exposure_counts() -> None:
    fact = the_conversion(run([exposure(1, "e1"), intent(2, "hotels"), conversion(3)]))
    assert fact.reasons == (Reason.NO_INTENT,)


def test_relevance_below_the_minimum_disqualifies() -> None:
    events = [intent(0), exposure(1, "e1", relevance=0.3), conversion(2)]
    fact = the_conversion(run(events, book(min_relevance=0.5)))
    assert fact.relevance == 0.3
    assert fact.reasons == (Reason.LOW_RELEVANCE,)


def test_a_campaign_is_judged_by_its_own_contract() -> None:
    contracts = ContractBook.from_tables(
        {}, [{"surface": "ad", "surface_id": "spring-sale", "min_relevance": 0.9}]
    )
    events = [intent(0), ad(1, "a1", relevance=0.8), conversion(2)]
    fact = the_conversion(run(events, contracts))
    assert (fact.exposure_surface, fact.exposure_surface_id) == ("ad", "spring-sale")
    assert fact.campaign_id == "spring-sale-2026"
    assert fact.reasons == (Reason.LOW_RELEVANCE,)


def conversion_changes(changes: list[Change]) -> list[Change]:
    return [c for c in changes if isinstance(c.fact, ConversionFact)]


def test_a_full_refund_restates_net_value_and_disqualifies_with_a_new_version() -> None:
    attributor = run([intent(0), exposure(1, "e1"), conversion(2)])
    (partial,) = conversion_changes(attributor.apply(adjusted(60, "refund", "40.00")))
    assert isinstance(partial.fact, ConversionFact)
    assert isinstance(partial.previous, ConversionFact)
    assert partial.previous.net_value == Decimal("100.00")
    assert (partial.fact.refunded, partial.fact.net_value) == (Decimal("40.00"), Decimal("60.00"))
    assert partial.fact.qualified  # a partial refund is not a reversal
    (full,) = conversion_changes(attributor.apply(adjusted(120, "return", "60.00")))
    assert isinstance(full.fact, ConversionFact)
    assert full.version > partial.version
    assert full.fact.net_value == Decimal("0.00")
    assert full.fact.reversed
    assert full.fact.reasons == (Reason.REVERSED,)


def test_a_chargeback_after_the_return_window_restates_value_but_stays_qualified() -> None:
    contracts = book(return_window="1d")
    events = [
        intent(0),
        exposure(1, "e1"),
        conversion(2),
        adjusted(2 * 24 * 60, "chargeback", "100"),
    ]
    fact = the_conversion(run(events, contracts))
    assert fact.reversed
    assert not fact.reversed_in_window
    assert fact.net_value == Decimal(0)
    assert fact.qualified
    inside = the_conversion(run([*events[:3], adjusted(60, "chargeback", "100")], contracts))
    assert inside.reasons == (Reason.REVERSED,)


@pytest.mark.parametrize(
    "rating",
    [{"thumb": "down"}, {"stars": 2}, {"thumb": "up", "reason": "misleading"}],
)
def test_negative_feedback_on_the_credited_exposure_disqualifies(rating: dict[str, Any]) -> None:
    attributor = run([intent(0), exposure(1, "e1"), conversion(2)])
    (change,) = conversion_changes(attributor.apply(feedback(3, exposure_id="e1", **rating)))
    assert isinstance(change.fact, ConversionFact)
    assert change.fact.negative_feedback
    assert change.fact.reasons == (Reason.NEGATIVE_FEEDBACK,)
    assert change.fact.regretted


def test_feedback_on_the_turn_of_the_exposure_counts_and_other_feedback_does_not() -> None:
    base = [intent(0), exposure(1, "e1", turn=2), exposure(1, "e0", turn=1), conversion(2)]
    on_turn = the_conversion(run([*base, feedback(3, turn=2, thumb="down")]))
    assert on_turn.reasons == (Reason.NEGATIVE_FEEDBACK,)
    elsewhere = the_conversion(run([*base, feedback(3, exposure_id="e0", thumb="down")]))
    assert elsewhere.qualified
    mild = the_conversion(run([*base, feedback(3, exposure_id="e1", stars=3)]))
    assert mild.qualified


def test_a_late_exposure_that_changes_attribution_restates_the_fact() -> None:
    attributor = run([intent(0), exposure(1, "e1"), conversion(30)])
    (change,) = conversion_changes(attributor.apply(exposure(20, "e2")))
    assert isinstance(change.fact, ConversionFact)
    assert isinstance(change.previous, ConversionFact)
    assert (change.previous.exposure_id, change.fact.exposure_id) == ("e1", "e2")
    assert change.fact.assisted and not change.previous.assisted


def test_a_duplicate_event_changes_nothing() -> None:
    events = [intent(0), exposure(1, "e1"), conversion(2)]
    attributor = run(events)
    assert all(attributor.apply(item) == [] for item in events)


def test_a_refund_that_arrives_before_its_conversion_is_applied_when_it_does() -> None:
    fact = the_conversion(
        run([adjusted(5, "cancel", "0"), intent(0), exposure(1, "e1"), conversion(2)])
    )
    assert fact.reversed
    assert fact.converted_at == at(2)
