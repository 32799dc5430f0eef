"""`convtrack replay FILE|-`: the whole pipeline over JSON Lines into ClickHouse."""

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from convtrack.cli.common import err_console, settings_or_exit
from convtrack.cli.db import open_store
from convtrack.cli.inputs import byte_progress, numbered_lines, open_input, position
from convtrack.cli.report import print_run_summary
from convtrack.cli.setup import contracts_or_exit, pseudonymizer_or_exit
from convtrack.runner import RunSummary, StoreWriter, run
from convtrack.schemas.dead_letter import FilePosition
from convtrack.settings import Settings
from convtrack.sinks import migrate
from convtrack.sinks.sink import SinkBackpressure
from convtrack.streams.pipeline import Pipeline, PipelineConfig
from convtrack.streams.validate import ValidateConfig, Validator


def replay_file(
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE", help="JSON Lines events; .gz is decompressed; - reads stdin."
        ),
    ],
    contracts: Annotated[
        Path | None,
        typer.Option(
            help="Quality contracts (TOML); default: CONVTRACK_CONTRACTS_FILE or the sample."
        ),
    ] = None,
) -> None:
    """Run validate, attribution, metrics and alerts over a file into ClickHouse."""
    settings = settings_or_exit()
    replay_into(file, settings, contracts)


def replay_into(file: str, settings: Settings, contracts: Path | None = None) -> RunSummary:
    """Replays `file` into the configured store, prints the run summary and returns it."""
    book = contracts_or_exit(contracts or settings.contracts_file)
    validator = Validator(ValidateConfig.from_settings(settings), pseudonymizer_or_exit(settings))
    config = PipelineConfig(hot_conversations=settings.hot_conversations)
    pipeline = Pipeline(validator, book, config)
    with open_store() as client, ExitStack() as stack:
        migrate(client)
        source, size = open_input(file, stack)
        inputs = (
            (line, FilePosition(path=file, line=number))
            for number, line in numbered_lines(source, file)
        )
        progress = stack.enter_context(byte_progress())
        task = progress.add_task("replaying", total=size)

        def advance(_: RunSummary) -> None:
            progress.update(task, completed=position(source))

        writer = StoreWriter.from_settings(client, settings, on_wait=_say_waiting)
        summary = run(inputs, pipeline, writer, on_batch=advance)
    print_run_summary(summary)
    return summary


def _say_waiting(pushback: SinkBackpressure) -> None:
    err_console.print(
        f"[yellow]waiting:[/] {escape(str(pushback))}; retrying in {pushback.retry_after:.0f}s",
        highlight=False,
        soft_wrap=True,
    )
