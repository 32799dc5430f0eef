"""Why an input failed the one-pass schema check, worked out only after it failed.

The fast path gives one pydantic error list for everything; a dead letter needs the reason a
producer can act on. So the payload is parsed again with orjson and read top-down: JSON at all,
an object, a known event_type, a known schema_version, and only then field violations.
"""

from dataclasses import dataclass

import orjson
from pydantic import ValidationError

from convtrack.schemas.dead_letter import FieldError, Reason
from convtrack.schemas.registry import SchemaRegistry

MAX_FIELD_ERRORS = 50
"""A dead letter stays small even for an object with thousands of unknown keys."""
_ERRORS_IN_MESSAGE = 3
_MAX_ECHO = 64


@dataclass(frozen=True, slots=True)
class NotJson:
    """The payload is not UTF-8 JSON; `reason` is the parser's explanation."""

    reason: str


Document = object
"""Any parsed JSON value (dict, list, str, int, float, bool or None)."""


@dataclass(frozen=True, slots=True)
class Rejection:
    reason: Reason
    message: str
    errors: tuple[FieldError, ...] = ()


def parse(raw: bytes) -> Document | NotJson:
    try:
        document: Document = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        return NotJson(str(error))
    return document


def classify(
    document: Document | NotJson, error: ValidationError, registry: SchemaRegistry
) -> Rejection:
    if isinstance(document, NotJson):
        return Rejection(Reason.INVALID_JSON, f"not valid UTF-8 JSON: {document.reason}")
    if not isinstance(document, dict):
        kind = json_kind(document)
        return Rejection(Reason.NOT_AN_OBJECT, f"expected a JSON object, got {kind}")
    event_type = document.get("event_type")
    if not isinstance(event_type, str) or event_type not in registry.event_types:
        return _field_rejection(
            Reason.UNKNOWN_EVENT_TYPE,
            "event_type",
            _unknown_event_type(document, event_type, registry),
        )
    versions = registry.versions_of(event_type)
    version = document.get("schema_version")
    if not _is_int(version) or version not in versions:
        known = ", ".join(map(str, versions))
        problem = _version_problem(document, version)
        return _field_rejection(
            Reason.UNKNOWN_SCHEMA_VERSION,
            "schema_version",
            f"schema_version {problem} for event_type {event_type!r}; known versions: {known}",
        )
    prefix: tuple[str | int, ...] = (event_type,) if len(versions) == 1 else (event_type, version)
    return _violation(event_type, version, error, prefix)


def json_kind(document: Document) -> str:
    kinds = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if document is None:
        return "null"
    return kinds.get(type(document), "a number")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _echo(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_ECHO else text[: _MAX_ECHO - 3] + "..."


def _version_problem(document: dict[str, object], version: object) -> str:
    if "schema_version" not in document:
        return "is missing"
    if not _is_int(version):
        return f"must be an integer, got {json_kind(version)}"
    return f"{_echo(version)} is unknown"


def _unknown_event_type(
    document: dict[str, object], event_type: object, registry: SchemaRegistry
) -> str:
    if "event_type" not in document:
        return "event_type is missing"
    if not isinstance(event_type, str):
        return f"event_type must be a string, got {json_kind(event_type)}"
    known = ", ".join(sorted(registry.event_types))
    return f"event_type {_echo(event_type)} is unknown; known types: {known}"


def _field_rejection(reason: Reason, path: str, message: str) -> Rejection:
    return Rejection(reason, message, (FieldError(path=path, error=reason.value, message=message),))


def _violation(
    event_type: str, version: int, error: ValidationError, prefix: tuple[str | int, ...]
) -> Rejection:
    details = error.errors(include_url=False, include_context=False, include_input=False)
    errors = []
    for detail in details[:MAX_FIELD_ERRORS]:
        loc = tuple(detail["loc"])
        # the union tags pydantic puts in front of every location say nothing about the field
        if loc[: len(prefix)] == prefix:
            loc = loc[len(prefix) :]
        path = ".".join(str(part) for part in loc)
        errors.append(FieldError(path=path, error=detail["type"], message=detail["msg"]))
    shown = "; ".join(f"{e.path or 'event'}: {e.message}" for e in errors[:_ERRORS_IN_MESSAGE])
    more = len(details) - _ERRORS_IN_MESSAGE
    suffix = f" (+{more} more)" if more > 0 else ""
    message = f"{event_type} v{version} violates its schema: {shown}{suffix}"
    return Rejection(Reason.SCHEMA_VIOLATION, message, tuple(errors))
