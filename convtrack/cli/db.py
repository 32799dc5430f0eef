"""`convtrack db migrate|status` and `convtrack sql`: the store, from the command line."""

import csv
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import orjson
import typer
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import ClickHouseError
from rich.markup import escape
from rich.table import Table

from convtrack.cli.common import console, err_console, fail, settings_or_exit
from convtrack.settings import Settings
from convtrack.sinks import (
    MIGRATIONS,
    StoreError,
    clickhouse_message,
    connect_settings,
    migrate,
    status,
)

db_app = typer.Typer(no_args_is_help=True)


class OutputFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


@contextmanager
def open_store(settings: Settings | None = None) -> Iterator[Client]:
    """The store of `settings` (default: the environment's)."""
    settings = settings or settings_or_exit()
    try:
        client = connect_settings(settings)
    except StoreError as error:
        fail(escape(str(error)))
    try:
        yield client
    except StoreError as error:
        fail(escape(str(error)))
    except ClickHouseError as error:
        fail(escape(f"ClickHouse: {clickhouse_message(error)}"))
    finally:
        client.close()


@contextmanager
def open_migrated_store(settings: Settings | None = None) -> Iterator[Client]:
    """`open_store`, for commands that read convtrack's tables: one line, not a ClickHouse
    error about a missing table, when nothing was ever stored there."""
    with open_store(settings) as client:
        if status(client).pending:
            fail(
                "the store is not migrated yet; run `convtrack db migrate` first "
                "(or `make demo` to fill it with a simulated week)"
            )
        yield client


@db_app.command("migrate")
def migrate_store() -> None:
    """Apply the pending schema migrations (safe to run again)."""
    with open_store() as client:
        applied = migrate(client)
    for migration in applied:
        console.print(f"applied {migration.label}", highlight=False)
    console.print(
        f"schema is at {MIGRATIONS[-1].label}" + ("" if applied else " (nothing to do)"),
        highlight=False,
    )


@db_app.command("status")
def show_status() -> None:
    """Show which migrations are applied and which are pending."""
    with open_store() as client:
        current = status(client)
    table = Table("migration", "state", "applied at")
    edited = {m.number for m in current.edited}
    for row in current.applied:
        state = "applied, but edited since" if row.number in edited else "applied"
        table.add_row(f"{row.number:04d}_{row.name}", state, _time(row.applied_at))
    for migration in current.pending:
        table.add_row(migration.label, "pending", "")
    for row in current.unknown:
        table.add_row(
            f"{row.number:04d}_{row.name}", "unknown (newer convtrack)", _time(row.applied_at)
        )
    console.print(table)
    if not current.usable:
        err_console.print(
            "[bold red]error:[/] this database does not match this convtrack's migrations",
            highlight=False,
        )
        raise typer.Exit(1)
    if current.pending:
        console.print("run `convtrack db migrate` to apply the pending ones", highlight=False)


def run_sql(
    query: Annotated[str, typer.Argument(metavar="SQL", help="A ClickHouse statement.")],
    output: Annotated[
        OutputFormat,
        typer.Option("--format", help="table, csv, or json (one object per line)."),
    ] = OutputFormat.TABLE,
) -> None:
    """Query the store and print the result."""
    with open_store() as client:
        result = client.query(query)
    names, rows = result.column_names, result.result_rows
    if output is OutputFormat.CSV:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(names)
        writer.writerows([[_text(v, "") for v in row] for row in rows])
    elif output is OutputFormat.JSON:
        for row in rows:
            line = orjson.dumps(dict(zip(names, row, strict=True)), default=str)
            sys.stdout.write(line.decode() + "\n")
    else:
        table = Table(*names)
        for row in rows:
            table.add_row(*(escape(_text(v, "NULL")) for v in row))
        console.print(table)
        err_console.print(f"{len(rows):,} rows", highlight=False)


def _text(value: Any, null: str) -> str:
    if value is None:
        return null
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _time(value: datetime) -> str:
    return value.isoformat(timespec="seconds")
