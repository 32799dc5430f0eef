"""Exposure and conversation counters, from hand-written conversations with the expected
numbers written out (every field of the window is compared)."""

from decimal import Decimal

from convtrack.streams.metrics import SurfaceCounters
from tests.streams.attribute.events import (
    app_invoked,
    dismissed,
    engagement,
    exposure,
    feedback,
    intent,
    start,
    task_completed,
)
from tests.streams.metrics.support import run, window

EVENTS = [
    start(0),
    # e0 comes before any intent: not intent-matched, not at intent; rated down, reported.
    exposure(0.5, "e0", "hotels", relevance=0.9),
    feedback(5, exposure_id="e0", thumb="down"),
    dismissed(6, "e0", "report"),
    intent(1, "hotels", turn=1),
    # e1 at the hotels intent, matched; clicked, then opened in an app that completed a task.
    exposure(2, "e1", "hotels", relevance=0.8, turn=1),
    engagement(3, "e1", "click"),
    feedback(5, exposure_id="e1", thumb="up"),
    app_invoked(7, "e1"),
    task_completed(8),
    # e2 at the same intent but another category; a follow-up, three stars, then hidden.
    exposure(2.5, "e2", "flights", relevance=0.4),
    engagement(4, "e2", "follow_up"),
    feedback(5, exposure_id="e2", stars=3),
    dismissed(6, "e2", "hide"),
]


def test_exposure_counters_land_in_the_exposures_own_minute() -> None:
    windows = run(EVENTS)
    assert windows[window(2)] == SurfaceCounters(
        exposures=2,
        intent_matched_exposures=1,
        exposures_at_intent=2,
        relevance_sum_at_intent=Decimal("1.2"),
        engaged_exposures=2,
        deep_engaged_exposures=2,  # e1 via the app, e2 via the follow-up
        task_completed_exposures=1,
        feedback_up=1,
        feedback_down=0,
        feedback_rated=2,  # the three stars are a neutral rating: rated, neither up nor down
        dismissals=1,
        reports=0,
    )
    assert windows[window(0)] == SurfaceCounters(
        exposures=1,
        feedback_down=1,
        feedback_rated=1,
        reports=1,
        conversations=1,
        conversations_with_commercial_intent=1,
    )
    # The app's own events open no window: only facts count, and they are all on the vertical.
    assert set(windows) == {window(0), window(2)}


def test_a_shallow_engagement_is_engaged_but_not_deep() -> None:
    windows = run([intent(0, "hotels"), exposure(1, "x1"), engagement(2, "x1", "click")])
    counters = windows[window(1)]
    assert (counters.engaged_exposures, counters.deep_engaged_exposures) == (1, 0)


def test_an_informational_intent_is_not_at_intent() -> None:
    windows = run([intent(0, "travel-tips", commercial=False), exposure(1, "x1", "travel-tips")])
    counters = windows[window(1)]
    assert counters.exposures_at_intent == 0
    assert counters.relevance_sum_at_intent == 0
    assert counters.intent_matched_exposures == 1
    assert windows[window(0)].conversations_with_commercial_intent == 0


def test_a_conversation_without_start_counts_at_its_earliest_event() -> None:
    windows = run([exposure(9, "x1", conv="c9"), intent(7, "hotels", conv="c9")])
    assert windows[window(7)] == SurfaceCounters(
        conversations=1, conversations_with_commercial_intent=1
    )
    assert windows[window(9)].exposures == 1


def test_a_late_reaction_restates_the_exposure_minute() -> None:
    windows = run([exposure(1, "x1"), engagement(90, "x1", "save"), dismissed(95, "x1")])
    assert windows[window(1)].deep_engaged_exposures == 1
    assert windows[window(1)].dismissals == 1
    assert window(90) not in windows
