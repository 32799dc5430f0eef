# ruff: noqa: S608  (SQL assembled from this module's constants and column names only)
"""Every counter of `surface_metrics`, recomputed in SQL from `events` and `conversion_facts`
with the counting rules of `streams.metrics.contributions` and the fact rules of
`streams.attribute.judge`. Each part below yields one row per contributing thing (exposure,
conversion, touch, conversation, returning converter) keyed by its window; `recomputed_sql`
casts them to the stored column types and sums them per window, as `surface_metrics_totals`
sums the stored partials.
"""

from decimal import Decimal
from typing import NamedTuple, get_type_hints

from convtrack.sinks.rows.metrics import SURFACE_COUNTER_COLUMNS, SurfaceMetricRow
from convtrack.sinks.verify.exposures import EXPOSURE_PART, fixed

KEY_COLUMNS = ("tenant_id", "surface", "surface_id", "window_start")
_COUNT, _FIXED, _MONEY = "Int64", "Decimal(38, 6)", "Map(String, Decimal(38, 6))"


# At the credited exposure's surface, else where the conversion was reported.
_CONVERSION_PART = """
    SELECT tenant_id AS k_tenant, ifNull(exposure_surface, surface) AS k_surface,
           ifNull(exposure_surface_id, surface_id) AS k_surface_id,
           toStartOfMinute(converted_at) AS k_window,
           1 AS n_conversions,
           exposure_id IS NOT NULL AS n_attributed_conversions,
           exposure_id IS NULL AS n_unattributed_conversions,
           qualified AS n_qualified_conversions,
           assisted AS n_assisted_conversions,
           reversed AS n_reversals,
           reversed OR negative_feedback AS n_regretted_conversions,
           ifNull(time_to_convert_seconds, 0) AS n_time_to_convert_seconds,
           time_to_convert_seconds IS NOT NULL AS n_time_to_convert_count,
           reported_exposure_id IS NOT NULL AND explicit AS n_explicit_exposure_joined,
           reported_exposure_id IS NOT NULL AND NOT explicit AS n_explicit_exposure_missing,
           map(currency, value) AS n_value,
           map(currency, net_value) AS n_net_value,
           map(currency, refunded) AS n_refunded
    FROM conversion_facts FINAL
"""
_TOUCH_PART = f"""
    SELECT tenant_id AS k_tenant, touch_surface AS k_surface, touch_surface_id AS k_surface_id,
           toStartOfMinute(converted_at) AS k_window,
           {fixed("weight")} AS n_quality_weighted_conversions
    FROM conversion_facts FINAL
    ARRAY JOIN touch_surfaces AS touch_surface, touch_surface_ids AS touch_surface_id,
               touch_weights AS weight
    WHERE qualified
"""
# Trust eligibility is counted where the conversion was reported.
_CONVERTER_PART = """
    SELECT tenant_id AS k_tenant, surface AS k_surface, surface_id AS k_surface_id,
           toStartOfMinute(converted_at) AS k_window, 1 AS n_converters
    FROM conversion_facts FINAL
"""
# `trust.TrustTracker`: the user starts another conversation on the same surface within the
# returning window after converting; one return per conversion, in the conversion's minute.
_RETURNING_PART = """
    SELECT c.tenant_id AS k_tenant, c.surface AS k_surface, c.surface_id AS k_surface_id,
           toStartOfMinute(c.occurred_at) AS k_window, 1 AS n_returning_converters
    FROM (
        SELECT tenant_id, user_id, surface, surface_id, conversation_id, conversion_id,
               occurred_at
        FROM events FINAL
        WHERE event_type = 'conversion'
    ) AS c
    INNER JOIN (
        SELECT tenant_id, user_id, surface, surface_id, conversation_id, occurred_at
        FROM events FINAL
        WHERE event_type = 'conversation_started'
    ) AS s
        ON c.tenant_id = s.tenant_id AND c.user_id = s.user_id
        AND c.surface = s.surface AND c.surface_id = s.surface_id
    LEFT JOIN rules AS w
        ON c.tenant_id = w.tenant_id AND c.surface = w.surface AND c.surface_id = w.surface_id
    WHERE s.conversation_id != c.conversation_id AND s.occurred_at > c.occurred_at
      AND s.occurred_at <= c.occurred_at + toIntervalMicrosecond(w.returning_us)
    ORDER BY c.occurred_at
    LIMIT 1 BY c.tenant_id, c.user_id, c.conversion_id
"""
# `judge._conversation`: in the minute the earliest conversation_started opened it, at its
# surface; without one, at the earliest event (ties by surface, surface_id).
_CONVERSATION_PART = """
    SELECT tenant_id AS k_tenant, scope.2 AS k_surface, scope.3 AS k_surface_id,
           toStartOfMinute(scope.1) AS k_window,
           1 AS n_conversations, with_intent AS n_conversations_with_commercial_intent
    FROM (
        SELECT tenant_id, conversation_id,
               if(countIf(event_type = 'conversation_started') > 0,
                  minIf(tuple(occurred_at, surface, surface_id),
                        event_type = 'conversation_started'),
                  min(tuple(occurred_at, surface, surface_id))) AS scope,
               countIf(event_type = 'intent_detected' AND commercial) > 0 AS with_intent
        FROM events FINAL
        GROUP BY tenant_id, conversation_id
    )
"""


