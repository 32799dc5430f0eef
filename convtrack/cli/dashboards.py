"""`convtrack dashboards build|publish`: the Grafana dashboards and alert rules as files, or
straight into a running Grafana."""

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from convtrack.cli.common import console, err_console, fail
from convtrack.dashboards.build import DEFAULT_DIR, write_generated
from convtrack.dashboards.publish import PublishError, publish

dashboards_app = typer.Typer(no_args_is_help=True)


@dashboards_app.command("build")
def build_dashboards(
    directory: Annotated[
        Path,
        typer.Argument(
            metavar="[DIR]", help="Grafana provisioning root (dashboards/, provisioning/)."
        ),
    ] = DEFAULT_DIR,
) -> None:
    """Regenerate the dashboard JSON and the alert-rule provisioning file from the code."""
    try:
        written = write_generated(directory)
    except OSError as error:
        fail(escape(f"cannot write into {directory}: {error.strerror or error}"))
    for path in written:
        console.print(f"wrote {escape(str(path))}", highlight=False)


def publish_dashboards(
    url: Annotated[
        str,
        typer.Option(help="Grafana's address, e.g. http://localhost:3000 (or GRAFANA_URL)."),
    ] = "",
    token: Annotated[
        str,
        typer.Option(help="A service-account token, Editor role (or GRAFANA_TOKEN)."),
    ] = "",
) -> None:
    """Upsert the convtrack folder, the dashboards (overwritten) and the alert rules."""
    url = url or os.environ.get("GRAFANA_URL", "")
    token = token or os.environ.get("GRAFANA_TOKEN", "")
    if not url or not token:
        fail("give --url and --token (or set GRAFANA_URL and GRAFANA_TOKEN)")
    try:
        done = publish(url, token)
    except PublishError as error:
        fail(escape(str(error)))
    verb = "created" if done.folder_created else "kept"
    console.print(f"folder convtrack {verb}", highlight=False)
    for path in done.dashboards:
        console.print(f"dashboard {escape(url.rstrip('/') + path)}", highlight=False)
    for uid in done.rules_created:
        console.print(f"alert rule created: {uid}", highlight=False)
    for uid in done.rules_updated:
        console.print(f"alert rule updated: {uid}", highlight=False)
    for warning in done.warnings:
        err_console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)


dashboards_app.command("publish")(publish_dashboards)
