"""The growth scorecard: per surface and campaign, volume next to quality and trust.

One query over `surface_metrics_totals`, so the numbers are the stored ones: what the demo
prints is what Grafana and `convtrack sql` show. Ratios are computed from summed numerators
and denominators, never averaged, so they are exact for any range.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from clickhouse_connect.driver.client import Client

_SCORECARD_SQL = """
SELECT
    tenant_id, surface, surface_id,
    sum(exposures) AS exposure_count,
    sumIf(exposures, window_start >= {recent_start:DateTime}) AS recent_exposures,
    sumIf(exposures, window_start < {recent_start:DateTime}
                     AND window_start >= {earlier_start:DateTime}) AS earlier_exposures,
    sum(conversions) AS conversion_count,
    toFloat64(sum(intent_matched_exposures) / nullIf(sum(exposures), 0)) AS intent_match_rate,
    toFloat64(sum(relevance_sum_at_intent) / nullIf(sum(exposures_at_intent), 0))
        AS relevance_at_intent,
    toFloat64(sum(qualified_conversions) / nullIf(sum(conversions), 0)) AS quality_score,
    toFloat64(sum(regretted_conversions) / nullIf(sum(conversions), 0)) AS regret_rate,
    toFloat64(sum(dismissals) / nullIf(sum(exposures), 0)) AS dismissal_rate,
    toFloat64((sum(feedback_up) - sum(feedback_down)) / nullIf(sum(feedback_rated), 0))
        AS feedback_net,
    toFloat64(sum(returning_converters) / nullIf(sum(converters), 0)) AS durable_trust,
    mapFilter((currency, amount) -> amount != 0, sumMap(net_value)) AS net_value_by_currency
FROM surface_metrics_totals
WHERE window_start >= {since:DateTime}
GROUP BY tenant_id, surface, surface_id
ORDER BY exposure_count DESC
"""

_PERIOD_SQL = "SELECT min(window_start), max(window_start) FROM surface_metrics_totals"


@dataclass(frozen=True, slots=True)
class SurfaceScore:
    tenant_id: str
    surface: str
    surface_id: str
    exposures: int
    recent_exposures: int
    earlier_exposures: int
    conversions: int
    intent_match_rate: float | None
    relevance_at_intent: float | None
    quality_score: float | None
    regret_rate: float | None
    dismissal_rate: float | None
    feedback_net: float | None
    durable_trust: float | None
    net_value: dict[str, Decimal]

    @property
    def volume_change(self) -> float | None:
        """Exposures in the most recent day against the day before, as a fraction."""
        if not self.earlier_exposures:
            return None
        return self.recent_exposures / self.earlier_exposures - 1


def stored_period(client: Client) -> tuple[datetime, datetime] | None:
    first, last = client.query(_PERIOD_SQL).result_rows[0]
    if first is None or last is None or last < first or first.year < 1971:
        return None
    return first, last


def scorecard(client: Client, since: datetime, until: datetime) -> list[SurfaceScore]:
    """Scores from `since`; `volume_change` compares the day before `until` with the one
    before that."""
    recent_start = until - timedelta(days=1)
    parameters = {
        "since": since,
        "recent_start": recent_start,
        "earlier_start": recent_start - timedelta(days=1),
    }
    rows = client.query(_SCORECARD_SQL, parameters=parameters).result_rows
    return [SurfaceScore(*row) for row in rows]
