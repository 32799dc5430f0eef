"""The `convtrack` command. Each sub-command lives in its own module and registers here."""

import typer

from convtrack import __version__
from convtrack.cli.settings import show_settings

app = typer.Typer(
    name="convtrack",
    help="Conversion-quality and trust metrics for conversational distribution.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"convtrack {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Conversion-quality and trust metrics for conversational distribution."""


# Sub-command registration (one line per module, keep sorted).
app.command(name="settings")(show_settings)


def main() -> None:
    app()
