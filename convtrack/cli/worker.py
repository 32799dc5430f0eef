"""`convtrack worker`: the Kafka worker (faust), run from code until Ctrl-C or SIGTERM."""

import logging
from typing import Annotated

import typer
from rich.markup import escape

from convtrack.cli.common import fail, settings_or_exit
from convtrack.cli.setup import contracts_or_exit, pseudonymizer_or_exit
from convtrack.settings import Settings
from convtrack.sinks import StoreError, connect_settings, migrate
from convtrack.streams.kafka.connection import KafkaSetupError
from convtrack.streams.worker.app import WorkerParts
from convtrack.streams.worker.run import run_worker


def worker_command(
    broker: Annotated[
        str | None,
        typer.Option(
            help="Kafka brokers HOST:PORT[,...]; default: CONVTRACK_KAFKA_BOOTSTRAP_SERVERS.",
            show_default=False,
        ),
    ] = None,
    loglevel: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    """Consume the raw topic: validate, attribute and aggregate into ClickHouse, at least once."""
    settings = settings_or_exit()
    if broker is not None:
        settings = settings.model_copy(update={"kafka_bootstrap_servers": broker})
    run_from_settings(settings, loglevel)


def run_from_settings(settings: Settings, loglevel: str = "info") -> None:
    logging.basicConfig(
        level=loglevel.upper(), format="[%(asctime)s] [%(process)d] [%(levelname)s] %(message)s"
    )
    contracts = contracts_or_exit(settings.contracts_file)
    pseudonymizer = pseudonymizer_or_exit(settings)
    try:
        client = connect_settings(settings)
        migrate(client)
    except StoreError as error:
        fail(escape(str(error)))
    try:
        run_worker(WorkerParts(settings, contracts, pseudonymizer, client), loglevel)
    except KafkaSetupError as error:
        fail(escape(str(error)))
    finally:
        client.close()
