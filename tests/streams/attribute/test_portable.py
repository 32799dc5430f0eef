"""The portable form gives back exactly the state it was made from, in any process."""

import sys

import pytest
from hypothesis import given, settings

from convtrack.schemas.types import Surface
from convtrack.streams.attribute import portable
from convtrack.streams.attribute.state import ConversationState
from tests.streams.attribute.test_packed import T0, snapshot, states


@settings(max_examples=300, deadline=None)
@given(states())
def test_decode_gives_back_the_encoded_state(state: ConversationState) -> None:
    value = portable.encode(state)
    assert portable.is_portable(value)
    assert snapshot(portable.decode(state.key, value)) == snapshot(state)


def test_categorical_strings_come_back_shared() -> None:
    """As `records` makes them: thousands of restored conversations share one copy."""
    state = ConversationState("acme", "c-1", "user-1", T0)
    state.origin = (T0, Surface.VERTICAL, "".join(["hotels-", "vertical"]))
    restored = portable.decode(state.key, portable.encode(state))
    assert restored.origin is not None
    assert restored.origin[2] is sys.intern("hotels-vertical")


def test_an_unknown_format_is_refused_not_misread() -> None:
    state = ConversationState("acme", "c-1", "user-1", T0)
    value = portable.encode(state).replace(b"[1,", b"[2,", 1)
    with pytest.raises(ValueError, match="format 2"):
        portable.decode(state.key, value)
