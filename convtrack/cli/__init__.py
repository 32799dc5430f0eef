"""The `convtrack` command. Each sub-command lives in its own module and registers here."""

import typer

from convtrack import __version__
from convtrack.cli.contracts import contracts_app
from convtrack.cli.dashboards import dashboards_app
from convtrack.cli.db import db_app, run_sql
from convtrack.cli.demo import run_demo
from convtrack.cli.dlq import dlq_app
from convtrack.cli.kafka import run_broker, topics_app
from convtrack.cli.replay import replay_file
from convtrack.cli.report_html import write_report
from convtrack.cli.schemas import schemas_app
from convtrack.cli.settings import show_settings
from convtrack.cli.simulate import simulate_traffic
from convtrack.cli.validate import validate_file
from convtrack.cli.verify import verify_store
from convtrack.cli.worker import worker_command

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
app.command(name="broker")(run_broker)
app.add_typer(contracts_app, name="contracts", help="Check quality-contract files.")
app.add_typer(
    dashboards_app, name="dashboards", help="Grafana dashboards and alert rules: build, publish."
)
app.command(name="demo")(run_demo)
app.add_typer(db_app, name="db", help="Create and upgrade the ClickHouse schema.")
app.add_typer(dlq_app, name="dlq", help="Replay dead letters.")
app.command(name="replay")(replay_file)
app.command(name="report")(write_report)
app.add_typer(schemas_app, name="schemas", help="List and export the event schemas (JSON Schema).")
app.command(name="settings")(show_settings)
app.command(name="simulate")(simulate_traffic)
app.add_typer(topics_app, name="topics", help="Create and list the Kafka topics.")
app.command(name="sql")(run_sql)
app.command(name="validate")(validate_file)
app.command(name="verify")(verify_store)
app.command(name="worker")(worker_command)


def main() -> None:
    app()
