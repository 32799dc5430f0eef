"""`convtrack dlq replay`: send fixed dead letters back to the raw topic.

Dead letters come from the `dead_letters` table or from a JSON Lines file of them (as the worker
writes them to the dead-letter topic), of any schema version, filtered by reason and time. Their
payloads are sent as they are stored: a user_id in them is already a pseudonym, which the
validator keeps, so a replayed event becomes exactly the event it would have been.

Duplicates (reason `duplicate`) are never sent: their event was accepted already, so a replay
would be dropped again inside the deduplication horizon, or counted twice past it.
"""

import base64
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.markup import escape

from convtrack.cli.common import console, err_console, fail, settings_or_exit
from convtrack.cli.db import open_store
from convtrack.cli.kafka import print_produce_report
from convtrack.schemas.dead_letter import ANY_DEAD_LETTER, AnyDeadLetter, Reason
from convtrack.sinks import QUERY_FORMATS, DeadLetterRow, dead_letter_from_row
from convtrack.streams.kafka import DEFAULT_BATCH_EVENTS, open_kafka_writer
from convtrack.streams.kafka.connection import KafkaSetupError

dlq_app = typer.Typer(no_args_is_help=True)


@dlq_app.command("replay")
def replay_dead_letters(
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help="JSON Lines of dead letters (default: the dead_letters table).",
            show_default=False,
        ),
    ] = None,
    *,
    reason: Annotated[
        list[Reason] | None,
        typer.Option(help="Only these reasons (repeatable). Duplicates are never replayed."),
    ] = None,
    since: Annotated[
        datetime | None, typer.Option(help="Only those received at or after (UTC).")
    ] = None,
    until: Annotated[
        datetime | None, typer.Option(help="Only those received before (UTC).")
    ] = None,
    broker: Annotated[
        str | None,
        typer.Option(help="Kafka brokers; default: CONVTRACK_KAFKA_BOOTSTRAP_SERVERS."),
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Count what would be sent; send nothing.")] = False,
) -> None:
    """Send dead letters' payloads back to the raw topic, to be validated again; duplicates
    (reason `duplicate`) are always skipped, their event was accepted already."""
    settings = settings_or_exit()
    reasons = set(reason or [])
    selected = [
        letter
        for letter in (_from_file(file) if file is not None else _from_store(reasons, since, until))
        if _wanted(letter, reasons, since, until)
    ]
    letters = [letter for letter in selected if letter.reason != Reason.DUPLICATE]
    err_console.print(f"{len(letters):,} dead letters selected", highlight=False)
    if skipped := len(selected) - len(letters):
        err_console.print(
            f"{skipped:,} duplicates skipped: their event was accepted already", highlight=False
        )
    if dry_run or not letters:
        return
    servers = broker or settings.kafka_bootstrap_servers
    try:
        writer = open_kafka_writer(
            servers,
            settings.raw_topic,
            batch_events=DEFAULT_BATCH_EVENTS,
            compression=settings.kafka_compression,
        )
        for letter in letters:
            writer.write(base64.b64decode(letter.payload_b64))
        writer.close()
    except KafkaSetupError as error:
        fail(escape(str(error)))
    console.print(f"replayed {len(letters):,} payloads to {settings.raw_topic}", highlight=False)
    print_produce_report(writer.report)


def _wanted(
    letter: AnyDeadLetter, reasons: set[Reason], since: datetime | None, until: datetime | None
) -> bool:
    at = letter.received_at
    return (
        (not reasons or letter.reason in reasons)
        and (since is None or at >= _utc(since))
        and (until is None or at < _utc(until))
    )


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _from_file(path: Path) -> Iterator[AnyDeadLetter]:
    try:
        lines = path.read_bytes().splitlines()
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror or error}")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield ANY_DEAD_LETTER.validate_json(line)
        except ValidationError as error:
            fail(f"{path}:{number} is not a dead letter: {error.errors()[0]['msg']}")


def _from_store(
    reasons: set[Reason], since: datetime | None, until: datetime | None
) -> Iterator[AnyDeadLetter]:
    where: list[str] = ["1"]
    parameters: dict[str, object] = {}
    if reasons:
        where.append("reason IN {reasons:Array(String)}")
        parameters["reasons"] = sorted(r.value for r in reasons)
    if since is not None:
        where.append("received_at >= {since:DateTime64(3, 'UTC')}")
        parameters["since"] = _utc(since)
    if until is not None:
        where.append("received_at < {until:DateTime64(3, 'UTC')}")
        parameters["until"] = _utc(until)
    query = f"SELECT * FROM dead_letters FINAL WHERE {' AND '.join(where)} ORDER BY received_at"  # noqa: S608 (fixed clauses; values are parameters)
    with open_store() as client:
        rows = client.query(query, parameters=parameters, query_formats=QUERY_FORMATS).result_rows
    for row in rows:
        yield dead_letter_from_row(DeadLetterRow(*row))
