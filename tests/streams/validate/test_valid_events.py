"""The valid path: every shipped example passes, with its user id replaced by a keyed,
per-tenant pseudonym."""

from typing import Any

import orjson
import pytest

from convtrack.schemas.dead_letter import DeadLetter
from convtrack.streams.validate import Pseudonymizer, ValidEvent, is_pseudonym
from tests.streams.validate.support import (
    RAW_USER_ID,
    RECEIVED,
    all_examples,
    exposure,
    make_validator,
    position,
    run,
    stored,
)


def valid(payload: dict[str, Any], key: bytes | None = None) -> ValidEvent:
    validator = make_validator()
    if key is not None:
        validator.pseudonymizer = Pseudonymizer(key)
    outcome = run(validator, payload)
    assert isinstance(outcome, ValidEvent), outcome
    return outcome


@pytest.mark.parametrize("example", all_examples(), ids=lambda e: e["event_type"])
def test_every_shipped_example_is_valid_and_pseudonymized(example: dict[str, Any]) -> None:
    outcome = valid(example)
    event = outcome.event
    assert is_pseudonym(event.user_id)
    assert RAW_USER_ID not in event.model_dump_json()
    assert (event.event_type, event.tenant_id) == (example["event_type"], example["tenant_id"])
    assert outcome.source == position() and outcome.received_at == RECEIVED
    # the pseudonym satisfies the schema's Identifier type
    assert type(event).model_validate_json(event.model_dump_json()) == event


def test_same_key_and_tenant_give_the_same_pseudonym() -> None:
    first = valid(exposure()).event.user_id
    again = valid(exposure(event_id="00000000-0000-4000-8000-000000000001")).event.user_id
    assert first == again


def test_another_tenant_or_another_key_gives_another_pseudonym() -> None:
    base = valid(exposure()).event.user_id
    assert valid(exposure(tenant_id="other-travel")).event.user_id != base
    assert valid(exposure(), key=b"another-key-" + b"0" * 32).event.user_id != base
    assert valid(exposure(user_id="user-48214")).event.user_id != base


def test_an_existing_pseudonym_is_kept_so_output_can_be_validated_again() -> None:
    event = valid(exposure()).event
    again = valid(orjson.loads(event.model_dump_json())).event
    assert again == event


def test_a_scrubbed_dead_letter_replays_to_the_event_it_would_have_been() -> None:
    dead = run(make_validator(), exposure(relevance=1.7))
    assert isinstance(dead, DeadLetter)
    fixed = {**orjson.loads(stored(dead)), "relevance": 0.7}
    assert valid(fixed).event == valid(exposure(relevance=0.7)).event


def test_the_pseudonymizer_never_shows_its_key() -> None:
    pseudonymizer = Pseudonymizer(b"s" * 40)
    assert "sss" not in repr(pseudonymizer)
    with pytest.raises(ValueError, match="at least 32 bytes"):
        Pseudonymizer(b"short")


def test_pseudonym_form() -> None:
    pseudonym = Pseudonymizer(b"k" * 32).pseudonym("acme-travel", "u-1")
    assert pseudonym.startswith("p1_") and len(pseudonym) == 35
    assert is_pseudonym(pseudonym)
    assert not is_pseudonym(pseudonym.upper())
    assert not is_pseudonym(pseudonym + "0")
