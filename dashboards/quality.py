"""The "Conversion quality" dashboard for growth teams: per surface and surface_id, volume next
to quality and trust, with the alerts as annotations.

Ratios are sums of numerators over sums of denominators (never averages of ratios), so any time
bucket and any selection of surfaces is exact, as in convtrack.scorecard.
"""

from convtrack.dashboards.spec import (
    Annotation,
    DashboardSpec,
    Kind,
    Section,
    SqlPanel,
    Variable,
)
from convtrack.dashboards.sql import only, options, over_time, ratio, selected

UID = "convtrack-conversion-quality"
RATIO_INTERVAL = "6h"
"""A surface converts a handful of times an hour: hourly ratios per surface are mostly noise."""


def _by_surface(title: str, description: str, name: str, ratio: str, unit: str) -> SqlPanel:
    return SqlPanel(
        title,
        description,
        over_time(f"{ratio} AS {name}", by="surface_id"),
        ("time", "surface_id", name),
        unit=unit,
        series="surface_id",
        min_interval=RATIO_INTERVAL,
    )


_VOLUME = SqlPanel(
    "Volume next to quality",
    "Exposures and conversions (bars, left axis) beside the conversion quality score (line, "
    "right axis). Volume going up while quality goes down is the volume trap.",
    over_time(
        "sum(exposures) AS exposure_count, sum(conversions) AS conversion_count, "
        f"{ratio('qualified_conversions', 'conversions')} AS quality_score"
    ),
    ("time", "exposure_count", "conversion_count", "quality_score"),
    right=("quality_score",),
    bars=True,
    min_interval="3h",
    width=24,
)

_SCORECARD = SqlPanel(
    "Surfaces by quality",
    "Each surface over the whole time range: volume beside quality and trust. Sort by a "
    "column to find the loud surfaces that help least.",
    "SELECT surface_id, any(surface) AS surface_kind, sum(exposures) AS exposure_count,\n"
    "    sum(conversions) AS conversion_count,\n"
    f"    {ratio('qualified_conversions', 'conversions')} AS quality_score,\n"
    f"    {ratio('intent_matched_exposures', 'exposures')} AS intent_match_rate,\n"
    f"    {ratio('relevance_sum_at_intent', 'exposures_at_intent')} AS relevance_at_intent,\n"
    f"    {ratio('regretted_conversions', 'conversions')} AS regret_rate,\n"
    f"    {ratio('returning_converters', 'converters')} AS durable_trust\n"
    "FROM surface_metrics_totals\n"
    f"WHERE $__timeFilter(window_start) AND {selected()}\n"
    "GROUP BY surface_id\nORDER BY exposure_count DESC",
    (
        "surface_id",
        "surface_kind",
        "exposure_count",
        "conversion_count",
        "quality_score",
        "intent_match_rate",
        "relevance_at_intent",
        "regret_rate",
        "durable_trust",
    ),
    kind=Kind.TABLE,
    width=24,
)

_NET_VALUE = SqlPanel(
    "Net conversion value after refunds",
    "Conversion value minus refunds, returns and chargebacks, per currency, restated when "
    "they arrive (counted at the conversion's time, credited to the converting surface).",
    "SELECT $__timeInterval(window_start) AS time, currency, toFloat64(sum(amount)) AS net\n"
    "FROM surface_metrics_totals\n"
    "ARRAY JOIN mapKeys(net_value) AS currency, mapValues(net_value) AS amount\n"
    f"WHERE $__timeFilter(window_start) AND {selected()}\n"
    "GROUP BY time, currency\nORDER BY time, currency",
    ("time", "currency", "net"),
    series="currency",
    bars=True,
    min_interval=RATIO_INTERVAL,
)

_VALUE_TABLE = SqlPanel(
    "Qualified and net value by currency",
    "Gross value, refunds, net value, and the net value of qualified conversions only (intent "
    "matched, attributed in the window, not reversed, no negative feedback).",
    "SELECT currency, count() AS conversion_count, countIf(qualified) AS qualified_count,\n"
    "    toFloat64(sum(value)) AS gross, toFloat64(sum(refunded)) AS refunds,\n"
    "    toFloat64(sum(net_value)) AS net,\n"
    "    toFloat64(sumIf(net_value, qualified)) AS qualified_net\n"
    "FROM conversion_facts FINAL\n"
    "WHERE $__timeFilter(converted_at) AND "
    + selected(
        surface="ifNull(exposure_surface, surface)",
        surface_id="ifNull(exposure_surface_id, surface_id)",
    )
    + "\nGROUP BY currency\nORDER BY net DESC",
    (
        "currency",
        "conversion_count",
        "qualified_count",
        "gross",
        "refunds",
        "net",
        "qualified_net",
    ),
    kind=Kind.TABLE,
)

