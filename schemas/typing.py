"""What Python classes a field annotation admits, so storage can tell whether a column fits."""

from types import NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin


def kinds_of(annotation: Any) -> frozenset[type]:
    """The classes an annotation admits, through Annotated[...], Literal and unions, without
    None: `Annotated[int, Field(ge=0)] | None` -> {int}."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return kinds_of(get_args(annotation)[0])
    if origin in (Union, UnionType):
        return frozenset(kind for arg in get_args(annotation) for kind in kinds_of(arg))
    if str(origin) == "typing.Literal":
        return frozenset(type(value) for value in get_args(annotation))
    if annotation is NoneType or not isinstance(annotation, type):
        return frozenset()
    return frozenset({annotation})


def fits(accepted: frozenset[type], stored: frozenset[type]) -> bool:
    """Every class a field accepts is one the column stores (a StrEnum fits a str column)."""
    return bool(accepted) and all(issubclass(kind, tuple(stored)) for kind in accepted)
