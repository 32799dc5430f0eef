"""Reading JSON Lines input for the commands that take a FILE: plain, .gz, or `-` for stdin."""

import gzip
import sys
import zlib
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO

from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from convtrack.cli.common import err_console, fail

STDIN = "-"


def open_input(file: str, stack: ExitStack) -> tuple[IO[bytes], int | None]:
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


def open_output(path: Path, stack: ExitStack) -> IO[bytes]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return stack.enter_context(path.open("wb"))
    except OSError as error:
        fail(f"cannot write {path}: {error.strerror or error}")


def numbered_lines(raw: IO[bytes], file: str) -> Iterator[tuple[int, bytes]]:
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


def position(raw: IO[bytes]) -> int:
    """How far into the (compressed) input we are; 0 where that cannot be known (a pipe)."""
    try:
        return raw.tell() if raw.seekable() else 0
    except OSError:
        return 0


def byte_progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )
