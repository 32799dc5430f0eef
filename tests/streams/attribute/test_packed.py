"""The packed form gives back exactly the state it was packed from, whatever the values."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convtrack.schemas.events.conversion_adjusted_v1 import AdjustmentKind
from convtrack.schemas.events.engagement_v1 import EngagementAction
from convtrack.schemas.events.exposure_dismissed_v1 import DismissAction
from convtrack.schemas.events.exposure_v1 import ExposureKind
from convtrack.schemas.events.feedback_v1 import FeedbackReason, Thumb
from convtrack.schemas.events.intent_detected_v1 import IntentStage
from convtrack.schemas.types import Surface
from convtrack.streams.attribute.layout import KINDS, key_of, revision_of
from convtrack.streams.attribute.packed import pack, unpack
from convtrack.streams.attribute.records import (
    Adjustment,
    AppInvocation,
    Conversion,
    Dismissal,
    Engagement,
    Exposure,
    Feedback,
    Intent,
    Start,
    TaskCompletion,
)
from convtrack.streams.attribute.state import ConversationState

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
# Whole seconds, whole milliseconds and microseconds, seconds to years apart: every time unit
# and width the packer can choose.
times = st.one_of(
    st.integers(0, 90_000).map(lambda s: T0 + timedelta(seconds=s)),
    st.integers(-(10**9), 10**11).map(lambda ms: T0 + timedelta(milliseconds=ms)),
    st.integers(-(10**14), 10**14).map(lambda us: T0 + timedelta(microseconds=us)),
)
ids = st.sampled_from(["e1", "e2", "e3", "x-9", "o1", "order-2", "user-1", "user-2"])
slugs = st.sampled_from(["hotels", "flights", "inline", "spring-sale", "EUR", "USD"])
turns = st.none() | st.integers(0, 100_000)
scores = st.floats(0, 1) | st.integers(0, 1000).map(lambda k: k / 1000) | st.just(-0.0)
money = st.decimals(0, 10**6, places=4, allow_nan=False) | st.sampled_from(
    [Decimal("100.00"), Decimal("1E+2"), Decimal(0)]
)
surfaces = st.sampled_from(Surface)


def _records() -> dict[str, st.SearchStrategy[Any]]:
    return {
        "starts": st.builds(Start, times, surfaces, slugs),
        "intents": st.builds(
            Intent, times, turns, slugs, scores, st.sampled_from(IntentStage), st.booleans()
        ),
        "exposures": st.builds(
            Exposure,
            ids,
            times,
            turns,
            surfaces,
            slugs,
            st.sampled_from(ExposureKind),
            slugs,
            scores,
            st.booleans(),
            slugs,
            st.none() | slugs,
        ),
        "engagements": st.builds(Engagement, ids, st.sampled_from(EngagementAction), times),
        "apps": st.builds(AppInvocation, slugs, times, st.none() | ids),
        "tasks": st.builds(TaskCompletion, slugs, slugs, st.booleans(), times),
        "conversions": st.builds(
            Conversion,
            ids,
            times,
            surfaces,
            slugs,
            ids,
            money,
            slugs,
            st.none() | slugs,
            st.none() | ids,
        ),
        "adjustments": st.builds(
            Adjustment, ids, st.sampled_from(AdjustmentKind), money, slugs, times
        ),
        "feedback": st.builds(
            Feedback,
            times,
            st.none() | ids,
            turns,
            st.none() | st.sampled_from(Thumb),
            st.none() | st.integers(1, 5),
            st.none() | st.sampled_from(FeedbackReason),
        ),
        "dismissals": st.builds(Dismissal, ids, st.sampled_from(DismissAction), times),
    }


@st.composite
def states(draw: st.DrawFn) -> ConversationState:
    user = draw(ids)
    state = ConversationState("acme", draw(ids), user, draw(times))
    state.revision = draw(st.integers(0, 2**32 - 1))
    if draw(st.booleans()):
        state.origin = (draw(times), draw(surfaces), draw(slugs))
    for name, records in _records().items():
        setattr(state, name, tuple(draw(st.lists(records, max_size=4))))
    if draw(st.integers(0, 9)) == 0:  # a few conversations outgrow the narrow counts
        state.intents *= 100
    return state


def snapshot(state: ConversationState) -> dict[str, str]:
    """Every slot by repr: equal values of another type (an enum member and its string, a
    Decimal with another exponent, 0.0 and -0.0) must not pass for the original."""
    return {name: repr(getattr(state, name)) for name in ConversationState.__slots__}


@settings(max_examples=300, deadline=None)
@given(states())
def test_unpack_gives_back_the_packed_state(state: ConversationState) -> None:
    blob = pack(state)
    assert snapshot(unpack(state.key, blob)) == snapshot(state)
    assert key_of(blob) == state.conversation_id
    assert revision_of(blob) == state.revision


def test_every_record_kind_has_a_round_trip_strategy() -> None:
    assert [kind.name for kind in KINDS] == list(_records())


def test_a_typical_conversation_packs_small() -> None:
    state = ConversationState("acme", "conv-00000001", "user-48213", T0)
    state.origin = (T0, Surface.VERTICAL, "hotels-vertical")
    state.exposures = tuple(
        Exposure(
            f"exp-{n}",
            T0,
            1,
            Surface.VERTICAL,
            "hotels",
            ExposureKind.AD,
            "hotels",
            0.8,
            False,
            "inline",
            None,
        )
        for n in range(3)
    )
    state.engagements = (Engagement("exp-1", EngagementAction.CLICK, T0),)
    # header 10, key 14, counts 10, one byte per small int, two per time/shared/float, ids
    assert len(pack(state)) < 90


def test_a_turn_below_zero_is_refused() -> None:
    state = ConversationState("acme", "c1", "u1", T0)
    state.intents = (Intent(T0, -1, "hotels", 0.5, IntentStage.DECIDE, True),)
    with pytest.raises(ValueError, match="negative"):
        pack(state)


def test_an_id_with_nul_is_refused() -> None:
    state = ConversationState("acme", "c1", "u\x001", T0)
    with pytest.raises(ValueError, match="NUL"):
        pack(state)
