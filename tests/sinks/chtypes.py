"""The Python type a ClickHouse column type reads and writes as, for the drift test."""

import re
import types
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, Union, get_args, get_origin
from uuid import UUID

_SCALARS: dict[str, Any] = {
    "String": str,
    "UUID": UUID,
    "Bool": bool,
    "Float32": float,
    "Float64": float,
}
_GENERIC_TUPLE: Any = tuple
"""Subscripted with types found at run time, which a static `tuple[...]` cannot be."""
_GENERIC_DICT: Any = dict
_WRAPPER = re.compile(r"^(\w+)\((.*)\)$")


def python_type(clickhouse_type: str) -> Any:
    """`Nullable(X)` -> X | None, `Array(X)` -> tuple[X, ...], `Tuple(a A, b B)` -> tuple[A, B],
    `Map(K, V)` -> dict[K, V]; integers, decimals, DateTime and DateTime64 by family."""
    if clickhouse_type in _SCALARS:
        return _SCALARS[clickhouse_type]
    if re.fullmatch(r"U?Int\d+", clickhouse_type):
        return int
    match = _WRAPPER.match(clickhouse_type)
    family, inner = match.groups() if match else ("", "")
    if family not in _FAMILIES:
        raise ValueError(f"no Python type known for {clickhouse_type}")
    return _FAMILIES[family](inner)


def _tuple(inner: str) -> Any:
    members = [part.strip().split(" ", 1)[1] for part in _split(inner)]
    return _GENERIC_TUPLE[tuple(python_type(m) for m in members)]


def _map(inner: str) -> Any:
    key, value = (python_type(part.strip()) for part in _split(inner))
    return _GENERIC_DICT[key, value]


_FAMILIES: dict[str, Callable[[str], Any]] = {
    "LowCardinality": python_type,
    "Nullable": lambda inner: python_type(inner) | None,
    "Array": lambda inner: _GENERIC_TUPLE[python_type(inner), ...],
    "Tuple": _tuple,
    "Map": _map,
    "Decimal": lambda _: Decimal,
    "DateTime": lambda _: datetime,
    "DateTime64": lambda _: datetime,
}


def same_type(left: Any, right: Any) -> bool:
    """Equality that treats `X | None` and `Optional[X]` alike."""
    if get_origin(left) in (Union, types.UnionType) and get_origin(right) in (
        Union,
        types.UnionType,
    ):
        return set(get_args(left)) == set(get_args(right))
    return bool(left == right)


def _split(members: str) -> list[str]:
    """Top-level commas only."""
    parts, depth, current = [], 0, ""
    for char in members:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]
