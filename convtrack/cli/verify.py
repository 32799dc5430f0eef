"""`convtrack verify`: recompute every stored surface metric from events and conversion facts
and show, metric by metric, where the stored totals differ."""

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from convtrack.cli.common import console, err_console, settings_or_exit
from convtrack.cli.db import open_migrated_store
from convtrack.cli.setup import contracts_or_exit
from convtrack.sinks.verify import Difference, verify


def verify_store(
    examples: Annotated[int, typer.Option(min=1, help="Differing windows to show per metric.")] = 3,
) -> None:
    """Check surface_metrics against a recomputation in SQL; exit 1 on any difference."""
    settings = settings_or_exit()
    contracts = contracts_or_exit(settings.contracts_file)
    with open_migrated_store() as client:
        report = verify(client, contracts, examples)
    table = Table("metric", "windows", "matching", "differing", "first differing windows")
    for check in report.checks:
        table.add_row(
            check.metric,
            f"{check.windows:,}",
            f"{check.matching:,}",
            f"[bold red]{check.differing:,}[/]" if check.differing else "0",
            escape("\n".join(_difference(d) for d in check.first)),
        )
    console.print(table)
    differing = [check for check in report.checks if check.differing]
    if differing:
        windows = sum(check.differing for check in differing)
        err_console.print(
            f"[bold red]mismatch:[/] {len(differing)} of {len(report.checks)} metrics differ "
            f"({windows:,} windows); stored {report.stored_windows:,} windows, "
            f"recomputed {report.recomputed_windows:,}",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1)
    err_console.print(
        f"all {len(report.checks)} metrics match over {report.stored_windows:,} windows",
        highlight=False,
    )


def _difference(difference: Difference) -> str:
    tenant, surface, surface_id, start = difference.window
    return (
        f"{tenant} {surface}/{surface_id} {start:%Y-%m-%d %H:%M}: "
        f"stored {_plain(difference.stored)}, recomputed {_plain(difference.recomputed)}"
    )


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in sorted(value.items())) + "}"
    return str(value)
