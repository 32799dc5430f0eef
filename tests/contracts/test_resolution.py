"""Contract resolution: most specific scope wins, overrides overlay field by field."""

from datetime import timedelta
from typing import Any

import pytest

from convtrack.contracts import (
    AttributionModel,
    ContractBook,
    ContractError,
    IntentMatch,
    QualityContract,
    load_default_contracts,
)
from convtrack.schemas.types import Surface

BOOK = ContractBook.from_tables(
    {"attribution": {"window": "7d"}, "min_relevance": 0.4},
    [
        {"surface": "ad", "surface_id": "spring-sale", "attribution": {"window": "1d"}},
        {"tenant": "acme", "min_relevance": 0.6, "attribution": {"model": "linear"}},
        {"surface": "ad", "min_relevance": 0.7},
        {"tenant": "acme", "surface": "ad", "contract_version": 3},
    ],
)


def test_defaults_fill_what_the_file_leaves_out() -> None:
    contract = BOOK.resolve("other", Surface.VERTICAL, "hotels")
    assert contract.attribution.window == timedelta(days=7)
    assert contract.attribution.model is AttributionModel.LAST_TOUCH
    assert contract.min_relevance == 0.4
    assert contract.return_window == timedelta(days=30)


def test_surface_id_beats_surface_beats_tenant_field_by_field() -> None:
    contract = BOOK.resolve("acme", Surface.AD, "spring-sale")
    assert contract.attribution.window == timedelta(days=1)  # surface_id
    assert contract.attribution.model is AttributionModel.LINEAR  # tenant, kept under it
    assert contract.min_relevance == 0.7  # surface beats tenant
    assert contract.contract_version == 3  # tenant + surface


def test_an_override_applies_only_where_its_scope_covers() -> None:
    assert BOOK.resolve("acme", Surface.VERTICAL, "hotels").min_relevance == 0.6
    assert BOOK.resolve("other", Surface.AD, "winter").min_relevance == 0.7
    assert BOOK.resolve("other", Surface.AD, "winter").attribution.window == timedelta(days=7)
    assert BOOK.resolve("acme").min_relevance == 0.6  # tenant-wide, e.g. dead-letter spikes


def test_a_category_table_is_replaced_whole_not_merged() -> None:
    book = ContractBook.from_tables(
        {"intent_match": {"rule": "mapping", "categories": {"hotels": ["rentals"]}}},
        [{"tenant": "acme", "intent_match": {"categories": {"flights": ["packages"]}}}],
    )
    rule = book.resolve("acme", Surface.VERTICAL, "x").intent_match
    assert rule.rule is IntentMatch.MAPPING
    assert rule.categories == {"flights": ("packages",)}
    assert rule.matches("hotels", "hotels")  # not in the table: equality
    assert not rule.matches("flights", "flights")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", 90),
        ("30m", 1800),
        ("12h", 43_200),
        ("7d", 604_800),
        ("2w", 1_209_600),
        ("P1D", 86_400),
        (3600, 3600),
    ],
)
def test_durations(text: Any, expected: int) -> None:
    contract = QualityContract.model_validate({"return_window": text})
    assert contract.return_window == timedelta(seconds=expected)


@pytest.mark.parametrize(
    ("overrides", "path", "error_type"),
    [
        (
            [{"tenant": "a", "min_relevance": 2}],
            ("overrides", 0, "min_relevance"),
            "less_than_equal",
        ),
        (
            [{"tenant": "a", "attribution": {"modle": 1}}],
            ("overrides", 0, "attribution", "modle"),
            "extra_forbidden",
        ),
        ([{"surface_id": "x"}], ("overrides", 0), "value_error"),
        ([{"surface": "radio"}], ("overrides", 0, "surface"), "enum"),
        ([{"tenant": "a"}, {"tenant": "a"}], ("overrides", 1), "duplicate_scope"),
    ],
)
def test_every_problem_is_reported_with_its_path(
    overrides: list[dict[str, Any]], path: tuple[str | int, ...], error_type: str
) -> None:
    with pytest.raises(ContractError) as raised:
        ContractBook.from_tables({}, overrides)
    assert [(p.path, p.error_type) for p in raised.value.problems] == [(path, error_type)]


def test_the_contract_is_frozen() -> None:
    contract = QualityContract()
    with pytest.raises(ValueError, match="frozen"):
        contract.min_relevance = 0.1  # type: ignore[misc]


def test_the_shipped_sample_loads_from_the_package() -> None:
    book = load_default_contracts()
    assert len(book.scopes) == 3
    spring = book.resolve("acme-travel", Surface.AD, "spring-sale")
    assert spring.attribution.model is AttributionModel.TIME_DECAY
    assert spring.attribution.window == timedelta(days=1)
    assert spring.min_relevance == 0.65
