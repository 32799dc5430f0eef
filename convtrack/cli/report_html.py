"""`convtrack report`: the dashboards' panels as one self-contained HTML file."""

from pathlib import Path
from typing import Annotated

import typer
from clickhouse_connect.driver.client import Client
from rich.markup import escape

from convtrack.cli.common import console, fail, settings_or_exit
from convtrack.cli.db import open_migrated_store
from convtrack.dashboards.build import specs
from convtrack.dashboards.report import ReportError, render_report


def write_report(
    out: Annotated[
        Path | None,
        typer.Option(help="Where the HTML goes (default: DATA_DIR/report.html)."),
    ] = None,
) -> None:
    """Render the Grafana dashboards' panels from the store into one HTML file (no Grafana,
    no internet needed to open it)."""
    settings = settings_or_exit()
    with open_migrated_store() as client:
        save_report(client, out or settings.data_dir / "report.html")


def save_report(client: Client, target: Path) -> None:
    """The report of `client`'s store written to `target`, and where it is said."""
    try:
        page = render_report(client, specs())
    except ReportError as error:
        fail(escape(str(error)))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
    except OSError as error:
        fail(escape(f"cannot write {target}: {error.strerror or error}"))
    console.print(f"report: {escape(str(target.resolve()))}", highlight=False, soft_wrap=True)
