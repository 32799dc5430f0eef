"""A conversation's state as JSON any process reads back exactly: what the worker saves.

The packed form (`packed`) indexes a process-wide table of shared values, so it means nothing
to another process. Saving the conversation's events instead (as the worker did) re-sent its
whole history at every touch: ~4.5 KB for ten events, and the state changelog carried seven
times the input's bytes. This keeps what attribution keeps: the records, the revision, the
user, the idle clock and the origin (~0.3-1 KB for the same conversation).

Layout: `[FORMAT, revision, user_id, last_seen, origin | null, {kind: [record, ...]}]`; times
in RFC 3339, Decimals as strings, enums as their values, records as arrays in field order.
The record types give each field's type back; categorical strings are interned again, as
`records` does.
"""

import sys
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from enum import Enum
from types import NoneType, UnionType
from typing import Any, get_args, get_type_hints

import orjson

from convtrack.schemas.types import Surface
from convtrack.streams.attribute.layout import KINDS, Kind
from convtrack.streams.attribute.state import ConversationKey, ConversationState

FORMAT = 1
"""Bumped when the layout changes; `decode` refuses what it does not know."""

Convert = Callable[[Any], Any]


def is_portable(value: bytes) -> bool:
    """Whether saved bytes are this form (the worker's older saves are event lines)."""
    return value[:1] == b"["


def encode(state: ConversationState) -> bytes:
    origin = state.origin
    return orjson.dumps(
        [
            FORMAT,
            state.revision,
            state.user_id,
            state.last_seen,
            origin,
            {kind.name: records for kind in KINDS if (records := getattr(state, kind.name))},
        ],
        default=_plain,
    )


def decode(key: ConversationKey, value: bytes) -> ConversationState:
    layout, revision, user_id, last_seen, origin, kinds = orjson.loads(value)
    if layout != FORMAT:
        raise ValueError(f"saved conversation in format {layout}; this code reads {FORMAT}")
    state = ConversationState(*key, user_id, datetime.fromisoformat(last_seen))
    state.revision = revision
    if origin is not None:
        at, surface, surface_id = origin
        state.origin = (datetime.fromisoformat(at), Surface(surface), sys.intern(surface_id))
    for name, rows in kinds.items():
        record, converters = _READERS[name]
        setattr(
            state,
            name,
            tuple(record(*[c(v) for c, v in zip(converters, row, strict=True)]) for row in rows),
        )
    return state


def _plain(value: object) -> object:
    """What orjson does not write itself: records (named tuples) and Decimals."""
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot save {type(value).__name__} in a conversation")


def _keep(value: Any) -> Any:
    return value


def _optional(convert: Convert) -> Convert:
    return lambda value: None if value is None else convert(value)


def _converter(code: str, hint: Any) -> Convert:
    """Per field code (see `layout.Kind.codes`) and type: how a JSON value comes back."""
    if code == "t":
        return datetime.fromisoformat
    if code == "d":
        return Decimal
    if code != "c":
        return _keep
    optional = isinstance(hint, UnionType) and NoneType in get_args(hint)
    (kind,) = [t for t in get_args(hint) if t is not NoneType] if optional else [hint]
    convert: Convert = kind if issubclass(kind, Enum) else sys.intern if kind is str else _keep
    return _optional(convert) if optional else convert


def _reader(kind: Kind) -> tuple[type[Any], list[Convert]]:
    hints = list(get_type_hints(kind.record).values())
    return kind.record, [_converter(c, h) for c, h in zip(kind.codes, hints, strict=True)]


_READERS = {kind.name: _reader(kind) for kind in KINDS}
