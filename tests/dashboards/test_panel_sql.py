"""Every query of the dashboards and alert rules, expanded as Grafana would, runs on the store
loaded with simulated days and returns what its panel draws."""

from datetime import datetime, timedelta

import pytest
from clickhouse_connect.driver.client import Client

from convtrack.dashboards.alerts import RuleSpec, rule_specs
from convtrack.dashboards.build import specs
from convtrack.dashboards.data import (
    interval_for,
    resolve_variables,
    run_annotation,
    run_panel,
)
from convtrack.dashboards.macros import QueryContext, Selection, expand
from convtrack.dashboards.spec import ANNOTATION_COLUMNS, DashboardSpec, SqlPanel
from convtrack.scorecard import stored_period

PANELS = [(spec, panel) for spec in specs() for panel in spec.sql_panels()]


def _period(store: Client) -> tuple[datetime, datetime]:
    period = stored_period(store)
    assert period is not None
    return period[0], period[1] + timedelta(minutes=1)


@pytest.mark.parametrize(("spec", "panel"), PANELS, ids=[f"{s.uid}:{p.title}" for s, p in PANELS])
def test_every_panel_returns_its_columns_and_data(
    store: Client, spec: DashboardSpec, panel: SqlPanel
) -> None:
    start, end = _period(store)
    result = run_panel(store, panel, start, end, resolve_variables(store, spec, start, end))
    assert result.columns == panel.columns
    assert result.rows, f"{panel.title} is empty for the simulated days"
    if panel.time_series:
        assert result.columns[0] == "time"
        assert all(isinstance(row[0], datetime) for row in result.rows)
        numbers = [v for row in result.rows for v in row[2 if panel.series else 1 :]]
        assert any(v for v in numbers if v is not None), "every value is null or zero"


def test_time_buckets_follow_the_panels_min_interval(store: Client) -> None:
    start, end = _period(store)
    quality = specs()[0]
    panel = next(p for p in quality.sql_panels() if p.series == "surface_id")
    result = run_panel(store, panel, start, end, resolve_variables(store, quality, start, end))
    step = interval_for(start, end, panel.min_interval)
    assert step == timedelta(hours=6)
    assert all(row[0].timestamp() % step.total_seconds() == 0 for row in result.rows)


def test_variables_chain_and_narrow_the_panels(store: Client) -> None:
    start, end = _period(store)
    quality = specs()[0]
    every = resolve_variables(store, quality, start, end)
    assert set(every["tenant"].values) == {"acme-travel", "brightbank", "shopwise"}
    assert set(every["surface"].values) == {"ad", "app", "vertical"}
    assert "hotels-vertical" in every["surface_id"].values
    # The surface_id options under one tenant are that tenant's only.
    one = {"tenant": Selection(("brightbank",)), "surface": Selection((), all=True)}
    context = QueryContext(start, end, timedelta(minutes=1))
    rows = store.query(expand(quality.variables[2].sql, context, one)).result_rows
    assert {r[0] for r in rows} == {"cards-vertical", "loan-calculator-app", "savings-boost-promo"}
    scorecard = next(p for p in quality.sql_panels() if p.title == "Surfaces by quality")
    narrowed = run_panel(
        store, scorecard, start, end, {**every, "tenant": Selection(("brightbank",))}
    )
    assert {row[0] for row in narrowed.rows} == {r[0] for r in rows}


def test_the_alert_history_is_annotated(store: Client) -> None:
    start, end = _period(store)
    quality = specs()[0]
    (annotation,) = quality.annotations
    result = run_annotation(
        store, annotation, start, end, resolve_variables(store, quality, start, end)
    )
    assert result.columns == ANNOTATION_COLUMNS
    texts = [str(row[2]) for row in result.rows]
    assert any(t.startswith("volume_trap firing on acme-travel/mega-deals-blast") for t in texts)
    assert any(t.startswith("relevance_drop firing on acme-travel/hotels-vertical") for t in texts)
    # No dead-letter spike in the simulation: the result is empty, its columns still right.
    context = QueryContext(start, end, timedelta(minutes=1))
    for annotation in specs()[1].annotations:
        sql = expand(annotation.sql, context, {})
        described = store.query(f"DESCRIBE TABLE ({sql})").result_rows
        assert tuple(row[0] for row in described) == ANNOTATION_COLUMNS


def _evaluate(store: Client, rule: RuleSpec, at: datetime) -> dict[tuple[str, ...], float]:
    """The rule's query as Grafana runs it at `at`: labels -> the judged value."""
    context = QueryContext(at - timedelta(seconds=rule.lookback_seconds), at, timedelta(minutes=1))
    result = store.query(expand(rule.sql, context, {}))
    assert result.column_names == (*rule.labels, rule.value)
    return {tuple(row[:-1]): float(row[-1]) for row in result.result_rows}


def _breaches(rule: RuleSpec, value: float) -> bool:
    return value < rule.threshold if rule.comparison == "lt" else value > rule.threshold


@pytest.mark.parametrize("uid", ["convtrack-relevance-drop", "convtrack-volume-trap"])
def test_the_grafana_rules_fire_where_the_pipeline_did(store: Client, uid: str) -> None:
    """Evaluated just after the period the pipeline judged, each rule breaches its threshold
    for the subject the pipeline alerted on, and for no surface the pipeline left alone."""
    rule = next(r for r in rule_specs() if r.uid == uid)
    name = uid.removeprefix("convtrack-").replace("-", "_")
    fired = store.query(
        "SELECT tenant_id, surface, surface_id, started_at FROM alerts FINAL "
        "WHERE rule = {rule:String} AND state = 'firing'",
        parameters={"rule": name},
    ).result_rows
    assert fired, f"the simulation should fire {name}"
    for tenant, surface, surface_id, started_at in fired:
        period = timedelta(hours=1) if name == "relevance_drop" else timedelta(days=1)
        values = _evaluate(store, rule, started_at + period + timedelta(minutes=5))
        breached = {labels for labels, value in values.items() if _breaches(rule, value)}
        assert breached == {(tenant, surface, surface_id)}


def test_the_dead_letter_rule_judges_each_busy_tenant(store: Client) -> None:
    rule = next(r for r in rule_specs() if r.uid == "convtrack-dead-letter-spike")
    start, end = _period(store)
    values = _evaluate(store, rule, start + (end - start) / 2)
    assert values, "a tenant with 500 inputs an hour should be judged"
    assert not any(_breaches(rule, v) for v in values.values())
