"""Reads a contract file (TOML) into a `ContractBook`, or explains every problem on one line each.

File layout:

    [defaults]                 # optional; any contract field, partial is fine
    min_relevance = 0.5
    [defaults.attribution]
    window = "7d"

    [[overrides]]              # any number; tenant and/or surface (+ surface_id) say where
    tenant = "acme-travel"
    surface = "ad"
    surface_id = "spring-sale"
    min_relevance = 0.6
"""

import re
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from importlib import resources
from pathlib import Path as FilePath
from typing import Any

from pydantic import BaseModel

from convtrack.contracts.book import SCOPE_KEYS, ContractBook, ContractError, Problem, dotted
from convtrack.contracts.model import QualityContract, format_duration
from convtrack.contracts.toml_lines import key_lines, line_of

DEFAULT_CONTRACT_FILE = "default.toml"
_TOP_LEVEL = ("defaults", "overrides")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


class ContractFileError(ValueError):
    """A contract file is unusable; `lines` holds one self-contained message per problem."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = tuple(lines)
        super().__init__("\n".join(lines))


def load_contracts(path: FilePath) -> ContractBook:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ContractFileError(
            [f"{path}: cannot read it ({reason}); pass a readable UTF-8 TOML file"]
        ) from None
    return parse_contracts(text, str(path))


def load_default_contracts() -> ContractBook:
    """The sample contracts shipped inside the package (used by the demo)."""
    text = resources.files(__package__).joinpath(DEFAULT_CONTRACT_FILE).read_text("utf-8")
    return parse_contracts(text, DEFAULT_CONTRACT_FILE)


def parse_contracts(text: str, source: str) -> ContractBook:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ContractFileError([_syntax_problem(source, str(error))]) from None
    lines = key_lines(text)
    problems = _layout_problems(document)
    if not any(problem.error_type == "layout" for problem in problems):
        try:
            book = ContractBook.from_tables(
                document.get("defaults", {}), document.get("overrides", [])
            )
        except ContractError as error:
            problems += error.problems
        else:
            if not problems:
                return book
    raise ContractFileError([_describe(source, lines, problem) for problem in problems])


def _syntax_problem(source: str, message: str) -> str:
    position = _TOML_POSITION.search(message)
    where = f"{source}:{position[1]}:{position[2]}" if position else source
    reason = _TOML_POSITION.sub("", message).strip()
    return (
        f"{where}: invalid TOML: {reason}; fix the syntax there (strings need quotes, "
        'durations are strings such as "7d")'
    )


def _layout_problems(document: Mapping[str, Any]) -> list[Problem]:
    problems = [
        Problem((key,), "unknown top-level key", "extra_forbidden")
        for key in document
        if key not in _TOP_LEVEL
    ]
    if not isinstance(document.get("defaults", {}), dict):
        problems.append(Problem(("defaults",), "must be a table", "layout"))
    overrides = document.get("overrides", [])
    if not isinstance(overrides, list) or not all(isinstance(o, dict) for o in overrides):
        problems.append(Problem(("overrides",), "must be tables: [[overrides]]", "layout"))
    return problems


def _describe(source: str, lines: dict[tuple[str | int, ...], int], problem: Problem) -> str:
    line = line_of(lines, problem.path)
    where = f"{source}:{line}" if line else source
    message = problem.message.removeprefix("Value error, ")
    if problem.error_type == "extra_forbidden":
        message = "unknown key"
    hint = _hint(problem)
    return f"{where}: {dotted(problem.path)}: {message}" + (f"; {hint}" if hint else "")


def _hint(problem: Problem) -> str:
    path = problem.path
    if problem.error_type == "extra_forbidden":
        allowed = _allowed_keys(path[:-1])
        return f"remove it or use one of: {', '.join(allowed)}"
    if problem.error_type == "layout":
        return "see the layout in the sample: convtrack/contracts/default.toml"
    if problem.error_type in ("duplicate_scope", "value_error"):
        return ""
    if problem.error_type.startswith("time_delta"):
        return 'write a duration such as "7d", "12h", "30m" or "P7D"'
    default = _default_of(path)
    if default is not None:
        return f"fix the value or remove the key to use the default ({default})"
    return "fix the value"


def _contract_path(path: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """The part of a problem path inside one contract (drops `defaults` / `overrides[i]`)."""
    if path[:1] == ("defaults",):
        return path[1:]
    if path[:1] == ("overrides",):
        return path[2:]
    return path


def _model_at(path: tuple[str | int, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] = QualityContract
    for part in path:
        field = model.model_fields.get(str(part))
        rule = field.annotation if field is not None else None
        if not (isinstance(rule, type) and issubclass(rule, BaseModel)):
            return None
        model = rule
    return model


def _allowed_keys(parent: tuple[str | int, ...]) -> list[str]:
    if not parent:
        return list(_TOP_LEVEL)
    model = _model_at(_contract_path(parent))
    keys = list(model.model_fields) if model is not None else []
    if len(parent) == 2 and parent[0] == "overrides":
        keys = [*SCOPE_KEYS, *keys]
    return keys


def _default_of(path: tuple[str | int, ...]) -> str | None:
    inner = _contract_path(path)
    if not inner:
        return None
    model = _model_at(inner[:-1])
    field = model.model_fields.get(str(inner[-1])) if model is not None else None
    if field is None or field.is_required():
        return None
    value = field.get_default(call_default_factory=True)
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, frozenset):
        return repr(sorted(str(v) for v in value))
    return repr(value.value if hasattr(value, "value") else value)