_FEEDBACK = SqlPanel(
    "Feedback net score with coverage",
    "Net score: (thumbs up - thumbs down) / rated exposures, from -100% to +100%. Coverage: "
    "rated / all exposures; a score on little coverage says little.",
    over_time(
        f"toFloat64((sum(feedback_up) - sum(feedback_down)) / nullIf(sum(feedback_rated), 0))"
        f" AS net_score, {ratio('feedback_rated', 'exposures')} AS coverage"
    ),
    ("time", "net_score", "coverage"),
    unit="percentunit",
    min_interval=RATIO_INTERVAL,
)

_ASSISTED = SqlPanel(
    "Assisted conversions",
    "Conversions with an earlier touch in the conversation that was not the last one, beside "
    "all conversions.",
    over_time("sum(assisted_conversions) AS assisted, sum(conversions) AS conversion_count"),
    ("time", "assisted", "conversion_count"),
    bars=True,
    min_interval=RATIO_INTERVAL,
)

_TRUST = SqlPanel(
    "Durable trust by surface",
    "Converters who came back to the same surface within 30 days / converters. The last 30 "
    "days are immature: their returns may still come.",
    "SELECT surface_id, "
    f"{ratio('returning_converters', 'converters')} AS durable_trust\n"
    "FROM surface_metrics_totals\n"
    f"WHERE $__timeFilter(window_start) AND {selected()}\n"
    "GROUP BY surface_id\nHAVING sum(converters) > 0\nORDER BY durable_trust DESC",
    ("surface_id", "durable_trust"),
    kind=Kind.BARS,
    unit="percentunit",
)

_ALERTS = Annotation(
    "convtrack alerts",
    "SELECT started_at AS time, resolved_at AS timeEnd,\n"
    "    concat(rule, ' ', state, ' on ', tenant_id, '/', ifNull(surface_id, '*')) AS text,\n"
    "    concat(rule, ',', severity) AS tags\n"
    "FROM alerts FINAL\n"
    "WHERE $__timeFilter(started_at) AND $__conditionalAll(tenant_id IN (${tenant}), $tenant)\n"
    "ORDER BY time",
)


def conversion_quality() -> DashboardSpec:
    return DashboardSpec(
        uid=UID,
        title="Conversion quality",
        description="Were we useful, credible and well-timed at the moment of intent, and did "
        "the trust last? Per surface and surface_id, quality next to volume.",
        sections=(
            Section("Volume next to quality", (_VOLUME, _SCORECARD)),
            Section(
                "Quality at the moment of intent",
                (
                    _by_surface(
                        "Conversion quality score",
                        "Qualified conversions / conversions, per surface_id.",
                        "quality_score",
                        ratio("qualified_conversions", "conversions"),
                        "percentunit",
                    ),
                    _by_surface(
                        "Intent-match rate",
                        "Exposures that matched the conversation's detected intent / exposures.",
                        "intent_match_rate",
                        ratio("intent_matched_exposures", "exposures"),
                        "percentunit",
                    ),
                    _by_surface(
                        "Relevance@intent",
                        "Mean relevance (0-1) of exposures shown at a detected commercial intent.",
                        "relevance_at_intent",
                        ratio("relevance_sum_at_intent", "exposures_at_intent"),
                        "none",
                    ),
                    _by_surface(
                        "Time to convert",
                        "Mean time from the intent turn to the conversion: well-timed offers "
                        "convert sooner.",
                        "time_to_convert",
                        ratio("time_to_convert_seconds", "time_to_convert_count"),
                        "s",
                    ),
                ),
            ),
            Section(
                "Value and regret",
                (
                    _NET_VALUE,
                    _VALUE_TABLE,
                    _by_surface(
                        "Regret rate",
                        "Conversions reversed or followed by negative feedback / conversions.",
                        "regret_rate",
                        ratio("regretted_conversions", "conversions"),
                        "percentunit",
                    ),
                    _by_surface(
                        "Dismissal rate",
                        "Exposures the user hid or reported / exposures.",
                        "dismissal_rate",
                        ratio("dismissals", "exposures"),
                        "percentunit",
                    ),
                ),
            ),
            Section("Trust", (_FEEDBACK, _ASSISTED, _TRUST)),
        ),
        variables=(
            Variable("tenant", "Tenant", options("tenant_id")),
            Variable(
                "surface",
                "Surface",
                options("surface", only("tenant_id", "tenant")),
            ),
            Variable(
                "surface_id",
                "Surface id",
                options("surface_id", only("tenant_id", "tenant"), only("surface", "surface")),
            ),
        ),
        annotations=(_ALERTS,),
    )
