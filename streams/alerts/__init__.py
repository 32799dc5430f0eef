"""The alerts stage: rules over rolled-up metric counters, judged per event-time period.

    evaluator = AlertEvaluator(contracts)                  # hourly base periods by default
    judge = AlertJudge(evaluator, shards=1, grace=timedelta(hours=1))   # alerts.judge
    alerts = judge.add(MetricReport(0, clock, flush.surfaces, flush.ingest))

The judge decides when a period is judged and on which partials (see `judge`); `PeriodRollup`
sums them; the evaluator's rules decide what fires.

Rules: `relevance` (relevance@intent below mean - k*sigma of its trailing baseline), `volume`
(volume up while quality or kept share down, period over period), `deadletters` (a tenant's
dead-letter rate over the contract's maximum). Each incident fires once and resolves once.
"""

from convtrack.streams.alerts.describe import describe
from convtrack.streams.alerts.evaluator import AlertEvaluator, AlertTuning
from convtrack.streams.alerts.measures import (
    dead_letter_rate,
    intent_match_rate,
    kept_share,
    period_start,
    quality_score,
    relevance_at_intent,
)
from convtrack.streams.alerts.records import (
    Alert,
    AlertRule,
    AlertState,
    Evidence,
    Severity,
    Subject,
    alert_id,
)
from convtrack.streams.alerts.rollup import PeriodRollup

__all__ = [
    "Alert",
    "AlertEvaluator",
    "AlertRule",
    "AlertState",
    "AlertTuning",
    "Evidence",
    "PeriodRollup",
    "Severity",
    "Subject",
    "alert_id",
    "dead_letter_rate",
    "describe",
    "intent_match_rate",
    "kept_share",
    "period_start",
    "quality_score",
    "relevance_at_intent",
]
