"""Alert rules on hand-made hourly series: fire once, resolve once, stay quiet otherwise."""

import statistics
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from convtrack.contracts import ContractBook
from convtrack.schemas.types import Surface
from convtrack.streams.alerts import (
    Alert,
    AlertEvaluator,
    AlertRule,
    AlertState,
    Severity,
    Subject,
    alert_id,
)
from convtrack.streams.metrics import IngestCounters, SurfaceCounters

H0 = datetime(2026, 11, 2, tzinfo=UTC)
HOUR = timedelta(hours=1)
HOTELS = Subject("acme-travel", Surface.VERTICAL, "hotels-vertical")
CONTRACTS = ContractBook.from_tables(
    {
        "relevance_drop": {
            "k_sigma": 2,
            "baseline_period": "6h",
            "min_sample": 10,
            "min_drop": 0,
        },
        "volume_trap": {"period": "1h", "volume_up_pct": 50, "quality_down_pct": 20},
        "dead_letter_spike": {"max_rate": 0.05, "min_inputs": 100},
    },
    [],
)


def relevance(value: str, exposures: int = 20) -> SurfaceCounters:
    return SurfaceCounters(
        exposures=exposures,
        exposures_at_intent=exposures,
        relevance_sum_at_intent=Decimal(value) * exposures,
    )


def run(
    series: Sequence[SurfaceCounters], contracts: ContractBook = CONTRACTS
) -> list[tuple[int, Alert]]:
    evaluator = AlertEvaluator(contracts)
    return [
        (hour, alert)
        for hour, counters in enumerate(series)
        for alert in evaluator.evaluate(H0 + hour * HOUR, {HOTELS: counters}, {})
    ]


BASELINE = ["0.80", "0.82", "0.78", "0.81", "0.79", "0.80"]


def test_a_relevance_drop_fires_once_then_resolves_once() -> None:
    series = [relevance(v) for v in [*BASELINE, "0.50", "0.52", "0.40", "0.79", "0.80"]]
    alerts = run(series)
    assert [(hour, a.state) for hour, a in alerts] == [
        (6, AlertState.FIRING),
        (9, AlertState.RESOLVED),
    ]
    fired, resolved = alerts[0][1], alerts[1][1]
    assert (
        fired.alert_id
        == resolved.alert_id
        == alert_id(AlertRule.RELEVANCE_DROP, HOTELS, H0 + 6 * HOUR)
    )
    assert fired.rule is AlertRule.RELEVANCE_DROP
    assert fired.severity is Severity.CRITICAL
    sigma = statistics.stdev(Decimal(v) for v in BASELINE)  # 0.01414...
    evidence = fired.evidence_dict
    assert evidence["relevance_at_intent"] == 0.5
    assert evidence["baseline_mean"] == 0.8
    assert evidence["baseline_sigma"] == float(sigma)
    assert evidence["threshold"] == float(Decimal("0.8") - 2 * sigma)
    assert evidence["resolve_threshold"] == float(Decimal("0.8") - sigma)
    assert evidence["baseline_periods"] == 6
    assert (fired.fired_at, fired.window_start) == (H0 + 7 * HOUR, H0 + 6 * HOUR)
    assert (resolved.resolved_at, resolved.started_at) == (H0 + 10 * HOUR, H0 + 6 * HOUR)
    assert fired.resolved_at is None


def test_hysteresis_holds_the_incident_between_the_two_thresholds() -> None:
    # Threshold mean - 2 sigma = 0.7717; resolving needs mean - 1 sigma = 0.7859.
    series = [relevance(v) for v in [*BASELINE, "0.70", "0.78", "0.76", "0.78"]]
    assert [(hour, a.state) for hour, a in run(series)] == [(6, AlertState.FIRING)]


def test_a_drop_smaller_than_min_drop_raises_nothing_however_tight_the_baseline() -> None:
    tight = ["0.800", "0.801", "0.799", "0.800", "0.801", "0.799"]
    floored = ContractBook.from_tables(
        {"relevance_drop": {"k_sigma": 2, "baseline_period": "6h", "min_sample": 10}}, []
    )
    assert run([relevance(v) for v in [*tight, "0.72"]], floored) == []
    assert [a.state for _, a in run([relevance(v) for v in [*tight, "0.69"]], floored)] == [
        AlertState.FIRING
    ]
    assert run([relevance(v) for v in [*tight, "0.72"]])  # without the floor, k*sigma fires


