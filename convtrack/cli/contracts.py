"""`convtrack contracts`: check a quality-contract file and show what each surface gets."""

from collections.abc import Iterator
from datetime import timedelta
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.markup import escape
from rich.table import Table

from convtrack.cli.common import console, err_console, fail
from convtrack.contracts import ContractBook, ContractFileError, load_contracts
from convtrack.contracts.model import format_duration

contracts_app = typer.Typer(no_args_is_help=True)


@contracts_app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="A quality-contract TOML file.", show_default=False)],
) -> None:
    """Validate a contract file and print the effective contract of every scope it lists."""
    try:
        book = load_contracts(file)
    except ContractFileError as error:
        # fail() prints the last one and exits; each problem keeps its own line.
        for line in error.lines[:-1]:
            err_console.print(
                f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True
            )
        fail(escape(error.lines[-1]))
    console.print(effective_table(book, str(file)))


def effective_table(book: ContractBook, title: str) -> Table:
    """One row per setting, one column per scope; values an override changed are bold."""
    defaults = dict(_flatten(book.defaults))
    columns = [("defaults", defaults)]
    columns += [(scope.label, dict(_flatten(book.resolve_scope(scope)))) for scope in book.scopes]
    table = Table(title=f"Effective quality contracts: {title}", show_lines=False)
    table.add_column("setting", style="cyan", no_wrap=True)
    for label, _ in columns:
        table.add_column(escape(label).replace(" ", "\n"), overflow="fold")
    for key, default in defaults.items():
        cells = [_mark(values[key], default) for _, values in columns]
        table.add_row(escape(key), *cells)
    return table


def _mark(value: str, default: str) -> str:
    return escape(value) if value == default else f"[bold]{escape(value)}[/]"


def _flatten(contract: BaseModel, prefix: str = "") -> Iterator[tuple[str, str]]:
    for name in type(contract).model_fields:
        value = getattr(contract, name)
        if isinstance(value, BaseModel):
            yield from _flatten(value, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", _show(value)


def _show(value: Any) -> str:
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, frozenset):
        return ", ".join(sorted(str(v) for v in value)) or "-"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {', '.join(v)}" for k, v in value.items()) or "-"
    return str(value)
