"""What every command shares: loading settings and failing with one clear line."""

from typing import NoReturn

import typer
from rich.console import Console

from convtrack.settings import Settings, SettingsError, load_settings

console = Console()
"""Results go to stdout."""
err_console = Console(stderr=True)
"""Progress, notices and errors go to stderr so stdout stays pipeable."""


def fail(message: str, code: int = 2) -> NoReturn:
    """Stop the command with a one-line error that says what to do; never a traceback."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        fail(str(error))


def wide_console(min_width: int = 190) -> Console:
    """For the wide report tables: rich squeezes columns to fit a narrow terminal (80 columns
    when piped) until they read as ellipses; wrapping long lines keeps every number legible."""
    return Console(width=max(console.width, min_width))
