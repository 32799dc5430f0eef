"""Exposure and conversation facts, durable trust, and event-time expiry."""

from datetime import timedelta

from convtrack.contracts import ContractBook
from convtrack.schemas.types import Surface
from convtrack.streams.attribute import (
    Attributor,
    ConversationFact,
    ExposureFact,
    Limits,
    Rating,
    ReturningConverter,
    TrustTracker,
)
from tests.streams.attribute.events import (
    app_invoked,
    at,
    conversion,
    dismissed,
    engagement,
    exposure,
    feedback,
    intent,
    start,
    task_completed,
)

BOOK = ContractBook.from_tables({}, [])
DAY = 24 * 60


def exposure_facts(attributor: Attributor) -> dict[str, ExposureFact]:
    return {f.exposure_id: f for f in attributor.facts() if isinstance(f, ExposureFact)}


def test_exposure_facts_carry_intent_relevance_engagement_feedback_and_dismissals() -> None:
    attributor = Attributor(BOOK)
    for item in [
        intent(0, "travel-tips", commercial=False),
        exposure(1, "e0", "hotels", relevance=0.4),
        intent(2, "hotels"),
        exposure(3, "e1", "hotels", relevance=0.9),
        exposure(3, "e2", "flights", relevance=0.2),
        engagement(4, "e1", "click"),
        app_invoked(5, "e1"),
        task_completed(9),
        engagement(4, "e2", "click"),
        feedback(6, exposure_id="e1", thumb="up"),
        feedback(7, exposure_id="e2", stars=1),
        dismissed(8, "e2", "report"),
        dismissed(8, "e0", "hide"),
    ]:
        attributor.apply(item)
    facts = exposure_facts(attributor)
    e0, e1, e2 = facts["e0"], facts["e1"], facts["e2"]
    assert (e0.intent_category, e0.at_commercial_intent, e0.intent_matched) == (
        "travel-tips",
        False,
        False,
    )
    assert (e1.intent_category, e1.at_commercial_intent, e1.intent_matched) == (
        "hotels",
        True,
        True,
    )
    assert (e2.intent_matched, e2.relevance) == (False, 0.2)
    assert (e1.engaged, e1.deep_engaged, e1.task_completed) == (True, True, True)
    assert (e2.engaged, e2.deep_engaged, e2.task_completed) == (True, False, False)
    assert not e0.engaged
    assert (e1.rating, e1.negative_feedback) == (Rating.UP, False)
    assert (e2.rating, e2.negative_feedback) == (Rating.DOWN, True)
    assert (e0.dismissed, e0.reported, e2.dismissed, e2.reported) == (True, False, False, True)


def test_the_conversation_fact_counts_conversations_with_commercial_intent() -> None:
    attributor = Attributor(BOOK)
    for item in [intent(5, "hotels"), start(0), exposure(6, "e1"), conversion(7)]:
        attributor.apply(item)
    (fact,) = [f for f in attributor.facts() if isinstance(f, ConversationFact)]
    assert (fact.surface, fact.surface_id, fact.started_at) == (
        "vertical",
        "hotels-vertical",
        at(0),
    )
    assert (fact.commercial_intent_at, fact.exposures, fact.conversions) == (at(5), 1, 1)


def test_idle_conversations_expire_in_event_time_and_converted_ones_stay_longer() -> None:
    attributor = Attributor(
        BOOK, Limits(idle_ttl=timedelta(days=1), converted_ttl=timedelta(days=3))
    )
    attributor.apply(intent(0, conv="idle"))
    attributor.apply(conversion(0, conv="bought"))
    assert attributor.expire(at(DAY)) == []
    assert attributor.expire(at(DAY + 1)) == [("acme-travel", "idle")]
    assert attributor.expire(at(3 * DAY + 1)) == [("acme-travel", "bought")]
    assert len(attributor) == 0


def test_a_conversation_expires_by_its_latest_event_and_whether_it_has_converted_since() -> None:
    attributor = Attributor(
        BOOK, Limits(idle_ttl=timedelta(days=1), converted_ttl=timedelta(days=3))
    )
    attributor.apply(intent(0, conv="late"))
    attributor.apply(intent(DAY, conv="late", turn=2))
    attributor.apply(intent(0, conv="bought"))
    attributor.apply(conversion(DAY, conv="bought"))
    assert attributor.expire(at(2 * DAY)) == []
    assert attributor.expire(at(2 * DAY + 1)) == [("acme-travel", "late")]
    assert attributor.expire(at(4 * DAY + 1)) == [("acme-travel", "bought")]


def returning(events_in_order: list[object]) -> list[ReturningConverter]:
    tracker = TrustTracker(BOOK)
    found: list[ReturningConverter] = []
    for item in events_in_order:
        found += tracker.apply(item)  # type: ignore[arg-type]
    return found


def test_a_converter_returning_to_the_same_surface_within_30_days_is_reported_once() -> None:
    found = returning(
        [
            start(0),
            conversion(1),
            start(10 * DAY, conv="c2"),
            start(12 * DAY, conv="c3"),
        ]
    )
    assert found == [
        ReturningConverter(
            "acme-travel", "user-48213", Surface.VERTICAL, "hotels-vertical", "order-1", at(1)
        )
    ]


def test_no_return_after_the_window_on_another_surface_or_in_the_same_conversation() -> None:
    assert returning([conversion(1), start(31 * DAY, conv="late")]) == []
    assert returning([conversion(1), start(DAY, conv="c2", surface_id="flights-vertical")]) == []
    assert returning([conversion(1), start(2)]) == []  # the same conversation c1


def test_a_return_that_arrives_before_the_conversion_still_counts() -> None:
    found = returning([start(5 * DAY, conv="c2"), conversion(1), conversion(1)])
    assert [f.conversion_id for f in found] == ["order-1"]


def test_users_expire_in_event_time() -> None:
    tracker = TrustTracker(BOOK, user_ttl=timedelta(days=2))
    tracker.apply(conversion(0))
    tracker.apply(intent(3 * DAY))  # not a trust event: ignored, keeps nobody alive
    assert tracker.expire(at(2 * DAY)) == []
    assert tracker.expire(at(2 * DAY + 1)) == [("acme-travel", "user-48213")]
