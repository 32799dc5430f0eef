"""What a run did, printed for people: counts, dead letters and the alerts it raised."""

from decimal import Decimal

from clickhouse_connect.driver.client import Client
from rich.table import Table

from convtrack.cli.common import console, wide_console
from convtrack.runner import RunSummary
from convtrack.scorecard import scorecard, stored_period
from convtrack.streams.alerts import Alert, AlertState, describe


def print_run_summary(summary: RunSummary) -> None:
    rate = summary.inputs / summary.seconds if summary.seconds else 0.0
    table = Table(title="pipeline run", title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("inputs", f"{summary.inputs:,}")
    table.add_row("valid events stored", f"{summary.valid:,}")
    table.add_row("duplicates (kept as dead letters)", f"{summary.duplicates:,}")
    table.add_row("rejected (dead letters by reason)", f"{summary.dead_letters.total():,}")
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
    for column in ("rule", "state", "severity", "tenant", "surface", "period (UTC)", "what"):
        table.add_column(column, no_wrap=column != "what")
    for alert in alerts:
        subject = alert.subject
        surface = f"{subject.surface}/{subject.surface_id}" if subject.surface else "(tenant)"
        style = "bold red" if alert.state is AlertState.FIRING else "green"
        table.add_row(
            alert.rule.value,
            f"[{style}]{alert.state.value}[/]",
            alert.severity.value,
            subject.tenant_id,
            surface,
            f"{alert.window_start:%m-%d %H:%M} to {alert.window_end:%m-%d %H:%M}",
            describe(alert),
        )
    wide_console().print(table)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _change(value: float | None) -> str:
    return "-" if value is None else f"{value:+.0%}"


def _money(amounts: dict[str, Decimal]) -> str:
    return " ".join(f"{currency} {amount:,.0f}" for currency, amount in sorted(amounts.items()))


def print_scorecard(client: Client, alerts: list[Alert]) -> None:
    """Per surface and campaign: volume beside quality and trust, alerts flagged."""
    period = stored_period(client)
    if period is None:
        console.print("no metrics stored yet", highlight=False)
        return
    fired = {
        (alert.subject.tenant_id, alert.subject.surface_id)
        for alert in alerts
        if alert.state is AlertState.FIRING
    }
    first, last = period
    table = Table(
        title=f"volume vs quality and trust, {first:%Y-%m-%d} to {last:%Y-%m-%d} (UTC)",
        title_justify="left",
        caption=(
            "! an alert fired (see above). vol. change: exposures in the last day vs the day "
            "before. quality: qualified / all conversions. trust: converters who came back "
            "within 30 days."
        ),
        caption_justify="left",
    )
    for column in _SCORECARD_COLUMNS:
        left = column in ("tenant", "surface")
        table.add_column(column, justify="left" if left else "right", no_wrap=True)
    for score in scorecard(client, first, last):
        flags = (score.tenant_id, score.surface_id) in fired
        name = f"{score.surface}: {score.surface_id}"
        table.add_row(
            score.tenant_id,
            f"[bold red]! {name}[/]" if flags else name,
            f"{score.exposures:,}",
            _change(score.volume_change),
            f"{score.conversions:,}",
            _percent(score.intent_match_rate),
            "-" if score.relevance_at_intent is None else f"{score.relevance_at_intent:.2f}",
            _percent(score.quality_score),
            _percent(score.regret_rate),
            _percent(score.dismissal_rate),
            "-" if score.feedback_net is None else f"{score.feedback_net:+.2f}",
            _percent(score.durable_trust),
            _money(score.net_value),
        )
    wide_console().print(table)


_SCORECARD_COLUMNS = (
    "tenant",
    "surface",
    "exposures",
    "vol. change",
    "conv.",
    "intent match",
    "relevance @intent",
    "quality",
    "regret",
    "dismissed",
    "feedback",
    "trust",
    "net value",
)
