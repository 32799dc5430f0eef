"""The schema registry: every event schema keyed by (event_type, schema_version).

Schemas are discovered from the modules of `convtrack.schemas.events`, so adding a type or a
version is one new file. Two schemas with one key is a programming error and fails at import.
"""

import importlib
import pkgutil
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from types import ModuleType
from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from convtrack.schemas import events as _events_package
from convtrack.schemas.envelope import Event

SchemaKey = tuple[str, int]


class DuplicateSchemaError(TypeError):
    """Two schemas claim the same (event_type, schema_version)."""


class SchemaRegistry(Mapping[SchemaKey, type[Event]]):
    """An immutable set of event schemas. Build a new one to add schemas (tests do)."""

    def __init__(self, schemas: Iterable[type[Event]]) -> None:
        by_key: dict[SchemaKey, type[Event]] = {}
        for schema in schemas:
            key = schema.schema_key()
            if key in by_key and by_key[key] is not schema:
                raise DuplicateSchemaError(
                    f"{key[0]} v{key[1]} is defined twice: {_where(by_key[key])} and "
                    f"{_where(schema)}; a published version is never redefined, add v{key[1] + 1}"
                )
            by_key[key] = schema
        self._by_key = dict(sorted(by_key.items()))

    def __getitem__(self, key: SchemaKey) -> type[Event]:
        return self._by_key[key]

    def __iter__(self) -> Iterator[SchemaKey]:
        return iter(self._by_key)

    def __len__(self) -> int:
        return len(self._by_key)

    def with_schemas(self, *schemas: type[Event]) -> "SchemaRegistry":
        return SchemaRegistry([*self._by_key.values(), *schemas])

    @property
    def event_types(self) -> frozenset[str]:
        return frozenset(event_type for event_type, _ in self._by_key)

    def versions_of(self, event_type: str) -> tuple[int, ...]:
        return tuple(version for name, version in self._by_key if name == event_type)

    @cached_property
    def adapter(self) -> TypeAdapter[Event]:
        """Parses and validates raw JSON into the right schema in one pass.

        A tagged union on event_type, and under it on schema_version where a type has more
        than one version, lets pydantic-core pick the schema without building a dict first.
        """
        members: list[Any] = []
        for event_type in sorted(self.event_types):
            versions = [self._by_key[(event_type, v)] for v in self.versions_of(event_type)]
            if len(versions) == 1:
                members.append(versions[0])
            else:
                members.append(
                    Annotated[Union[tuple(versions)], Field(discriminator="schema_version")]  # noqa: UP007
                )
        if len(members) == 1:
            return TypeAdapter(members[0])
        union: Any = Annotated[Union[tuple(members)], Field(discriminator="event_type")]  # noqa: UP007
        return TypeAdapter(union)


def _where(schema: type[Event]) -> str:
    return f"{schema.__module__}.{schema.__qualname__}"


def schemas_in(module: ModuleType) -> list[type[Event]]:
    """The concrete event schemas a module defines (not the ones it imports)."""
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Event)
        and value is not Event
        and value.__module__ == module.__name__
    ]


def discover(package: ModuleType = _events_package) -> SchemaRegistry:
    schemas: list[type[Event]] = []
    for info in pkgutil.iter_modules(package.__path__, prefix=f"{package.__name__}."):
        schemas.extend(schemas_in(importlib.import_module(info.name)))
    return SchemaRegistry(schemas)


REGISTRY: SchemaRegistry = discover()
"""Every schema convtrack ships."""
