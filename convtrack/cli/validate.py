"""`convtrack validate FILE`: run the validate stage over a JSON Lines file and report."""

import gzip
import sys
import zlib
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from convtrack.cli.common import console, err_console, fail, settings_or_exit
from convtrack.keys import PseudonymizationKeyError, resolve_pseudonymization_key
from convtrack.schemas.dead_letter import DeadLetterV1, FilePosition
from convtrack.settings import Settings
from convtrack.streams.validate import (
    Pseudonymizer,
    ValidateConfig,
    ValidateStats,
    Validator,
    ValidEvent,
)

STDIN = "-"
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
            help="Where to write dead letters as JSON Lines "
            "(default: DATA_DIR/dead-letters.jsonl).",
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
        source, size = _open_input(file, stack)
        validator = Validator(ValidateConfig.from_settings(settings), _pseudonymizer(settings))
        dead_letter_file = _open_output(dead_letter_path, stack)
        out_file = _open_output(out, stack) if out is not None else None
        progress = stack.enter_context(_progress())
        task = progress.add_task("validating", total=size)
        try:
            for number, line in _lines(source, file):
                outcome = validator.validate(line, FilePosition(path=file, line=number), _now())
                if isinstance(outcome, DeadLetterV1):
                    dead_letter_file.write(outcome.model_dump_json().encode() + b"\n")
                elif isinstance(outcome, ValidEvent) and out_file is not None:
                    out_file.write(outcome.event.model_dump_json().encode() + b"\n")
                if number % _PROGRESS_EVERY == 0:
                    progress.update(task, completed=_position(source))
        except OSError as error:
            fail(f"cannot write the output: {error}")
        progress.update(task, completed=_position(source))
    _report(validator.stats, dead_letter_path, out)
    if strict and validator.stats.dead_lettered:
        raise typer.Exit(1)


def _now() -> datetime:
    return datetime.now(UTC)


def _pseudonymizer(settings: Settings) -> Pseudonymizer:
    try:
        key = resolve_pseudonymization_key(settings)
    except PseudonymizationKeyError as error:
        fail(str(error))
    if key.dev_key_path is not None:
        state = "newly generated" if key.generated else "generated"
        err_console.print(
            f"[yellow]note:[/] user ids are pseudonymized with the {state} development key in "
            f"{key.dev_key_path}; set CONVTRACK_PSEUDONYMIZATION_KEY to use your own",
            highlight=False,
            soft_wrap=True,
        )
    return Pseudonymizer(key.secret)


def _open_input(file: str, stack: ExitStack) -> tuple[IO[bytes], int | None]:
    """The raw (possibly compressed) stream and its size in bytes, if known."""
    if file == STDIN:
        return sys.stdin.buffer, None
    path = Path(file)
    if not path.is_file():
        fail(f"{file}: no such file" if not path.exists() else f"{file}: not a regular file")
    try:
        return stack.enter_context(path.open("rb")), path.stat().st_size
    except OSError as error:
        fail(f"cannot open {file}: {error.strerror or error}")


def _open_output(path: Path, stack: ExitStack) -> IO[bytes]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return stack.enter_context(path.open("wb"))
    except OSError as error:
        fail(f"cannot write {path}: {error.strerror or error}")


def _lines(raw: IO[bytes], file: str) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, line without its line break); blank lines are skipped but counted."""
    lines: Iterable[bytes] = gzip.GzipFile(fileobj=raw, mode="rb") if file.endswith(".gz") else raw
    # only reading happens in this frame, so these are input errors, never output ones
    try:
        for number, line in enumerate(lines, start=1):
            stripped = line.rstrip(b"\r\n")
            if stripped.strip():
                yield number, stripped
    except (OSError, EOFError, zlib.error) as error:
        fail(f"cannot read {file}: {error}")


def _position(raw: IO[bytes]) -> int:
    """How far into the (compressed) input we are; 0 where that cannot be known (a pipe)."""
    try:
        return raw.tell() if raw.seekable() else 0
    except OSError:
        return 0


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )


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
