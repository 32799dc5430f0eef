"""Grafana unified-alerting rules over the store, with the sample contract's default numbers
(convtrack/contracts/default.toml). The pipeline's own alerts (table `alerts`, shown as
annotations) apply per-surface contract overrides; these rules are the same checks where Grafana
does the paging, so a team can route them with its usual notification policies.

Each rule is one ClickHouse query returning a number per subject (string columns become the
alert's labels) and a threshold on it. No rows means nothing to judge: NoData is OK.
"""

from dataclasses import dataclass
from typing import Any, Literal

from grafana_foundation_sdk.builders import alerting as alerting_builders
from grafana_foundation_sdk.builders import expr
from grafana_foundation_sdk.models import alerting, dashboard

from convtrack.dashboards.query import DATASOURCE_UID, ClickHouseQueryBuilder, Format

FOLDER_UID = "convtrack"
FOLDER_TITLE = "convtrack"
GROUP = "convtrack-quality"
GROUP_INTERVAL_SECONDS = 300
EXPR_UID = "__expr__"
_EXPR = dashboard.DataSourceRef(type_val=EXPR_UID, uid=EXPR_UID)

RELEVANCE_SQL = """\
SELECT tenant_id, surface, surface_id,
    toFloat64(if(baseline - latest >= 0.1, (latest - baseline) / nullIf(sigma, 0), 0))
        AS relevance_z
FROM (
    SELECT tenant_id, surface, surface_id,
        anyIf(relevance, hour = toStartOfHour($__toTime) - INTERVAL 1 HOUR) AS latest,
        sumIf(at_intent, hour = toStartOfHour($__toTime) - INTERVAL 1 HOUR) AS latest_sample,
        avgIf(relevance, hour < toStartOfHour($__toTime) - INTERVAL 1 HOUR) AS baseline,
        stddevPopIf(relevance, hour < toStartOfHour($__toTime) - INTERVAL 1 HOUR) AS sigma,
        countIf(hour < toStartOfHour($__toTime) - INTERVAL 1 HOUR) AS baseline_hours
    FROM (
        SELECT tenant_id, surface, surface_id, toStartOfHour(window_start) AS hour,
            sum(exposures_at_intent) AS at_intent,
            toFloat64(sum(relevance_sum_at_intent) / nullIf(sum(exposures_at_intent), 0))
                AS relevance
        FROM surface_metrics_totals
        WHERE $__timeFilter(window_start)
        GROUP BY tenant_id, surface, surface_id, hour
        HAVING at_intent >= 30
    )
    GROUP BY tenant_id, surface, surface_id
    HAVING latest_sample >= 30 AND baseline_hours >= 6
)"""

VOLUME_TRAP_SQL = """\
SELECT tenant_id, surface, surface_id,
    toFloat64(if((e0 >= 100 AND e1 >= 1.5 * e0) OR (c0 >= 20 AND c1 >= 1.5 * c0),
        least(
            if(c0 >= 20 AND c1 >= 20, ifNull((q1 / c1 - q0 / c0) / nullIf(q0 / c0, 0), 0), 0),
            if(c0 >= 20 AND c1 >= 20,
               ifNull((r0 / c0 - r1 / c1) / nullIf(1 - r0 / c0, 0), 0), 0),
            if(e0 >= 100 AND e1 >= 100, ifNull((m1 / e1 - m0 / e0) / nullIf(m0 / e0, 0), 0), 0)),
        0)) AS quality_change
FROM (
    WITH window_start >= $__toTime - INTERVAL 1 DAY AS recent
    SELECT tenant_id, surface, surface_id,
        sumIf(exposures, recent) AS e1, sumIf(exposures, NOT recent) AS e0,
        sumIf(conversions, recent) AS c1, sumIf(conversions, NOT recent) AS c0,
        sumIf(qualified_conversions, recent) AS q1, sumIf(qualified_conversions, NOT recent) AS q0,
        sumIf(regretted_conversions, recent) AS r1, sumIf(regretted_conversions, NOT recent) AS r0,
        sumIf(intent_matched_exposures, recent) AS m1,
        sumIf(intent_matched_exposures, NOT recent) AS m0
    FROM surface_metrics_totals
    WHERE $__timeFilter(window_start)
    GROUP BY tenant_id, surface, surface_id
)"""

DEAD_LETTER_SQL = """\
SELECT tenant_id, toFloat64(sum(dead_letters) / sum(inputs)) AS dead_letter_rate
FROM ingest_metrics_totals
WHERE $__timeFilter(window_start)
GROUP BY tenant_id
HAVING sum(inputs) >= 500"""


@dataclass(frozen=True, slots=True)
class RuleSpec:
    uid: str
    title: str
    sql: str
    value: str
    """The numeric column the threshold judges."""
    labels: tuple[str, ...]
    comparison: Literal["lt", "gt"]
    """Grafana's threshold evaluator type: lt or gt."""
    threshold: float
    lookback_seconds: int
    pending: str
    team: str
    """Who is paged: growth for quality, data for instrumentation."""
    summary: str
    description: str
    dashboard_uid: str