def test_a_flat_series_raises_nothing() -> None:
    assert run([relevance("0.80")] * 48) == []


def test_a_small_sample_raises_nothing() -> None:
    small_window = [relevance(v) for v in BASELINE] + [relevance("0.10", exposures=9)]
    assert run(small_window) == []
    small_baseline = [relevance(v, exposures=4) for v in BASELINE[:2]] + [relevance("0.10")]
    assert run(small_baseline) == []
    assert run([relevance("0.80"), relevance("0.10")]) == []  # one period has no sigma


def test_the_baseline_trails_by_the_contract_period() -> None:
    # A low past beyond the 6-hour baseline does not make a later low period normal.
    old = [relevance(v) for v in ["0.30", "0.31", "0.29"]]
    alerts = run([*old, *[relevance(v) for v in BASELINE], relevance("0.30")])
    assert [(hour, a.state) for hour, a in alerts] == [(9, AlertState.FIRING)]


def sales(exposures: int, conversions: int, qualified: int, regretted: int = 0) -> SurfaceCounters:
    return SurfaceCounters(
        exposures=exposures,
        conversions=conversions,
        qualified_conversions=qualified,
        regretted_conversions=regretted,
    )


def test_volume_up_and_quality_down_is_a_trap() -> None:
    alerts = run(
        [
            sales(100, 40, 30),
            sales(200, 80, 30),  # volume x2, quality 0.75 -> 0.375
            sales(200, 80, 30),  # still trapped: no second alert
            sales(200, 80, 58),  # quality back within 10% of 0.75: resolved
        ]
    )
    assert [(hour, a.rule, a.state) for hour, a in alerts] == [
        (1, AlertRule.VOLUME_TRAP, AlertState.FIRING),
        (3, AlertRule.VOLUME_TRAP, AlertState.RESOLVED),
    ]
    fired = alerts[0][1]
    assert fired.severity is Severity.CRITICAL
    assert fired.evidence_dict == {
        "conversions": 80,
        "exposures": 200,
        "intent_match_rate": 0.0,  # too few exposures to judge (100 needed)
        "kept_share": 1.0,
        "previous_conversions": 40,
        "previous_exposures": 100,
        "previous_intent_match_rate": 0.0,
        "previous_kept_share": 1.0,
        "previous_quality_score": 0.75,
        "quality_score": 0.375,
    }


def test_volume_up_and_trust_down_is_a_trap() -> None:
    alerts = run([sales(100, 40, 30, regretted=2), sales(100, 80, 60, regretted=30)])
    assert [(a.rule, a.severity) for _, a in alerts] == [(AlertRule.VOLUME_TRAP, Severity.WARNING)]


def test_volume_up_with_quality_flat_is_growth() -> None:
    assert run([sales(100, 40, 30), sales(300, 120, 88), sales(900, 360, 270)]) == []


def test_quality_down_without_volume_up_is_not_a_trap() -> None:
    assert run([sales(100, 40, 30), sales(110, 40, 10)]) == []


def test_too_few_conversions_raise_no_trap() -> None:
    assert run([sales(100, 10, 8), sales(300, 19, 2)]) == []


def test_a_dead_letter_spike_fires_and_resolves_per_tenant() -> None:
    evaluator = AlertEvaluator(CONTRACTS)

    def hour(index: int, inputs: int, dead: int) -> list[Alert]:
        counts = IngestCounters.of(valid=inputs - dead, dead_letters={"invalid_json": dead})
        return evaluator.evaluate(H0 + index * HOUR, {}, {"shopwise": counts})

    assert hour(0, 200, 5) == []
    assert hour(1, 50, 25) == []  # too few inputs to judge
    fired = hour(2, 200, 20)
    assert [(a.rule, a.state, a.subject) for a in fired] == [
        (AlertRule.DEAD_LETTER_SPIKE, AlertState.FIRING, Subject("shopwise"))
    ]
    assert fired[0].evidence_dict["reason_invalid_json"] == 20
    assert fired[0].severity is Severity.CRITICAL
    assert hour(3, 200, 8) == []  # 4 %: under the maximum, not under half of it
    assert [a.state for a in hour(4, 200, 2)] == [AlertState.RESOLVED]


def test_replaying_the_series_gives_the_same_alerts() -> None:
    series = [relevance(v) for v in [*BASELINE, "0.50", "0.80"]]
    assert run(series) == run(series)
