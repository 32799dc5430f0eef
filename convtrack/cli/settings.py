"""`convtrack settings`: what each CONVTRACK_* variable is and what it is set to now."""

from datetime import timedelta
from typing import Any

import typer
from pydantic import SecretStr, TypeAdapter
from rich.table import Table

from convtrack.cli.common import console, settings_or_exit
from convtrack.settings import ENV_PREFIX, Settings

_DURATION = TypeAdapter(timedelta)


def _render(value: Any) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, SecretStr):
        return "(set, hidden)"
    if isinstance(value, timedelta):
        return str(_DURATION.dump_python(value, mode="json"))
    return str(value)


def settings_rows(current: Settings | None) -> list[tuple[str, str, str, str]]:
    """(variable, default, current, description) for every setting, in declaration order."""
    rows = []
    for name, field in Settings.model_fields.items():
        now = _render(getattr(current, name)) if current is not None else ""
        rows.append(
            (f"{ENV_PREFIX}{name.upper()}", _render(field.default), now, field.description or "")
        )
    return rows


def markdown_table() -> str:
    """The README's settings table, generated so the documentation cannot drift."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    lines += [
        f"| `{var}` | `{default}` | {text} |" for var, default, _, text in settings_rows(None)
    ]
    return "\n".join(lines)


def show_settings(
    markdown: bool = typer.Option(
        False, "--markdown", help="Print the table as Markdown (as in the README)."
    ),
) -> None:
    """Show every CONVTRACK_* setting: default, current value, meaning."""
    if markdown:
        console.print(markdown_table(), markup=False, highlight=False, soft_wrap=True)
        return
    table = Table("variable", "default", "current", "meaning")
    for row in settings_rows(settings_or_exit()):
        table.add_row(*row)
    console.print(table)
