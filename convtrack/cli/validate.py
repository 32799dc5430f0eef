"""`convtrack validate FILE`: run the validate stage over a JSON Lines file and report."""

from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from convtrack.cli.common import console, fail, settings_or_exit
from convtrack.cli.inputs import byte_progress, numbered_lines, open_input, open_output, position
from convtrack.cli.setup import pseudonymizer_or_exit
from convtrack.schemas.dead_letter import DeadLetter, FilePosition
from convtrack.streams.validate import (
    Duplicate,
    ValidateConfig,
    ValidateStats,
    Validator,
    ValidEvent,
)
from convtrack.streams.validate.deadletter import duplicate_dead_letter

_PROGRESS_EVERY = 1024
"""Lines between progress refreshes: often enough to move, rare enough to cost nothing."""


def validate_file(
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE", help="JSON Lines events; .gz is decompressed; - reads stdin."
        ),
    ],
    dead_letters: Annotated[
        Path | None,
        typer.Option(
            "--dead-letters",
            help="Where to write dead letters as JSON Lines, duplicates' (reason duplicate) "
            "included as the pipeline stores them (default: DATA_DIR/dead-letters.jsonl).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Also write the valid, pseudonymized events here (JSONL)."),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 if any input was dead-lettered.")
    ] = False,
) -> None:
    """Validate, pseudonymize and deduplicate a file of events; write dead letters."""
    settings = settings_or_exit()
    dead_letter_path = dead_letters or settings.data_dir / "dead-letters.jsonl"
    with ExitStack() as stack:
        source, size = open_input(file, stack)
        validator = Validator(
            ValidateConfig.from_settings(settings), pseudonymizer_or_exit(settings)
        )
        dead_letter_file = open_output(dead_letter_path, stack)
        out_file = open_output(out, stack) if out is not None else None
        progress = stack.enter_context(byte_progress())
        task = progress.add_task("validating", total=size)
        try:
            for number, line in numbered_lines(source, file):
                outcome = validator.validate(line, FilePosition(path=file, line=number), _now())
                if isinstance(outcome, Duplicate):
                    outcome = duplicate_dead_letter(outcome)
                if isinstance(outcome, DeadLetter):
                    dead_letter_file.write(outcome.model_dump_json().encode() + b"\n")
                elif isinstance(outcome, ValidEvent) and out_file is not None:
                    out_file.write(outcome.event.model_dump_json().encode() + b"\n")
                if number % _PROGRESS_EVERY == 0:
                    progress.update(task, completed=position(source))
        except OSError as error:
            fail(f"cannot write the output: {error}")
        progress.update(task, completed=position(source))
    _report(validator.stats, dead_letter_path, out)
    if strict and validator.stats.dead_lettered:
        raise typer.Exit(1)


def _now() -> datetime:
    return datetime.now(UTC)


def _report(stats: ValidateStats, dead_letter_path: Path, out: Path | None) -> None:
    table = Table(title="convtrack validate", title_justify="left")
    table.add_column("outcome")
    table.add_column("count", justify="right")
    table.add_row("valid", str(stats.valid))
    table.add_row("  of which late (within lateness)", str(stats.late_accepted))
    table.add_row("duplicates", str(stats.duplicates))
    table.add_row("dead letters", str(stats.dead_lettered))
    for reason, count in sorted(stats.dead_letters.items()):
        table.add_row(f"  {reason.value}", str(count))
    table.add_row("dedup ids forgotten early", str(stats.dedup_evictions))
    console.print(table)
    console.print(f"dead letters: {dead_letter_path}", highlight=False, soft_wrap=True)
    if out is not None:
        console.print(f"valid events: {out}", highlight=False, soft_wrap=True)
