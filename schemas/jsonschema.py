"""JSON Schema export: every schema as a self-describing draft 2020-12 document, one file per type
and version (`<event_type>/v<N>.json`), so producers in any language can validate what they send
against the contract the validator enforces.

Published files are never edited (Snowplow/Iglu rule): an export that would change a published
file incompatibly is refused, and the fix is a new version side by side.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from convtrack.schemas.compat import check_compatible
from convtrack.schemas.dead_letter import DeadLetterV1, DeadLetterV2
from convtrack.schemas.envelope import Event
from convtrack.schemas.registry import REGISTRY, SchemaRegistry
from convtrack.schemas.types import Surface

DIALECT = "https://json-schema.org/draft/2020-12/schema"
DEAD_LETTER_TYPE = "dead_letter"
DEAD_LETTER_VERSIONS: tuple[type[DeadLetterV1 | DeadLetterV2], ...] = (DeadLetterV1, DeadLetterV2)
"""Every published dead-letter version, oldest first (each stays published)."""
EXPORT_DIR = Path(__file__).parent / "json"
"""The checked-in export, beside the schema modules (works from any working directory)."""


@dataclass(frozen=True)
class PublishedSchema:
    """One exportable schema: an event schema from the registry, or the dead-letter model."""

    event_type: str
    version: int
    model: type[BaseModel]
    description: str
    fields: tuple[str, ...]
    """The type-specific fields (for events, those beyond the envelope)."""
    surfaces: tuple[Surface, ...] | None
    """Who may send it; None for the dead letter, which convtrack writes itself."""

    @property
    def relative_path(self) -> Path:
        return Path(self.event_type) / f"v{self.version}.json"

    @property
    def next_module(self) -> str:
        """Where the fix for an incompatible change goes: the next version, side by side."""
        if self.event_type == DEAD_LETTER_TYPE:
            return f"DeadLetterV{self.version + 1} in schemas/dead_letter.py"
        return f"schemas/events/{self.event_type}_v{self.version + 1}.py"


def published_schemas(registry: SchemaRegistry = REGISTRY) -> list[PublishedSchema]:
    """Every event schema of `registry` in key order, then every dead-letter version."""
    envelope = set(Event.model_fields)
    found = [
        PublishedSchema(
            event_type=event_type,
            version=version,
            model=schema,
            description=schema.description,
            fields=tuple(name for name in schema.model_fields if name not in envelope),
            surfaces=tuple(surface for surface in Surface if surface in schema.surfaces),
        )
        for (event_type, version), schema in registry.items()
    ]
    found.extend(
        PublishedSchema(
            event_type=DEAD_LETTER_TYPE,
            version=model.model_fields["schema_version"].default,
            model=model,
            description=(model.__doc__ or "").strip(),
            fields=tuple(model.model_fields),
            surfaces=None,
        )
        for model in DEAD_LETTER_VERSIONS
    )
    return found


def schema_id(event_type: str, version: int) -> str:
    return f"urn:convtrack:schema:{event_type}:v{version}"


def render(schema: PublishedSchema) -> dict[str, Any]:
    """The JSON Schema of what producers send (validation mode), with its identity attached."""
    document = schema.model.model_json_schema(mode="validation")
    if schema.surfaces is not None and set(schema.surfaces) != set(Surface):
        # The envelope's validator rejects other surfaces; say so where producers can see it.
        document["properties"]["surface"] = {
            "$ref": "#/$defs/Surface",
            "enum": [str(surface) for surface in schema.surfaces],
        }
    document.update(
        {
            "$schema": DIALECT,
            "$id": schema_id(schema.event_type, schema.version),
            "title": schema.model.__name__,
            "description": schema.description,
        }
    )
    return document


def to_bytes(document: dict[str, Any]) -> bytes:
    """Deterministic bytes, so an unchanged schema never shows up as a diff."""
    return (json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


class FileState(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class PlannedFile:
    path: Path
    content: bytes
    state: FileState


@dataclass(frozen=True)
class ExportProblem:
    path: Path
    message: str
    """One line that names the field and the fix."""


@dataclass(frozen=True)
class ExportPlan:
    files: tuple[PlannedFile, ...]
    problems: tuple[ExportProblem, ...]
    """Any problem means nothing may be written."""

    @property
    def drift(self) -> tuple[PlannedFile, ...]:
        return tuple(f for f in self.files if f.state is not FileState.UNCHANGED)


def plan_export(directory: Path, schemas: Iterable[PublishedSchema]) -> ExportPlan:
    """What exporting `schemas` into `directory` would write, and what forbids it."""
    files: list[PlannedFile] = []
    problems: list[ExportProblem] = []
    expected: set[Path] = set()
    for schema in schemas:
        path = directory / schema.relative_path
        expected.add(path)
        content = to_bytes(render(schema))
        if not path.exists():
            files.append(PlannedFile(path, content, FileState.NEW))
            continue
        published = path.read_bytes()
        if published == content:
            files.append(PlannedFile(path, content, FileState.UNCHANGED))
            continue
        fix = f"published schemas are never changed, add {schema.next_module} instead"
        problems.extend(
            ExportProblem(path, f"{problem}; {fix}")
            for problem in _published_problems(published, content)
        )
        files.append(PlannedFile(path, content, FileState.CHANGED))
    problems.extend(
        ExportProblem(
            path,
            "published, but no schema defines it any more; restore its schema "
            "(a published version is never removed)",
        )
        for path in sorted(directory.glob("*/v*.json"))
        if path not in expected
    )
    return ExportPlan(tuple(files), tuple(problems))


def _published_problems(published: bytes, current: bytes) -> list[str]:
    try:
        document = json.loads(published)
    except ValueError as error:
        return [f"is not valid JSON ({error})"]
    if not isinstance(document, dict):
        return ["is not a JSON Schema object"]
    current_document: dict[str, Any] = json.loads(current)
    return check_compatible(document, current_document)


def write_export(plan: ExportPlan) -> list[PlannedFile]:
    """Writes the new and changed files of a plan without problems; returns what it wrote."""
    if plan.problems:
        raise ValueError("an export plan with problems must not be written")
    for planned in plan.drift:
        planned.path.parent.mkdir(parents=True, exist_ok=True)
        planned.path.write_bytes(planned.content)
    return list(plan.drift)
