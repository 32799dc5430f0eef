"""Finds the line of a key path in a TOML text, so a contract error can point at the file.

tomllib keeps no positions once parsing succeeds, so this re-reads the text line by line for
table headers and `key =` lines. It is best effort (keys inside inline tables or multi-line
arrays resolve to their enclosing key), which is all an error message needs.
"""

import re
from collections.abc import Iterable

_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')"""
_KEYS = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_KEYS})\s*\]\]?")
_ASSIGNMENT = re.compile(rf"^\s*({_KEYS})\s*=")
_PART = re.compile(_KEY_PART)

Path = tuple[str | int, ...]


def _split(keys: str) -> list[str]:
    return [part.strip("\"'") for part in _PART.findall(keys)]


def key_lines(text: str) -> dict[Path, int]:
    """Every table and key path in `text` -> its 1-based line; arrays of tables get an index."""
    found: dict[Path, int] = {}
    array_counts: dict[Path, int] = {}
    table: Path = ()
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _HEADER.match(line):
            path = tuple(_split(header[2]))
            if header[1] == "[[":
                index = array_counts.get(path, -1) + 1
                array_counts[path] = index
                table = (*path, index)
            else:
                table = _within_arrays(path, array_counts)
            found.setdefault(table, number)
        elif assignment := _ASSIGNMENT.match(line):
            found.setdefault((*table, *_split(assignment[1])), number)
    return found


def _within_arrays(path: Path, array_counts: dict[Path, int]) -> Path:
    """`[overrides.attribution]` after the second `[[overrides]]` is overrides[1].attribution."""
    for length in range(len(path), 0, -1):
        prefix = path[:length]
        if prefix in array_counts:
            return (*prefix, array_counts[prefix], *path[length:])
    return path


def line_of(lines: dict[Path, int], path: Iterable[str | int]) -> int | None:
    """The line of the longest prefix of `path` that appears in the text."""
    parts = tuple(path)
    for length in range(len(parts), 0, -1):
        if (line := lines.get(parts[:length])) is not None:
            return line
    return None