def rule_specs() -> tuple[RuleSpec, ...]:
    return (
        RuleSpec(
            "convtrack-relevance-drop",
            "Relevance@intent dropped",
            RELEVANCE_SQL,
            "relevance_z",
            ("tenant_id", "surface", "surface_id"),
            "lt",
            -3.0,
            7 * 86400 + 3600,
            "0s",
            "growth",
            "Relevance@intent on {{ $labels.surface_id }} ({{ $labels.tenant_id }}) fell below "
            "its 7-day baseline",
            "The last complete hour's mean relevance of exposures at a detected intent is "
            '{{ $values.B.Value | printf "%.1f" }} sigma under the mean of the hours before '
            "(and at least 0.1 lower). Look at the Relevance@intent and Intent-match rate panels "
            "for this surface_id: a changed offer catalogue, ranking model or targeting rule "
            "usually shows up there first.",
            "convtrack-conversion-quality",
        ),
        RuleSpec(
            "convtrack-volume-trap",
            "Volume trap: volume up, quality down",
            VOLUME_TRAP_SQL,
            "quality_change",
            ("tenant_id", "surface", "surface_id"),
            "lt",
            -0.2,
            2 * 86400,
            "15m",
            "growth",
            "{{ $labels.surface_id }} ({{ $labels.tenant_id }}) grew its volume by 50% or more "
            "while its quality fell",
            "Over the last 24 hours against the 24 before, exposures or conversions rose by at "
            "least 50% while conversion quality, the kept share (not regretted) or the "
            "intent-match rate fell by {{ $values.B.Value | humanizePercentage }}. Compare "
            "'Volume next to quality' with 'Regret rate' and 'Dismissal rate' for this "
            "surface_id: louder is not better.",
            "convtrack-conversion-quality",
        ),
        RuleSpec(
            "convtrack-dead-letter-spike",
            "Dead-letter spike",
            DEAD_LETTER_SQL,
            "dead_letter_rate",
            ("tenant_id",),
            "gt",
            0.05,
            3600,
            "5m",
            "data",
            "More than 5% of {{ $labels.tenant_id }}'s inputs were dead-lettered in the last hour",
            "Dead letters / inputs is {{ $values.B.Value | humanizePercentage }}. Open 'Dead "
            "letters by reason' and 'Newest dead letters' on Pipeline health: the reason and "
            "message name the producer's mistake; fix it, then replay the dead letters.",
            "convtrack-pipeline-health",
        ),
    )


def rule(spec: RuleSpec) -> alerting_builders.Rule:
    query = (
        alerting_builders.Query("A")
        .datasource_uid(DATASOURCE_UID)
        .relative_time_range(alerting.RelativeTimeRange(spec.lookback_seconds, 0))
        .model(ClickHouseQueryBuilder(spec.sql, Format.TABLE))
    )
    # A numeric table gives one number per row; reduce passes numbers through, and names
    # the value the annotations print ($values.B).
    reduce = (
        alerting_builders.Query("B")
        .datasource_uid(EXPR_UID)
        .model(expr.TypeReduce().ref_id("B").expression("A").reducer("last").datasource(_EXPR))
    )
    threshold = (
        alerting_builders.Query("C")
        .datasource_uid(EXPR_UID)
        .model(
            expr.TypeThreshold()
            .ref_id("C")
            .expression("B")
            .datasource(_EXPR)
            .conditions(
                [
                    expr.ExprTypeThresholdConditions().evaluator(
                        expr.ExprTypeThresholdConditionsEvaluator()
                        .type(spec.comparison)
                        .params([spec.threshold])
                    )
                ]
            )
        )
    )
    return (
        alerting_builders.Rule(spec.title)
        .uid(spec.uid)
        .queries([query, reduce, threshold])
        .condition("C")
        .for_val(spec.pending)
        .no_data_state("OK")
        .exec_err_state("Error")
        .folder_uid(FOLDER_UID)
        .rule_group(GROUP)
        .org_id(1)
        .labels({"team": spec.team, "app": "convtrack"})
        .annotations(
            {
                "summary": spec.summary,
                "description": spec.description,
                "__dashboardUid__": spec.dashboard_uid,
            }
        )
    )


def rule_group() -> alerting_builders.RuleGroup:
    return (
        alerting_builders.RuleGroup(GROUP)
        .folder_uid(FOLDER_UID)
        .interval(GROUP_INTERVAL_SECONDS)
        .rules([rule(spec) for spec in rule_specs()])
    )


def provisioning_file(rules: list[dict[str, Any]]) -> dict[str, Any]:
    """The rules (API JSON) as a Grafana alerting provisioning file: the group names its
    folder by title and its interval as a duration; rules drop the API-only fields."""
    api_only = ("folderUID", "ruleGroup", "orgID")
    return {
        "apiVersion": 1,
        "groups": [
            {
                "orgId": 1,
                "name": GROUP,
                "folder": FOLDER_TITLE,
                "interval": f"{GROUP_INTERVAL_SECONDS // 60}m",
                "rules": [{k: v for k, v in r.items() if k not in api_only} for r in rules],
            }
        ],
    }
