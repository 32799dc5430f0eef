"""`convtrack simulate`: write reproducible synthetic traffic, scenarios and faults included."""

import os
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from convtrack.cli.common import console, err_console, fail
from convtrack.cli.kafka import open_kafka_writer_or_exit, print_produce_report
from convtrack.simulator import (
    CONVERSATIONS_PER_DAY,
    DEFAULT_START,
    STDOUT,
    SURFACE_IDS,
    PayloadWriter,
    Scenarios,
    Simulation,
    SimulationConfig,
    open_jsonl,
    simulate,
    write_all,
)
from convtrack.streams.kafka.connection import KafkaSetupError
from convtrack.streams.kafka.record import DEFAULT_BATCH_EVENTS, MAX_BATCH_EVENTS

_PROGRESS_EVERY = 4096
_DEFAULTS = Scenarios()
_SURFACES = ", ".join(SURFACE_IDS)
_SWITCH = "Default: on (off with --clean)."


def _switch(name: str, text: str) -> Any:
    return typer.Option(f"--{name}/--no-{name}", help=f"{text} {_SWITCH}", show_default=False)


def _fraction(text: str) -> Any:
    return typer.Option(help=f"{text} Fraction of the period, 0..1.")


def simulate_traffic(
    *,
    out: Annotated[
        str, typer.Option("--out", "-o", help="JSON Lines file (.gz compresses); - is stdout.")
    ] = STDOUT,
    seed: Annotated[int, typer.Option(help="Same seed and options => same bytes.")] = 42,
    start: Annotated[
        str, typer.Option(help="Period start, ISO 8601 (no offset means UTC).")
    ] = DEFAULT_START.strftime("%Y-%m-%dT%H:%M:%SZ"),
    days: Annotated[float, typer.Option(help="Period length in days.")] = 7.0,
    hours: Annotated[
        float | None, typer.Option(help="Period length in hours (instead of --days).")
    ] = None,
    conversations: Annotated[
        int | None,
        typer.Option(
            help=f"Conversations in the period, about 7 events each. "
            f"Default: {CONVERSATIONS_PER_DAY:,} a day.",
            show_default=False,
        ),
    ] = None,
    clean: Annotated[
        bool, typer.Option("--clean", help="Switch every scenario off unless named below.")
    ] = False,
    volume_trap: Annotated[
        bool | None,
        _switch("volume-trap", "Scale the mega-deals-blast ad campaign up at low relevance."),
    ] = None,
    trap_at: Annotated[float, _fraction("When the volume trap starts.")] = _DEFAULTS.trap_at,
    relevance_drop: Annotated[
        bool | None, _switch("relevance-drop", "Halve the relevance of one surface's offers.")
    ] = None,
    drop_surface: Annotated[
        str, typer.Option(help=f"Surface whose relevance drops: {_SURFACES}.")
    ] = _DEFAULTS.drop_surface,
    drop_at: Annotated[float, _fraction("When relevance drops.")] = _DEFAULTS.drop_at,
    refund_wave: Annotated[
        bool | None,
        _switch("refund-wave", "Reverse at least half the conversions of one surface for a while."),
    ] = None,
    refund_wave_surface: Annotated[
        str, typer.Option(help="Surface hit by the refund wave (same choices as --drop-surface).")
    ] = _DEFAULTS.refund_wave_surface,
    refund_wave_at: Annotated[
        float, _fraction("When the refund wave starts.")
    ] = _DEFAULTS.refund_wave_at,
    refund_wave_length: Annotated[
        float, _fraction("How long the refund wave lasts.")
    ] = _DEFAULTS.refund_wave_length,
    late: Annotated[
        bool | None,
        _switch("late", "Send some events minutes to hours late, and a few 7+ days late."),
    ] = None,
    late_share: Annotated[
        float, typer.Option(help="Share of events sent 1 min to 6 h late.")
    ] = _DEFAULTS.late_share,
    too_late_share: Annotated[
        float,
        typer.Option(help="Per conversation, chance of a 7-9 day old conversation flushed now."),
    ] = _DEFAULTS.too_late_share,
    duplicates: Annotated[
        bool | None, _switch("duplicates", "Re-send some events, byte for byte, a bit later.")
    ] = None,
    duplicate_share: Annotated[
        float, typer.Option(help="Share of events sent twice.")
    ] = _DEFAULTS.duplicate_share,
    malformed: Annotated[
        bool | None, _switch("malformed", "Add broken payloads of every dead-letter kind.")
    ] = None,
    malformed_share: Annotated[
        float, typer.Option(help="Malformed payloads per valid event.")
    ] = _DEFAULTS.malformed_share,
    progress: Annotated[
        bool, typer.Option(help="Show a progress bar on stderr (when it is a terminal).")
    ] = True,
    kafka: Annotated[
        bool,
        typer.Option(
            "--kafka",
            help="Produce to the raw topic (CONVTRACK_KAFKA_BOOTSTRAP_SERVERS) instead of --out.",
        ),
    ] = False,
    batch_events: Annotated[
        int,
        typer.Option(
            min=1,
            max=MAX_BATCH_EVENTS,
            help="With --kafka: most events per record (all of one partition); 1 sends one "
            "event per record.",
        ),
    ] = DEFAULT_BATCH_EVENTS,
) -> None:
    """Generate multi-tenant conversational traffic (JSON Lines of v1 events) with scenarios."""
    base = Scenarios.clean() if clean else _DEFAULTS

    def on(switch: bool | None, default: bool) -> bool:
        return default if switch is None else switch

    late_on = on(late, base.late_share > 0)
    try:
        scenarios = Scenarios(
            volume_trap=on(volume_trap, base.volume_trap),
            trap_at=trap_at,
            relevance_drop=on(relevance_drop, base.relevance_drop),
            drop_surface=drop_surface,
            drop_at=drop_at,
            refund_wave=on(refund_wave, base.refund_wave),
            refund_wave_surface=refund_wave_surface,
            refund_wave_at=refund_wave_at,
            refund_wave_length=refund_wave_length,
            late_share=late_share if late_on else 0.0,
            too_late_share=too_late_share if late_on else 0.0,
            duplicate_share=duplicate_share if on(duplicates, base.duplicate_share > 0) else 0.0,
            malformed_share=malformed_share if on(malformed, base.malformed_share > 0) else 0.0,
        )
        duration = timedelta(hours=hours) if hours is not None else timedelta(days=days)
        config = SimulationConfig(
            seed=seed,
            start=_parse_start(start),
            duration=duration,
            conversations=(
                SimulationConfig.conversations_for(duration)
                if conversations is None
                else conversations
            ),
            scenarios=scenarios,
        )
    except (ValueError, OverflowError) as error:
        fail(escape(str(error)))
    if kafka and out != STDOUT:
        fail("--kafka and --out both say where events go; give one of them")
    simulation = simulate(config)
    began = time.perf_counter()
    kafka_writer = open_kafka_writer_or_exit(batch_events) if kafka else None
    writer: PayloadWriter
    if kafka_writer is not None:
        writer = kafka_writer
        out = f"Kafka topic {kafka_writer.topic}"
    else:
        try:
            writer = open_jsonl(out)
        except OSError as error:
            fail(escape(f"cannot write {out}: {error.strerror or error}"))
    with _progress(enabled=progress) as bar:
        task = bar.add_task("simulating", total=config.conversations)
        try:
            write_all(_reporting(simulation, bar, task), writer)
        except OSError as error:
            if isinstance(error, BrokenPipeError) and out == STDOUT:
                _reader_left()
            fail(escape(f"cannot write {out}: {error.strerror or error}"))
        except KafkaSetupError as error:
            fail(escape(str(error)))
    _report(simulation, out, time.perf_counter() - began)
    if kafka_writer is not None:
        print_produce_report(kafka_writer.report)