class Part(NamedTuple):
    sql: str
    """Key columns k_tenant, k_surface, k_surface_id, k_window; counters as n_<column>."""
    counters: tuple[str, ...]


PARTS = (
    Part(
        EXPOSURE_PART,
        (
            "exposures",
            "intent_matched_exposures",
            "exposures_at_intent",
            "relevance_sum_at_intent",
            "engaged_exposures",
            "deep_engaged_exposures",
            "task_completed_exposures",
            "feedback_up",
            "feedback_down",
            "feedback_rated",
            "dismissals",
            "reports",
        ),
    ),
    Part(
        _CONVERSION_PART,
        (
            "conversions",
            "attributed_conversions",
            "unattributed_conversions",
            "qualified_conversions",
            "assisted_conversions",
            "reversals",
            "regretted_conversions",
            "time_to_convert_seconds",
            "time_to_convert_count",
            "explicit_exposure_joined",
            "explicit_exposure_missing",
            "value",
            "net_value",
            "refunded",
        ),
    ),
    Part(_TOUCH_PART, ("quality_weighted_conversions",)),
    Part(_CONVERTER_PART, ("converters",)),
    Part(_RETURNING_PART, ("returning_converters",)),
    Part(_CONVERSATION_PART, ("conversations", "conversations_with_commercial_intent")),
)


def column_types() -> dict[str, str]:
    """The SQL type each counter column is compared in, from the row model."""
    kinds = {int: _COUNT, Decimal: _FIXED}
    hints = get_type_hints(SurfaceMetricRow)
    return {name: kinds.get(hints[name], _MONEY) for name in SURFACE_COUNTER_COLUMNS}


def recomputed_sql(rules: str) -> str:
    """Per (tenant, surface, surface_id, window_start), every counter column summed over the
    parts, in the column order of `surface_metrics_totals`; `rules` is `rules.rules_sql`."""
    types = column_types()
    branches = []
    for part in PARTS:
        values = ", ".join(
            f"CAST({f'n_{name}' if name in part.counters else _zero(kind)}, '{kind}') AS {name}"
            for name, kind in types.items()
        )
        branches.append(
            "SELECT CAST(k_tenant, 'String') AS tenant_id, CAST(k_surface, 'String') AS surface, "
            "CAST(k_surface_id, 'String') AS surface_id, "
            f"CAST(k_window, 'DateTime(\\'UTC\\')') AS window_start, {values} FROM ({part.sql})"
        )
    totals = ", ".join(_total(name, kind) for name, kind in types.items())
    keys = ", ".join(KEY_COLUMNS)
    return (
        f"WITH rules AS ({rules}) SELECT {keys}, {totals} "
        f"FROM ({' UNION ALL '.join(branches)}) GROUP BY {keys}"
    )


def _zero(kind: str) -> str:
    return "map()" if kind == _MONEY else "0"


def _total(name: str, kind: str) -> str:
    if kind == _MONEY:
        return f"mapFilter((currency, amount) -> amount != 0, sumMap({name})) AS {name}"
    return f"sum({name}) AS {name}"
