"""`convtrack broker` (the embedded Kafka-protocol broker) and `convtrack topics`."""

import logging
import signal
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from convtrack.broker import BrokerError, EmbeddedBroker
from convtrack.cli.common import console, err_console, fail, settings_or_exit
from convtrack.streams.kafka.admin import ensure_topics, list_topics, topic_specs
from convtrack.streams.kafka.connection import KafkaSetupError
from convtrack.streams.kafka.producer import KafkaPayloadWriter, ProduceReport, open_kafka_writer

topics_app = typer.Typer(no_args_is_help=True)

# kafka-python logs each failed connection attempt; with no handler configured Python would
# print them on stderr, around the one line a command prints about the problem.
logging.getLogger("kafka").addHandler(logging.NullHandler())


def run_broker(
    port: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=65_535,
            help="Port on 127.0.0.1. Default: the port of CONVTRACK_KAFKA_BOOTSTRAP_SERVERS.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run the embedded broker (Tansu, memory only) in the foreground until Ctrl-C."""
    settings = settings_or_exit()
    chosen = _settings_port(settings.kafka_bootstrap_servers) if port is None else port
    broker = EmbeddedBroker(chosen)
    hint = _bootstrap_hint(broker.bootstrap_servers, settings.kafka_bootstrap_servers)
    # SIGTERM (a supervisor, `kill`) stops it as cleanly as Ctrl-C, and a Ctrl-C works even when
    # a non-interactive shell started us with SIGINT ignored.
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, signal.default_int_handler)
    try:
        broker.start()
    except BrokerError as error:
        fail(escape(f"{error}; pick another port with --port{hint}"))
    try:
        console.print(f"broker listening on {broker.bootstrap_servers}", highlight=False)
        err_console.print(
            f"memory only: topics and records are gone when it stops; Ctrl-C stops it{hint}",
            highlight=False,
            soft_wrap=True,
        )
        code = broker.wait()
        fail(escape(f"the broker stopped by itself (exit code {code}): {broker.output() or '-'}"))
    except KeyboardInterrupt:
        err_console.print("stopping the broker", highlight=False)
    finally:
        broker.stop()


def _settings_port(bootstrap_servers: str) -> int:
    first = bootstrap_servers.split(",", maxsplit=1)[0].strip()
    _, _, port = first.rpartition(":")
    if not port.isdigit() or not 1 <= int(port) <= 65_535:
        fail(
            escape(
                f"CONVTRACK_KAFKA_BOOTSTRAP_SERVERS={bootstrap_servers!r} names no port; "
                "give --port or set it to HOST:PORT"
            )
        )
    return int(port)


def _bootstrap_hint(listening: str, configured: str) -> str:
    first = configured.split(",", maxsplit=1)[0].strip()
    if first in (listening, f"localhost:{listening.rpartition(':')[2]}"):
        return ""
    return f" (and set CONVTRACK_KAFKA_BOOTSTRAP_SERVERS={listening} for other commands)"


@topics_app.command("create")
def create_topics() -> None:
    """Create the raw, dead-letter, trust and metrics topics (partitions, replication,
    retention from settings). Existing topics are kept; every partition count is checked."""
    settings = settings_or_exit()
    try:
        states = ensure_topics(settings.kafka_bootstrap_servers, topic_specs(settings))
    except KafkaSetupError as error:
        fail(escape(str(error)))
    for state in states:
        verb = "created" if state.created else "exists: "
        console.print(f"{verb} {state.name} ({state.partitions} partitions)", highlight=False)


@topics_app.command("list")
def show_topics() -> None:
    """Every topic on the broker with its partition count."""
    settings = settings_or_exit()
    try:
        topics = list_topics(settings.kafka_bootstrap_servers)
    except KafkaSetupError as error:
        fail(escape(str(error)))
    table = Table(title=f"topics on {settings.kafka_bootstrap_servers}", title_justify="left")
    table.add_column("topic")
    table.add_column("partitions", justify="right")
    for name, partitions in topics.items():
        table.add_row(escape(name), str(partitions))
    console.print(table)


def open_kafka_writer_or_exit(batch_events: int) -> KafkaPayloadWriter:
    """A writer to the raw topic from settings, or a one-line error naming the fix."""
    settings = settings_or_exit()
    try:
        return open_kafka_writer(
            settings.kafka_bootstrap_servers,
            settings.raw_topic,
            batch_events=batch_events,
            compression=settings.kafka_compression,
        )
    except KafkaSetupError as error:
        fail(escape(str(error)))


def print_produce_report(report: ProduceReport) -> None:
    """Per partition: records and events the broker acknowledged, and the offset a consumer
    has committed once it has read them all (Tansu's own end offsets are unreliable)."""
    table = Table(title="produced (acknowledged)", title_justify="left")
    for column in ("partition", "records", "events", "next offset"):
        table.add_column(column, justify="right")
    for partition in sorted(report.records):
        table.add_row(
            str(partition),
            f"{report.records[partition]:,}",
            f"{report.events[partition]:,}",
            str(report.next_offsets[partition]),
        )
    table.add_row("all", f"{report.total_records:,}", f"{report.total_events:,}", "")
    console.print(table)
