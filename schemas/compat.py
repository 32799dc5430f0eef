"""May a current JSON Schema replace a published one? (Snowplow/Iglu rule: a published version is
never edited.) The one allowed change is a new optional property; documentation may be reworded.

`$ref`s are followed rather than compared as strings, so a problem inside a shared definition is
reported at the field that uses it, a renamed definition with the same content is no change, and
definitions that only new properties use are never compared at all.
"""

import json
from collections.abc import Mapping, Sequence
from typing import Any

DOC_KEYS = frozenset({"description", "examples", "title", "$comment"})
"""Keys that change no payload's validity."""
_SUBSCHEMA_KEYS = frozenset(
    {"items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else"}
)
_SUBSCHEMA_LIST_KEYS = frozenset({"anyOf", "oneOf", "allOf", "prefixItems"})
_HANDLED_KEYS = frozenset({"$defs", "$ref", "properties", "required"})
_SHAPE_KEYS = frozenset({"type", "anyOf", "oneOf", "allOf", "enum", "const", "not", "prefixItems"})
"""Keys that say what kind of value a schema is; when they differ, the schema is replaced."""

Schema = Mapping[str, Any]


def check_compatible(published: Schema, current: Schema) -> list[str]:
    """Why `current` may not replace `published`, one human-readable line per problem naming the
    field path; empty when the change is compatible."""
    return _Comparison(published, current).problems


class _Comparison:
    def __init__(self, published: Schema, current: Schema) -> None:
        self._roots = (published, current)
        self._in_progress: set[tuple[int, int]] = set()
        self.problems: list[str] = []
        self._schema(published, current, "")

    def _report(self, path: str, problem: str) -> None:
        self.problems.append(f"{path or '(document)'}: {problem}")

    def _schema(self, old: Any, new: Any, path: str) -> None:
        if not isinstance(old, Mapping) or not isinstance(new, Mapping):
            if old != new:
                self._report(path, f"changed from {_show(old)} to {_show(new)}")
            return
        if "$ref" in old or "$ref" in new:
            self._refs(old, new, path)
            return
        if old.keys() & _SHAPE_KEYS != new.keys() & _SHAPE_KEYS:
            # One line for the whole field: its parts' differences would only be noise.
            self._report(path, f"changed from {_show(_essence(old))} to {_show(_essence(new))}")
            return
        keys = (set(old) | set(new)) - DOC_KEYS - _HANDLED_KEYS
        for key in sorted(keys):
            if key not in new:
                self._report(path, f"{key} removed (was {_show(old[key])})")
            elif key not in old:
                self._report(path, f"{key} added ({_show(new[key])})")
            elif key == "enum":
                self._enum(old[key], new[key], path)
            elif key in _SUBSCHEMA_KEYS and _both_schemas(old[key], new[key]):
                self._schema(old[key], new[key], _child(path, key))
            elif key in _SUBSCHEMA_LIST_KEYS:
                self._alternatives(key, old[key], new[key], path)
            elif old[key] != new[key]:
                self._report(path, f"{key} changed from {_show(old[key])} to {_show(new[key])}")
        self._properties(old, new, path)

    def _refs(self, old: Schema, new: Schema, path: str) -> None:
        old_target, new_target = self._resolve(old, 0, path), self._resolve(new, 1, path)
        if old_target is None or new_target is None:
            return
        pair = (id(old_target or old), id(new_target or new))
        if pair in self._in_progress:  # a recursive definition already being compared
            return
        self._in_progress.add(pair)
        # Inline each side (its own keys narrow the target, e.g. an enum of allowed surfaces)
        # so the comparison sees what each side accepts, whatever the definitions are called.
        self._schema({**old_target, **_without_ref(old)}, {**new_target, **_without_ref(new)}, path)
        self._in_progress.discard(pair)

    def _resolve(self, schema: Schema, side: int, path: str) -> Schema | None:
        ref = schema.get("$ref")
        if ref is None:
            return {}
        target: Any = self._roots[side]
        if isinstance(ref, str) and ref.startswith("#/"):
            for part in ref[2:].split("/"):
                target = target.get(part) if isinstance(target, Mapping) else None
        else:
            target = None
        if not isinstance(target, Mapping):
            which = "published" if side == 0 else "current"
            self._report(path, f"{which} schema has an unresolvable $ref {_show(ref)}")
            return None
        return target

    def _properties(self, old: Schema, new: Schema, path: str) -> None:
        old_props: Schema = old.get("properties", {})
        new_props: Schema = new.get("properties", {})
        old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
        for name in sorted(old_props.keys() - new_props.keys()):
            self._report(_child(path, name), "removed")
        for name in sorted(new_required - old_required):
            if name in old_props:
                self._report(_child(path, name), "is newly required")
            else:
                self._report(_child(path, name), "added as required (a new field must be optional)")
        for name in sorted((old_required - new_required) & new_props.keys()):
            self._report(_child(path, name), "is no longer required")
        for name in sorted(old_props.keys() & new_props.keys()):
            self._schema(old_props[name], new_props[name], _child(path, name))

    def _enum(self, old: Sequence[Any], new: Sequence[Any], path: str) -> None:
        removed = [value for value in old if value not in new]
        added = [value for value in new if value not in old]
        changes = [
            f"{label} {', '.join(_show(v) for v in values)}"
            for label, values in (("removed", removed), ("added", added))
            if values
        ]
        if changes:
            self._report(path, f"enum values {'; '.join(changes)}")

    def _alternatives(self, key: str, old: Any, new: Any, path: str) -> None:
        if not isinstance(old, list) or not isinstance(new, list) or len(old) != len(new):
            self._report(path, f"{key} changed from {_show(old)} to {_show(new)}")
            return
        # Alternatives share the field's path: `thumb: enum ...` reads better than `anyOf[0]`.
        for old_alternative, new_alternative in zip(old, new, strict=True):
            self._schema(old_alternative, new_alternative, path)


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _both_schemas(old: Any, new: Any) -> bool:
    return isinstance(old, Mapping) and isinstance(new, Mapping)


def _essence(schema: Schema) -> dict[str, Any]:
    return {key: value for key, value in schema.items() if key not in DOC_KEYS}


def _without_ref(schema: Schema) -> dict[str, Any]:
    return {key: value for key, value in schema.items() if key != "$ref"}


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
