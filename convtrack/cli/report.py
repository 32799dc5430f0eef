"""What a run did, printed for people: counts, dead letters and the alerts it raised."""

from rich.table import Table

from convtrack.cli.common import console
from convtrack.runner import RunSummary
from convtrack.streams.alerts import Alert, AlertState


def print_run_summary(summary: RunSummary) -> None:
    rate = summary.inputs / summary.seconds if summary.seconds else 0.0
    table = Table(title="pipeline run", title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("inputs", f"{summary.inputs:,}")
    table.add_row("valid events stored", f"{summary.valid:,}")
    table.add_row("duplicates (counted, not stored)", f"{summary.duplicates:,}")
    table.add_row("dead letters stored", f"{summary.dead_letters.total():,}")
    for reason, count in sorted(summary.dead_letters.items()):
        table.add_row(f"  {reason.value}", f"{count:,}")
    table.add_row("conversion-fact versions", f"{summary.fact_versions:,}")
    table.add_row("metric snapshots", f"{summary.metric_snapshots:,}")
    table.add_row("alerts (fired + resolved)", f"{len(summary.alerts):,}")
    console.print(table)
    console.print(f"{summary.seconds:.1f} s, {rate:,.0f} inputs/s", highlight=False)
    print_alerts(summary.alerts)


def print_alerts(alerts: list[Alert]) -> None:
    if not alerts:
        console.print("no alerts raised", highlight=False)
        return
    table = Table(title="alerts", title_justify="left")
    for column in ("rule", "state", "severity", "tenant", "surface", "period (UTC)", "evidence"):
        table.add_column(column)
    for alert in alerts:
        subject = alert.subject
        surface = f"{subject.surface}/{subject.surface_id}" if subject.surface else "(tenant)"
        style = "bold red" if alert.state is AlertState.FIRING else "green"
        evidence = ", ".join(f"{name}={value:.3g}" for name, value in alert.evidence)
        table.add_row(
            alert.rule.value,
            f"[{style}]{alert.state.value}[/]",
            alert.severity.value,
            subject.tenant_id,
            surface,
            f"{alert.window_start:%m-%d %H:%M}-{alert.window_end:%H:%M}",
            evidence,
        )
    console.print(table)