def _reader_left() -> NoReturn:
    """`convtrack simulate | head` ends the pipe early: that is how a pipe stops, not an error.
    Stdout goes to /dev/null so the interpreter's final flush does not complain either."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise typer.Exit(0)


def _parse_start(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"--start {value!r} is not an ISO 8601 date or time, e.g. 2026-11-02T00:00:00Z"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("conversations"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not (enabled and err_console.is_terminal),
    )


def _reporting(simulation: Simulation, bar: Progress, task: TaskID) -> Iterator[bytes]:
    for count, payload in enumerate(simulation, 1):
        yield payload
        if count % _PROGRESS_EVERY == 0:
            bar.update(task, completed=simulation.summary.conversations)


def _report(simulation: Simulation, out: str, seconds: float) -> None:
    # The events themselves may be on stdout; then the report must not mix into them.
    target: Console = err_console if out == STDOUT else console
    summary = simulation.summary.to_dict()
    table = Table(title="convtrack simulate", title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    for name, value in summary.items():
        if isinstance(value, dict):
            for key, count in value.items():
                table.add_row(
                    f"  {name.removesuffix('_by_type').removesuffix('_by_kind')}: {key}",
                    f"{count:,}",
                )
        else:
            table.add_row(name, f"{value:,}")
    target.print(table)
    rate = summary["payloads"] / seconds if seconds > 0 else 0.0
    where = "stdout" if out == STDOUT else escape(out)
    target.print(
        f"wrote {summary['payloads']:,} payloads to {where} in {seconds:.1f} s ({rate:,.0f}/s)",
        highlight=False,
    )
