from typing import Any

import typer
from typer.testing import CliRunner

from convtrack import __version__
from convtrack.cli import app


def _commands(group: Any, prefix: str = "") -> dict[str, Any]:
    """Every command path below a typer group (typer ships its own click, so duck-type)."""
    found: dict[str, Any] = {}
    for name, command in group.commands.items():
        found[prefix + name] = command
        if hasattr(command, "commands"):
            found.update(_commands(command, f"{prefix}{name} "))
    return found


def test_help_lists_every_command_with_a_one_line_summary() -> None:
    root: Any = typer.main.get_command(app)
    commands = _commands(root)
    assert "settings" in commands
    for path, command in commands.items():
        summary = command.get_short_help_str(limit=200)
        assert summary.strip(), f"`convtrack {path}` has no help line"
        result = CliRunner().invoke(app, [*path.split(), "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
    top = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    for name in root.commands:
        assert name in top.output


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_an_unknown_command_is_a_usage_error_not_a_traceback() -> None:
    result = CliRunner().invoke(app, ["frobnicate"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
