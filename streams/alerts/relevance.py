"""Relevance drop: a surface's relevance@intent for a period below its trailing baseline.

Baseline: the per-period relevance@intent values of the surface over the contract's
`baseline_period` before the period, excluding periods spent inside an incident (so a lasting
drop does not become the new normal and resolve itself). It needs two periods or more, to have
a sigma, and `min_sample` exposures at intent in total; the period judged needs `min_sample`
exposures at intent of its own. Otherwise nothing changes: no fire, no resolve.

Fires when value < mean - max(k*sigma, min_drop) (critical below twice that margin): the
floor keeps a baseline whose few periods happened to agree closely from firing on the sampling
noise of the next one. Resolves, against the
baseline frozen at firing, on the first judged period with value >= mean - margin*k*sigma,
margin < 1 being the hysteresis: a value hovering at the threshold fires once, not per period.

Values, mean and sigma are Decimals from the fixed-point counters: a flat series then has a
sigma of exactly 0 and a mean exactly equal to its values, where float rounding would make a
flat series fire on its last digit.
"""

import statistics
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from convtrack.contracts.book import ContractBook
from convtrack.streams.alerts.records import (
    Alert,
    AlertRule,
    Incident,
    Severity,
    Subject,
    evidence,
)
from convtrack.streams.metrics.counters import SurfaceCounters

Window = tuple[datetime, datetime]


@dataclass(slots=True)
class _Track:
    history: deque[tuple[datetime, Decimal, int]] = field(default_factory=deque)
    """(period start, relevance@intent, exposures at intent) of the judged, healthy periods."""
    incident: Incident | None = None
    resolve_below: Decimal = Decimal(0)
    """While an incident is open: the frozen baseline's resolve threshold."""


def _exact(value: float) -> Decimal:
    return Decimal(repr(value))


class RelevanceDrop:
    def __init__(
        self, contracts: ContractBook, resolve_margin: float, min_baseline_periods: int
    ) -> None:
        self.contracts = contracts
        self.resolve_margin = _exact(resolve_margin)
        self.min_baseline_periods = max(2, min_baseline_periods)
        self._tracks: dict[Subject, _Track] = {}

    def observe(self, subject: Subject, window: Window, counters: SurfaceCounters) -> Alert | None:
        rule = self.contracts.resolve(*subject).relevance_drop
        track = self._tracks.setdefault(subject, _Track())
        history = track.history
        while history and history[0][0] < window[0] - rule.baseline_period:
            history.popleft()
        sample = counters.exposures_at_intent
        if sample == 0 or sample < rule.min_sample:
            return None
        value = counters.relevance_sum_at_intent / sample
        if track.incident is not None:
            return self._maybe_resolve(track, track.incident, window, value, sample)
        values = [v for _, v, _ in history]
        healthy = (window[0], value, sample)
        if (
            len(values) < self.min_baseline_periods
            or sum(n for _, _, n in history) < rule.min_sample
        ):
            history.append(healthy)
            return None
        mean, sigma = statistics.mean(values), statistics.stdev(values)
        margin = max(_exact(rule.k_sigma) * sigma, _exact(rule.min_drop))
        if value >= mean - margin:
            history.append(healthy)
            return None
        track.resolve_below = mean - self.resolve_margin * margin
        baseline = evidence(baseline_mean=mean, baseline_sigma=sigma, k_sigma=rule.k_sigma)
        found = evidence(
            relevance_at_intent=value,
            exposures_at_intent=sample,
            baseline_mean=mean,
            baseline_sigma=sigma,
            baseline_periods=len(values),
            threshold=mean - margin,
            resolve_threshold=track.resolve_below,
            k_sigma=rule.k_sigma,
            min_drop=rule.min_drop,
        )
        severity = Severity.CRITICAL if value < mean - 2 * margin else Severity.WARNING
        track.incident = Incident(
            AlertRule.RELEVANCE_DROP, subject, severity, window[0], window[1], baseline
        )
        return track.incident.firing(window, found)

    def _maybe_resolve(
        self, track: _Track, incident: Incident, window: Window, value: Decimal, sample: int
    ) -> Alert | None:
        if value < track.resolve_below:
            return None
        track.incident = None
        track.history.append((window[0], value, sample))
        found = evidence(
            relevance_at_intent=value,
            exposures_at_intent=sample,
            resolve_threshold=track.resolve_below,
            **incident.evidence_dict,
        )
        return incident.resolved(window, found)
