"""`convtrack schemas`: list the event schemas and publish them as JSON Schema files."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from convtrack.cli.common import console, err_console, fail
from convtrack.schemas.jsonschema import (
    EXPORT_DIR,
    ExportPlan,
    FileState,
    plan_export,
    published_schemas,
    write_export,
)

schemas_app = typer.Typer(no_args_is_help=True)

_DRIFT = {FileState.NEW: "missing", FileState.CHANGED: "out of date"}


@schemas_app.command("list")
def list_schemas() -> None:
    """Show every schema: type, version, its own fields, allowed surfaces, description."""
    schemas = published_schemas()
    table = Table(title="convtrack schemas", show_lines=True)
    table.add_column("type", no_wrap=True)
    table.add_column("version", no_wrap=True)
    # One name per line: a field or surface name is never split, so the table fits 80 columns.
    table.add_column("fields", no_wrap=True)
    table.add_column("surfaces", no_wrap=True)
    table.add_column("description", overflow="fold")
    for schema in schemas:
        surfaces = "-" if schema.surfaces is None else "\n".join(schema.surfaces)
        cells = (schema.event_type, f"v{schema.version}", "\n".join(schema.fields), surfaces)
        table.add_row(*(escape(cell) for cell in (*cells, schema.description)))
    console.print(table)


@schemas_app.command("export")
def export_schemas(
    directory: Annotated[
        Path | None,
        typer.Argument(
            help="Where to write <event_type>/v<N>.json. Default: the checked-in schemas/json.",
            show_default=False,
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Write nothing; exit 1 if any file is missing or out of date."
        ),
    ] = False,
) -> None:
    """Write every schema as a JSON Schema file; refuse to change a published one incompatibly."""
    target = EXPORT_DIR if directory is None else directory
    if target.exists() and not target.is_dir():
        fail(escape(f"{_shown(target)} is not a directory; give a directory to export into"))
    try:
        plan = plan_export(target, published_schemas())
        _refuse_problems(plan)
        if check:
            _report_drift(plan)
            return
        written = write_export(plan)
    except OSError as error:
        fail(escape(f"cannot export into {_shown(target)}: {error.strerror or error}"))
    for planned in written:
        _say(console, f"wrote {_shown(planned.path)} ({planned.state})")
    _say(console, f"{len(plan.files) - len(written)} unchanged in {_shown(target)}")


def _refuse_problems(plan: ExportPlan) -> None:
    if not plan.problems:
        return
    for problem in plan.problems:
        err_console.print(
            f"[bold red]error:[/] {escape(f'{_shown(problem.path)}: {problem.message}')}",
            highlight=False,
            soft_wrap=True,
        )
    raise typer.Exit(2)


def _report_drift(plan: ExportPlan) -> None:
    for planned in plan.drift:
        state = _DRIFT[planned.state]
        _say(
            err_console, f"drift: {_shown(planned.path)} is {state}; run `convtrack schemas export`"
        )
    if plan.drift:
        raise typer.Exit(1)
    _say(console, f"{len(plan.files)} schema files up to date")


def _say(to: Console, line: str) -> None:
    """One plain line: paths and schema text are not rich markup, and must not wrap."""
    to.print(line, markup=False, highlight=False, soft_wrap=True)


def _shown(path: Path) -> str:
    """Relative to the working directory when under it: shorter, and what a user would type."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(Path.cwd()))
    except ValueError:
        return str(resolved)
