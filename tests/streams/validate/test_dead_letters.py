"""One test per dead-letter reason: the code, a message naming the field, the payload kept for
replay (without the raw user id), and the source position. A duplicate's is built from the
validate stage's `Duplicate` outcome (the pipeline does it)."""

from datetime import timedelta
from typing import Any, Literal

import orjson
import pytest

from convtrack import __version__
from convtrack.schemas.dead_letter import DeadLetter, DeadLetterV2, KafkaPosition, Reason, Stage
from convtrack.schemas.envelope import Event
from convtrack.schemas.registry import REGISTRY
from convtrack.streams.validate import Duplicate, Pseudonymizer, Validator
from convtrack.streams.validate.deadletter import duplicate_dead_letter
from tests.streams.validate.support import (
    CONFIG,
    EXAMPLE_TIME,
    KEY,
    RAW_USER_ID,
    RECEIVED,
    at,
    exposure,
    make_validator,
    position,
    run,
    stored,
)

PSEUDONYM = Pseudonymizer(KEY).pseudonym("acme-travel", RAW_USER_ID)


def rejected(payload: dict[str, Any] | bytes, reason: Reason, **config: Any) -> DeadLetter:
    validator = make_validator(**config)
    outcome = run(validator, payload, position(7))
    assert isinstance(outcome, DeadLetter), outcome
    assert outcome.reason is reason
    assert outcome.stage is Stage.VALIDATE
    assert outcome.source == position(7)
    assert outcome.received_at == RECEIVED
    assert outcome.processor_version == __version__
    assert validator.stats.dead_letters[reason] == 1
    assert validator.stats.processed == 1
    return outcome


def assert_scrubbed(dead_letter: DeadLetter, payload: dict[str, Any]) -> None:
    """Stored with the user id pseudonymized and nothing else changed."""
    assert RAW_USER_ID.encode() not in stored(dead_letter)
    assert orjson.loads(stored(dead_letter)) == {**payload, "user_id": PSEUDONYM}


def test_invalid_json_keeps_the_bytes_and_still_scrubs_a_visible_user_id() -> None:
    raw = b'{"tenant_id": "acme-travel", "user_id": "user-48213", "event_type": "exp'
    dead = rejected(raw, Reason.INVALID_JSON)
    assert "JSON" in dead.message
    assert stored(dead) == raw.replace(RAW_USER_ID.encode(), PSEUDONYM.encode())
    assert dead.payload_bytes == len(raw)


def test_non_utf8_is_invalid_json_stored_as_received() -> None:
    raw = b'{"event_type": "\xff\xfe"}'
    dead = rejected(raw, Reason.INVALID_JSON)
    assert "UTF-8" in dead.message
    assert stored(dead) == raw


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"exposure"', b"42", b"null"])
def test_not_an_object(raw: bytes) -> None:
    dead = rejected(raw, Reason.NOT_AN_OBJECT)
    assert "JSON object" in dead.message
    assert stored(dead) == raw


@pytest.mark.parametrize(
    ("event_type", "said"),
    [("clik", "'clik' is unknown"), (3, "must be a string"), (None, "is missing")],
)
def test_unknown_event_type(event_type: object, said: str) -> None:
    payload = exposure(event_type=event_type)
    if event_type is None:
        del payload["event_type"]
    dead = rejected(payload, Reason.UNKNOWN_EVENT_TYPE)
    assert dead.message.startswith("event_type ") and said in dead.message
    assert [e.path for e in dead.errors] == ["event_type"]
    assert_scrubbed(dead, payload)
    assert dead.tenant_id == "acme-travel"
    assert dead.event_id == payload["event_id"]


@pytest.mark.parametrize("version", [9, "1", None])
def test_unknown_schema_version(version: object) -> None:
    payload = exposure(schema_version=version)
    if version is None:
        del payload["schema_version"]
    dead = rejected(payload, Reason.UNKNOWN_SCHEMA_VERSION)
    assert "schema_version" in dead.message and "'exposure'" in dead.message
    assert [e.path for e in dead.errors] == ["schema_version"]
    assert dead.event_type == "exposure"
    assert_scrubbed(dead, payload)


def test_schema_violation_names_each_field_without_the_union_tag() -> None:
    payload = exposure(relevance=1.5, occurred_at="2026-11-02T09:15:00")
    dead = rejected(payload, Reason.SCHEMA_VIOLATION)
    assert {e.path for e in dead.errors} == {"relevance", "occurred_at"}
    assert "relevance" in dead.message and "occurred_at" in dead.message
    assert_scrubbed(dead, payload)


def test_schema_violation_strips_the_version_tag_too_when_a_type_has_versions() -> None:
    class ExposureV2(Event):
        event_type: Literal["exposure"]
        schema_version: Literal[2]
        shown_for_ms: int

    validator = Validator(CONFIG, Pseudonymizer(KEY), REGISTRY.with_schemas(ExposureV2))
    outcome = run(validator, exposure(relevance=-1))
    assert isinstance(outcome, DeadLetter)
    assert [e.path for e in outcome.errors] == ["relevance"]


