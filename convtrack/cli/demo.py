"""`convtrack demo`: a simulated week through the whole pipeline into the embedded store, then
the report a growth lead reads: volume next to quality and trust, the alerts, the dead letters."""

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from convtrack.cli.common import console, err_console, fail, settings_or_exit
from convtrack.cli.db import open_store
from convtrack.cli.demo_kafka import run_kafka_demo
from convtrack.cli.replay import replay_into
from convtrack.cli.report import print_scorecard
from convtrack.simulator import SimulationConfig, open_jsonl, simulate, write_all
from convtrack.sinks.client import parse_dsn

_EXPLORE = """\
Explore further (the store is ClickHouse SQL):
  convtrack sql "SELECT surface_id, sum(exposures) AS volume,
                 sum(qualified_conversions) / sum(conversions) AS quality
                 FROM surface_metrics_totals GROUP BY surface_id ORDER BY volume DESC"
  convtrack sql "SELECT rule, state, surface_id, window_start FROM alerts FINAL ORDER BY 4"
  convtrack sql "SELECT reason, count() FROM dead_letters FINAL GROUP BY reason"
  convtrack verify      # recomputes every stored metric from the stored events and facts
"""


_STORED_EVENTS_SQL = "SELECT uniqExact(event_id) FROM events"


def run_demo(
    out: Annotated[
        Path | None,
        typer.Option(help="Where the simulated events go (default: DATA_DIR/demo)."),
    ] = None,
    days: Annotated[float, typer.Option(min=1, max=60, help="Days of traffic to simulate.")] = 7,
    seed: Annotated[int, typer.Option(help="Same seed, same traffic, same results.")] = 42,
    kafka: Annotated[
        bool,
        typer.Option(
            "--kafka",
            help="Through an embedded Kafka broker and the worker, as in production.",
        ),
    ] = False,
) -> None:
    """Simulate a week of traffic, run the pipeline into the embedded store, print the report."""
    settings = settings_or_exit()
    folder = out or settings.data_dir / "demo"
    events_file = folder / "events.jsonl.gz"
    config = SimulationConfig(
        seed=seed,
        duration=timedelta(days=days),
        conversations=SimulationConfig.conversations_for(timedelta(days=days)),
    )
    if kafka:
        run_kafka_demo(settings, config, out or settings.data_dir / "demo-kafka")
        return
    err_console.print(f"simulating {days:g} days of traffic into {events_file} ...")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_all(simulate(config), open_jsonl(str(events_file)))
    except OSError as error:
        fail(f"cannot write {events_file}: {error.strerror or error}")
    summary = replay_into(str(events_file), settings)
    with open_store() as client:
        print_scorecard(client, summary.alerts)
        stored = int(client.query(_STORED_EVENTS_SQL).result_rows[0][0])
    store = parse_dsn(settings.clickhouse_dsn, settings.data_dir).describe()
    console.print(f"\nevents: {escape(str(events_file))}\nstore:  {escape(store)}\n")
    if stored > summary.valid:
        # a rerun with the same seed and days stores nothing new; anything more is another run's
        console.print(
            f"[yellow]note:[/] the store also holds {stored - summary.valid:,} events of earlier "
            "runs (other seeds or periods), and the report above counts them too. For this run "
            "alone, set CONVTRACK_DATA_DIR to an empty directory.\n",
            highlight=False,
            soft_wrap=True,
        )
    console.print(_EXPLORE, highlight=False, markup=False, soft_wrap=True)
