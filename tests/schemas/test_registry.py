"""Every registered schema: its examples parse to it, and the field types are strict."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Literal

import pytest
from pydantic import ValidationError

from convtrack.schemas import events
from convtrack.schemas.envelope import Event
from convtrack.schemas.events.exposure_v1 import ExposureV1
from convtrack.schemas.examples import example
from convtrack.schemas.registry import REGISTRY, DuplicateSchemaError, SchemaRegistry

EXAMPLES = [
    pytest.param(schema, payload, id=f"{event_type}_v{version}-{n}")
    for (event_type, version), schema in REGISTRY.items()
    for n, payload in enumerate(schema.model_json_schema().get("examples", []))
]


def _parse(payload: dict[str, Any]) -> Event:
    return REGISTRY.adapter.validate_json(json.dumps(payload))


def _rejects(payload: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _parse(payload)


def test_every_schema_ships_examples() -> None:
    without = [
        key
        for key, schema in REGISTRY.items()
        if not schema.model_json_schema().get("examples", [])
    ]
    assert without == []


@pytest.mark.parametrize(("schema", "payload"), EXAMPLES)
def test_an_example_parses_to_its_own_schema(schema: type[Event], payload: dict[str, Any]) -> None:
    assert type(_parse(payload)) is schema


@pytest.mark.parametrize(("schema", "payload"), EXAMPLES)
def test_an_example_survives_a_json_round_trip(
    schema: type[Event], payload: dict[str, Any]
) -> None:
    event = _parse(payload)
    assert REGISTRY.adapter.validate_json(event.model_dump_json()) == event


@pytest.mark.parametrize(("schema", "payload"), EXAMPLES)
def test_an_offset_timestamp_is_stored_in_utc(schema: type[Event], payload: dict[str, Any]) -> None:
    event = _parse({**payload, "occurred_at": "2026-11-02T11:15:00.250+02:00"})
    assert event.occurred_at.tzinfo is UTC
    assert event.occurred_at == datetime(2026, 11, 2, 9, 15, 0, 250_000, tzinfo=UTC)


@pytest.mark.parametrize(("schema", "payload"), EXAMPLES)
def test_a_naive_timestamp_is_rejected(schema: type[Event], payload: dict[str, Any]) -> None:
    _rejects({**payload, "occurred_at": "2026-11-02T09:15:00"}, "timezone")


def _exposure(**fields: Any) -> dict[str, Any]:
    """The exposure schema's own first example (a recommendation at relevance 0.87)."""
    payload: dict[str, Any] = ExposureV1.model_json_schema()["examples"][0]
    return {**payload, **fields}


def _conversion(**fields: Any) -> dict[str, Any]:
    payload = example(
        "conversion", 1, conversion_id="order-1", value="12.90", currency="EUR", offer_id="h-1"
    )
    return {**payload, **fields}


def test_the_strictness_helpers_start_from_valid_payloads() -> None:
    _parse(_exposure())
    _parse(_conversion())


def test_an_unknown_field_is_rejected() -> None:
    _rejects(_exposure(note="looks great"), "Extra inputs are not permitted")


def test_a_number_sent_as_a_string_is_rejected() -> None:
    _rejects(_exposure(position="5"), "Input should be a valid integer")


@pytest.mark.parametrize("currency", ["eur", "EURO", "XYZ", "XAU"])
def test_a_currency_must_be_an_active_iso_4217_code(currency: str) -> None:
    _rejects(_conversion(currency=currency), "currency")


def test_a_negative_value_is_rejected() -> None:
    _rejects(_conversion(value="-1.00"), "greater than or equal to 0")


@pytest.mark.parametrize("relevance", [1.5, -0.1])
def test_relevance_is_a_score_between_0_and_1(relevance: float) -> None:
    _rejects(_exposure(relevance=relevance), "relevance")


@pytest.mark.parametrize("field", ["offer_id", "conversation_id", "user_id", "offer_category"])
def test_free_text_cannot_hide_in_an_identifier(field: str) -> None:
    _rejects(_exposure(**{field: "great hotel, ask me why"}), "String should match pattern")


def test_app_events_come_only_from_the_app_surface() -> None:
    payload = example("app_invoked", 1, app_id="booking-app", invoked_by="user")
    _rejects(payload, "app_invoked comes only from surface app")
    assert _parse({**payload, "surface": "app"}).surface == "app"


@pytest.mark.parametrize(
    "rating", [{}, {"thumb": "up", "stars": 4}], ids=["no rating", "two ratings"]
)
def test_feedback_needs_exactly_one_rating(rating: dict[str, Any]) -> None:
    payload = example("feedback", 1, target="exposure", exposure_id="exp-1", **rating)
    _rejects(payload, "give exactly one of thumb")


def test_a_second_schema_with_the_same_key_is_refused() -> None:
    class First(Event):
        event_type: Literal["twin"]
        schema_version: Literal[1]

    class Second(Event):
        description: ClassVar[str] = "Same key, different class."
        event_type: Literal["twin"]
        schema_version: Literal[1]

    with pytest.raises(DuplicateSchemaError, match=r"twin v1 is defined twice.*add v2"):
        SchemaRegistry([First, Second])


def test_discovery_finds_one_schema_per_module_named_after_its_key() -> None:
    files = sorted(
        path.stem for path in Path(events.__file__).parent.glob("*.py") if path.stem != "__init__"
    )
    modules = sorted(schema.__module__.rpartition(".")[2] for schema in REGISTRY.values())
    assert modules == files
    for (event_type, version), schema in REGISTRY.items():
        assert schema.__module__ == f"{events.__name__}.{event_type}_v{version}"