def test_a_bad_user_id_is_a_violation_and_still_never_stored_raw() -> None:
    payload = exposure(user_id="user 48213 with spaces")
    dead = rejected(payload, Reason.SCHEMA_VIOLATION)
    assert [e.path for e in dead.errors] == ["user_id"]
    assert b"user 48213" not in stored(dead)


def test_a_numeric_user_id_is_pseudonymized_like_its_string_form() -> None:
    payload = exposure(user_id=48213)
    dead = rejected(payload, Reason.SCHEMA_VIOLATION)
    expected = Pseudonymizer(KEY).pseudonym("acme-travel", "48213")
    assert orjson.loads(stored(dead))["user_id"] == expected


def test_future_timestamp() -> None:
    payload = at(RECEIVED + timedelta(minutes=6))
    dead = rejected(payload, Reason.FUTURE_TIMESTAMP)
    assert "occurred_at" in dead.message and "CONVTRACK_FUTURE_SKEW" in dead.message
    assert [e.path for e in dead.errors] == ["occurred_at"]
    assert_scrubbed(dead, payload)


def test_too_late() -> None:
    validator = make_validator()
    run(validator, at(EXAMPLE_TIME))
    payload = at(EXAMPLE_TIME - timedelta(days=7, seconds=1))
    source = KafkaPosition(topic="convtrack.events.raw", partition=3, offset=42)
    dead = run(validator, payload, source)
    assert isinstance(dead, DeadLetter)
    assert dead.reason is Reason.TOO_LATE
    assert "occurred_at" in dead.message and "CONVTRACK_LATENESS" in dead.message
    assert dead.source == source
    assert_scrubbed(dead, payload)


def test_payload_too_large() -> None:
    payload = exposure(campaign_id="x" * 300)
    dead = rejected(payload, Reason.PAYLOAD_TOO_LARGE, max_payload_bytes=256)
    assert "CONVTRACK_MAX_PAYLOAD_BYTES" in dead.message and "256" in dead.message
    assert dead.payload_bytes == len(orjson.dumps(payload))
    assert_scrubbed(dead, payload)


def test_dead_letter_id_is_deterministic_per_position_and_payload() -> None:
    def letter_id(payload: bytes, line: int) -> str:
        outcome = run(make_validator(), payload, position(line))
        assert isinstance(outcome, DeadLetter)
        return outcome.dead_letter_id

    assert letter_id(b"[1]", 1) == letter_id(b"[1]", 1)
    assert letter_id(b"[1]", 1) != letter_id(b"[1]", 2)
    assert letter_id(b"[1]", 1) != letter_id(b"[2]", 1)


def test_a_dead_letter_round_trips_through_its_json_form() -> None:
    dead = rejected(exposure(relevance=3), Reason.SCHEMA_VIOLATION)
    assert DeadLetter.model_validate_json(dead.model_dump_json()) == dead


def test_labels_read_from_a_payload_are_bounded() -> None:
    dead = rejected(exposure(event_type="x" * 1000), Reason.UNKNOWN_EVENT_TYPE)
    assert dead.event_type == "x" * 128
    assert len(dead.message) < 1000


def test_a_duplicate_is_a_v2_dead_letter_of_the_pseudonymized_event() -> None:
    validator = make_validator()
    run(validator, exposure())
    resent = exposure(relevance=0.1)  # the same event_id with other content: still a duplicate
    outcome = run(validator, resent, position(8))
    assert isinstance(outcome, Duplicate)
    dead = duplicate_dead_letter(outcome)
    assert isinstance(dead, DeadLetterV2) and dead.schema_version == 2
    assert (dead.stage, dead.reason) == (Stage.VALIDATE, Reason.DUPLICATE)
    assert f"event_id {resent['event_id']} was already accepted" in dead.message
    assert RAW_USER_ID.encode() not in stored(dead)
    assert REGISTRY.adapter.validate_json(stored(dead)) == outcome.event
    assert orjson.loads(stored(dead))["user_id"] == PSEUDONYM
    assert dead.payload_bytes == len(orjson.dumps(resent))
    assert (dead.source, dead.received_at, dead.processor_version) == (
        position(8),
        RECEIVED,
        __version__,
    )
    assert (dead.tenant_id, dead.event_type, dead.event_id) == (
        "acme-travel",
        "exposure",
        resent["event_id"],
    )
    assert dead.dead_letter_id == duplicate_dead_letter(outcome).dead_letter_id
    elsewhere = run(validator, resent, position(9))
    assert isinstance(elsewhere, Duplicate)
    assert duplicate_dead_letter(elsewhere).dead_letter_id != dead.dead_letter_id
    # counted as duplicates, never among the dead letters of rejected input
    assert validator.stats.duplicates == 2
    assert validator.stats.dead_lettered == 0 and validator.stats.processed == 3
