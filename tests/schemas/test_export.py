"""The JSON Schema export: self-describing documents, checked in, and v2 beside v1."""

import json
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import pytest
from pydantic import ConfigDict, Field

from convtrack.schemas.compat import check_compatible
from convtrack.schemas.envelope import Event
from convtrack.schemas.events.exposure_v1 import ExposureKind, ExposureV1
from convtrack.schemas.jsonschema import (
    DEAD_LETTER_TYPE,
    DIALECT,
    EXPORT_DIR,
    FileState,
    PublishedSchema,
    plan_export,
    published_schemas,
    render,
    to_bytes,
    write_export,
)
from convtrack.schemas.registry import REGISTRY
from convtrack.schemas.types import Identifier, Slug

CHECKED_IN = Path(__file__).resolve().parents[2] / "schemas" / "json"
SCHEMAS = {(s.event_type, s.version): s for s in published_schemas()}
PUBLISHED = [pytest.param(s, id=f"{s.event_type}_v{s.version}") for s in SCHEMAS.values()]
EVENTS = [p for p in PUBLISHED if not str(p.id).startswith(f"{DEAD_LETTER_TYPE}_")]


class ExposureV2(Event):
    description: ClassVar[str] = "An exposure whose relevance is a percentage."
    model_config = ConfigDict(json_schema_extra={"examples": []})

    event_type: Literal["exposure"]
    schema_version: Literal[2]
    exposure_id: Identifier
    kind: ExposureKind
    offer_id: Identifier
    offer_category: Slug
    placement: Slug
    position: Annotated[int, Field(ge=0, le=1000)]
    relevance_pct: Annotated[int, Field(ge=0, le=100)]
    sponsored: bool


def test_export_covers_every_registry_schema_and_the_dead_letter() -> None:
    assert set(SCHEMAS) == {*REGISTRY, (DEAD_LETTER_TYPE, 1), (DEAD_LETTER_TYPE, 2)}


def test_dead_letter_v2_is_v1_plus_the_duplicate_reason() -> None:
    v1, v2 = (render(SCHEMAS[(DEAD_LETTER_TYPE, version)]) for version in (1, 2))
    assert v2["$defs"]["ReasonCodeV2"]["enum"] == [*v1["$defs"]["ReasonCode"]["enum"], "duplicate"]
    assert v2["required"] == v1["required"]
    assert v2["properties"]["schema_version"]["const"] == 2
    assert set(v2["properties"]) == set(v1["properties"])


@pytest.mark.parametrize("schema", PUBLISHED)
def test_a_document_describes_itself(schema: PublishedSchema) -> None:
    document = render(schema)
    assert document["$schema"] == DIALECT
    assert document["$id"] == f"urn:convtrack:schema:{schema.event_type}:v{schema.version}"
    assert document["title"] == schema.model.__name__
    assert document["description"]
    assert document["additionalProperties"] is False
    assert set(document["properties"]) == set(schema.model.model_fields)


@pytest.mark.parametrize("schema", EVENTS)
def test_event_documents_carry_their_examples(schema: PublishedSchema) -> None:
    assert render(schema)["examples"] == schema.model.model_json_schema()["examples"]


def test_restricted_surfaces_are_part_of_the_document() -> None:
    app_only = render(SCHEMAS[("app_invoked", 1)])["properties"]["surface"]
    assert app_only == {"$ref": "#/$defs/Surface", "enum": ["app"]}
    anywhere = render(SCHEMAS[("exposure", 1)])["properties"]["surface"]
    assert anywhere == {"$ref": "#/$defs/Surface"}


def test_bytes_are_deterministic_sorted_and_end_with_a_newline() -> None:
    document = render(SCHEMAS[("feedback", 1)])
    content = to_bytes(document)
    assert content == to_bytes(render(SCHEMAS[("feedback", 1)]))
    assert content.endswith(b"}\n")
    assert content.decode() == json.dumps(json.loads(content), sort_keys=True, indent=2) + "\n"


def test_checked_in_files_match_the_schemas() -> None:
    assert EXPORT_DIR.resolve() == CHECKED_IN
    drift = [str(f.path) for f in plan_export(CHECKED_IN, SCHEMAS.values()).drift]
    assert drift == [], "schemas/json is out of date: run `convtrack schemas export`"
    exported = {path.relative_to(CHECKED_IN) for path in CHECKED_IN.glob("*/v*.json")}
    assert exported == {schema.relative_path for schema in SCHEMAS.values()}


@pytest.mark.parametrize(
    "schema",
    [
        pytest.param(s, id=f"{s.event_type}_v{s.version}")
        for s in SCHEMAS.values()
        if (CHECKED_IN / s.relative_path).exists()
    ],
)
def test_each_checked_in_file_is_compatible_with_its_schema(schema: PublishedSchema) -> None:
    # A schema not exported yet has nothing to be compatible with; the drift test names it.
    published: dict[str, Any] = json.loads((CHECKED_IN / schema.relative_path).read_text())
    assert check_compatible(published, render(schema)) == []


def test_v2_lives_beside_v1(tmp_path: Path) -> None:
    registry = REGISTRY.with_schemas(ExposureV2)
    v1: dict[str, Any] = ExposureV1.model_json_schema()["examples"][0]
    v2 = {**v1, "schema_version": 2, "relevance_pct": 50}
    del v2["relevance"]
    assert type(registry.adapter.validate_json(json.dumps(v1))) is ExposureV1
    assert type(registry.adapter.validate_json(json.dumps(v2))) is ExposureV2
    assert registry.versions_of("exposure") == (1, 2)

    plan = plan_export(tmp_path, published_schemas(registry))
    assert plan.problems == ()
    write_export(plan)
    for version in (1, 2):
        document = json.loads((tmp_path / "exposure" / f"v{version}.json").read_text())
        assert document["$id"] == f"urn:convtrack:schema:exposure:v{version}"


def test_an_incompatible_change_is_planned_as_a_problem_and_never_written(tmp_path: Path) -> None:
    write_export(plan_export(tmp_path, SCHEMAS.values()))
    published = tmp_path / "exposure" / "v1.json"
    document = json.loads(published.read_text())
    document["properties"]["relevance"]["maximum"] = 0.9
    published.write_text(json.dumps(document))

    plan = plan_export(tmp_path, SCHEMAS.values())
    assert [(p.path, p.message) for p in plan.problems] == [
        (
            published,
            "relevance: maximum changed from 0.9 to 1.0; published schemas are never changed, "
            "add schemas/events/exposure_v2.py instead",
        )
    ]
    with pytest.raises(ValueError, match="must not be written"):
        write_export(plan)


def test_a_compatible_change_is_rewritten(tmp_path: Path) -> None:
    write_export(plan_export(tmp_path, SCHEMAS.values()))
    published = tmp_path / "feedback" / "v1.json"
    document = json.loads(published.read_text())
    document["description"] = "an older wording"
    published.write_text(json.dumps(document))

    plan = plan_export(tmp_path, SCHEMAS.values())
    assert plan.problems == ()
    assert [(f.path, f.state) for f in plan.drift] == [(published, FileState.CHANGED)]
    write_export(plan)
    assert plan_export(tmp_path, SCHEMAS.values()).drift == ()


def test_a_published_file_without_a_schema_is_a_problem(tmp_path: Path) -> None:
    orphan = tmp_path / "retired" / "v1.json"
    orphan.parent.mkdir()
    orphan.write_text("{}")
    (problem,) = plan_export(tmp_path, SCHEMAS.values()).problems
    assert problem.path == orphan
    assert "never removed" in problem.message
