"""check_compatible: a published schema may only gain optional fields and new wording."""

import copy
from collections.abc import Callable
from typing import Any

import pytest

from convtrack.schemas.compat import check_compatible
from convtrack.schemas.jsonschema import published_schemas, render

Document = dict[str, Any]
EXPOSURE: Document = next(
    render(s) for s in published_schemas() if (s.event_type, s.version) == ("exposure", 1)
)


def _mutated(change: Callable[[Document], object]) -> Document:
    document = copy.deepcopy(EXPOSURE)
    change(document)
    return document


def _add_optional(document: Document) -> None:
    document["properties"]["seat_class"] = {
        "anyOf": [{"$ref": "#/$defs/SeatClass"}, {"type": "null"}],
        "default": None,
    }
    document["$defs"]["SeatClass"] = {"enum": ["economy", "business"], "type": "string"}


def _add_required(document: Document) -> None:
    document["properties"]["price_shown"] = {"type": "boolean"}
    document["required"].append("price_shown")


def _reword(document: Document) -> None:
    document["description"] = "Reworded."
    document["title"] = "Exposure"
    document["examples"] = []
    document["properties"]["relevance"]["description"] = "Now documented."
    document["$defs"]["ExposureKind"]["title"] = "Kind"


def _rename_definition(document: Document) -> None:
    document["$defs"]["Kind"] = document["$defs"].pop("ExposureKind")
    document["properties"]["kind"]["$ref"] = "#/$defs/Kind"


COMPATIBLE = {
    "unchanged": lambda d: None,
    "documentation reworded": _reword,
    "optional field added with its own definition": _add_optional,
    "definition renamed, same content": _rename_definition,
}

INCOMPATIBLE: dict[str, tuple[Callable[[Document], object], list[str]]] = {
    "required field added": (
        _add_required,
        ["price_shown: added as required (a new field must be optional)"],
    ),
    "field removed": (
        lambda d: d["properties"].pop("campaign_id"),
        ["campaign_id: removed"],
    ),
    "type changed": (
        lambda d: d["properties"]["position"].update(type="number"),
        ['position: type changed from "integer" to "number"'],
    ),
    "enum value removed in a shared definition": (
        lambda d: d["$defs"]["ExposureKind"]["enum"].remove("ad"),
        ['kind: enum values removed "ad"'],
    ),
    "enum value added": (
        lambda d: d["$defs"]["ExposureKind"]["enum"].append("banner"),
        ['kind: enum values added "banner"'],
    ),
    "bound tightened": (
        lambda d: d["properties"]["position"].update(maximum=100),
        ["position: maximum changed from 1000 to 100"],
    ),
    "pattern changed in an optional field": (
        lambda d: d["properties"]["campaign_id"]["anyOf"][0].update(pattern="^[a-z]+$"),
        ['campaign_id: pattern changed from "^[A-Za-z0-9][A-Za-z0-9_.:@/-]*$" to "^[a-z]+$"'],
    ),
    "existing field made required": (
        lambda d: d["required"].append("campaign_id"),
        ["campaign_id: is newly required"],
    ),
    "required field made optional": (
        lambda d: d["required"].remove("sponsored"),
        ["sponsored: is no longer required"],
    ),
    "surfaces narrowed": (
        lambda d: d["properties"]["surface"].update(enum=["app"]),
        ['surface: enum values removed "vertical", "ad"'],
    ),
    "optional field made required and non-null": (
        lambda d: (
            d["properties"].update(campaign_id=d["properties"]["campaign_id"]["anyOf"][0]),
            d["required"].append("campaign_id"),
        ),
        [
            "campaign_id: is newly required",
            'campaign_id: changed from {"anyOf": [{"maxLength": 128, "minLength": 1, '
            '"pattern": "^[A-Za-z0-9][A-Za-z0-9_.:@/-]*$", "type": "string"}, {"type": "null"}], '
            '"default": null} to {"maxLength": 128, "minLength": 1, '
            '"pattern": "^[A-Za-z0-9][A-Za-z0-9_.:@/-]*$", "type": "string"}',
        ],
    ),
    "extra fields allowed": (
        lambda d: d.update(additionalProperties=True),
        ["(document): additionalProperties changed from false to true"],
    ),
}


@pytest.mark.parametrize("change", COMPATIBLE.values(), ids=COMPATIBLE.keys())
def test_compatible_changes_pass(change: Callable[[Document], object]) -> None:
    assert check_compatible(EXPOSURE, _mutated(change)) == []


@pytest.mark.parametrize(("change", "problems"), INCOMPATIBLE.values(), ids=INCOMPATIBLE.keys())
def test_incompatible_changes_name_the_field(
    change: Callable[[Document], object], problems: list[str]
) -> None:
    assert check_compatible(EXPOSURE, _mutated(change)) == problems


def test_every_problem_is_reported_not_just_the_first() -> None:
    def two_changes(document: Document) -> None:
        document["properties"].pop("placement")
        document["properties"]["relevance"]["minimum"] = 0.1

    assert check_compatible(EXPOSURE, _mutated(two_changes)) == [
        "placement: removed",
        "relevance: minimum changed from 0.0 to 0.1",
    ]


def test_a_recursive_definition_is_compared_once_without_looping() -> None:
    def tree(leaf_type: str) -> Document:
        return {
            "$defs": {
                "Node": {
                    "properties": {
                        "leaf": {"type": leaf_type},
                        "children": {"items": {"$ref": "#/$defs/Node"}, "type": "array"},
                    },
                    "type": "object",
                }
            },
            "$ref": "#/$defs/Node",
        }

    assert check_compatible(tree("string"), tree("string")) == []
    assert check_compatible(tree("string"), tree("integer")) == [
        'leaf: type changed from "string" to "integer"'
    ]


def test_an_unresolvable_reference_is_a_problem() -> None:
    broken = _mutated(lambda d: d["properties"]["kind"].update({"$ref": "#/$defs/Missing"}))
    assert check_compatible(EXPOSURE, broken) == [
        'kind: current schema has an unresolvable $ref "#/$defs/Missing"'
    ]
