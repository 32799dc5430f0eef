"""Volume trap: a surface's volume grows while the quality of what it delivers shrinks.

Judged per contract `volume_trap.period` (epoch-aligned, e.g. a day), summed from the base
periods the evaluator feeds, against the previous such period. Fires when exposures or
conversions grew by at least `volume_up_pct` while one of these fell by `quality_down_pct`
(relative):
- the conversion quality score (qualified / conversions),
- the kept share (1 - regret rate, the trust metric; see `measures.kept_share`),
- the intent-match rate of the exposures (intent-matched / exposures): conversions can be too
  few to judge a campaign within a day, its exposures rarely are.
A volume or measure is judged only with enough sample (`min_conversions` conversions,
`min_exposures` exposures: in the previous period for growth, in both for a measure), so two
sales becoming three is not growth, and a handful of sales cannot fire it. Critical when the fall is
twice the margin.

Hysteresis: the period before the incident is frozen as the reference. The incident resolves
on the first period whose judged measures are all back within margin*quality_down_pct of the
reference, or whose volume is back within margin*volume_up_pct of it (the push was withdrawn).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from convtrack.contracts.book import ContractBook
from convtrack.contracts.model import VolumeTrapRule
from convtrack.streams.alerts.measures import (
    intent_match_rate,
    kept_share,
    period_start,
    quality_score,
    relative_change,
)
from convtrack.streams.alerts.records import (
    Alert,
    AlertRule,
    Evidence,
    Incident,
    Severity,
    Subject,
    evidence,
)
from convtrack.streams.metrics.counters import SurfaceCounters

Window = tuple[datetime, datetime]
_VOLUMES = ("exposures", "conversions")
Measure = Callable[[SurfaceCounters], float | None]
_MEASURES: tuple[tuple[str, Measure, str], ...] = (
    ("quality_score", quality_score, "conversions"),
    ("kept_share", kept_share, "conversions"),
    ("intent_match_rate", intent_match_rate, "exposures"),
)
"""(name, measure, the counter that is its sample)."""


@dataclass(slots=True)
class _Track:
    start: datetime | None = None
    totals: SurfaceCounters = field(default_factory=SurfaceCounters)
    previous: SurfaceCounters | None = None
    incident: Incident | None = None


class VolumeTrap:
    def __init__(
        self,
        contracts: ContractBook,
        resolve_margin: float,
        min_conversions: int,
        min_exposures: int,
    ) -> None:
        self.contracts = contracts
        self.resolve_margin = resolve_margin
        self.min_conversions = min_conversions
        self.min_exposures = min_exposures
        self._tracks: dict[Subject, _Track] = {}

    def observe(self, subject: Subject, window: Window, counters: SurfaceCounters) -> Alert | None:
        """Adds one base period; judges the trap period when this completes it."""
        rule = self.contracts.resolve(*subject).volume_trap
        track = self._tracks.setdefault(subject, _Track())
        start = period_start(window[0], rule.period)
        if track.start is not None and track.start != start:
            # A base period went missing: judge what was gathered rather than mix periods.
            self._close(subject, track, rule, track.start)
        track.start = start
        track.totals = track.totals + counters
        if window[1] >= start + rule.period:
            return self._close(subject, track, rule, start)
        return None

    def _close(
        self, subject: Subject, track: _Track, rule: VolumeTrapRule, start: datetime
    ) -> Alert | None:
        window = (start, start + rule.period)
        current, previous = track.totals, track.previous
        track.start, track.totals, track.previous = None, SurfaceCounters(), current
        if previous is None:
            return None
        if track.incident is None:
            track.incident = self._incident(subject, rule, window, current, previous)
            if track.incident is None:
                return None
            return track.incident.firing(window, _evidence(current, previous))
        if self._recovered(rule, current, dict(track.incident.reference)):
            alert = track.incident.resolved(window, _evidence(current, previous))
            track.incident = None
            return alert
        return None

    def _incident(
        self,
        subject: Subject,
        rule: VolumeTrapRule,
        window: Window,
        current: SurfaceCounters,
        previous: SurfaceCounters,
    ) -> Incident | None:
        growth = [
            change
            for name in _VOLUMES
            if getattr(previous, name) >= self._minimum(name)
            and (change := relative_change(getattr(current, name), getattr(previous, name)))
            is not None
        ]
        falls = [
            -change
            for name, measure in self._judged(current, previous)
            if (change := relative_change(_of(measure, current), _of(measure, previous)))
            is not None
        ]
        if not growth or not falls or max(growth) * 100 < rule.volume_up_pct:
            return None
        fall = max(falls) * 100
        if fall < rule.quality_down_pct:
            return None
        severity = Severity.CRITICAL if fall >= 2 * rule.quality_down_pct else Severity.WARNING
        reference = _evidence(previous, previous)
        return Incident(AlertRule.VOLUME_TRAP, subject, severity, window[0], window[1], reference)

    def _recovered(
        self, rule: VolumeTrapRule, current: SurfaceCounters, reference: dict[str, float]
    ) -> bool:
        volume_back = all(
            getattr(current, name)
            <= reference[name] * (1 + self.resolve_margin * rule.volume_up_pct / 100)
            for name in _VOLUMES
        )
        if volume_back:
            return True
        floor = 1 - self.resolve_margin * rule.quality_down_pct / 100
        judged = self._judged(current, current)
        return bool(judged) and all(
            _of(measure, current) >= reference[name] * floor for name, measure in judged
        )

    def _judged(
        self, current: SurfaceCounters, previous: SurfaceCounters
    ) -> list[tuple[str, Measure]]:
        """The measures with enough sample in both periods."""
        return [
            (name, measure)
            for name, measure, sample in _MEASURES
            if min(getattr(current, sample), getattr(previous, sample)) >= self._minimum(sample)
        ]

    def _minimum(self, sample: str) -> int:
        return self.min_conversions if sample == "conversions" else self.min_exposures


def _of(measure: Measure, counters: SurfaceCounters) -> float:
    value = measure(counters)
    return 0.0 if value is None else value


def _evidence(current: SurfaceCounters, previous: SurfaceCounters) -> Evidence:
    found = {name: _of(measure, current) for name, measure, _ in _MEASURES}
    before = {f"previous_{name}": _of(measure, previous) for name, measure, _ in _MEASURES}
    return evidence(
        exposures=current.exposures,
        conversions=current.conversions,
        previous_exposures=previous.exposures,
        previous_conversions=previous.conversions,
        **found,
        **before,
    )
