"""Runs every alert rule over one base period of rolled-up metric counters.

The caller feeds each base period once, in event-time order, after the watermark has passed
its end (and whatever grace it allows for late events): alerts are judged on the counters as
they are then; a later restatement of that period does not re-judge it. Counters come per
surface (summed over minutes, shards and parts: `PeriodRollup` or the same SQL) and per tenant
for the validate stage. A surface seen once and missing from a later period has a period of
zeros, so a collapse of traffic is seen too.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from convtrack.contracts.book import ContractBook
from convtrack.streams.alerts.deadletters import DeadLetterSpike
from convtrack.streams.alerts.records import Alert, Subject
from convtrack.streams.alerts.relevance import RelevanceDrop
from convtrack.streams.alerts.volume import VolumeTrap
from convtrack.streams.metrics.counters import IngestCounters, SurfaceCounters


@dataclass(frozen=True, slots=True)
class AlertTuning:
    """What the contracts do not say."""

    period: timedelta = timedelta(hours=1)
    """The base period: relevance drops and dead-letter spikes are judged per base period;
    the volume trap sums base periods up to its contract period."""
    resolve_margin: float = 0.5
    """Hysteresis: a rule resolves only once its metric is back within this fraction of the
    margin that fired it (0 = all the way back to the baseline, 1 = just past the threshold)."""
    min_conversions: int = 20
    """Conversions needed in both periods before the volume trap judges conversion quality
    and the kept share."""
    min_exposures: int = 100
    """Exposures needed in both periods before the volume trap judges the intent-match rate."""
    min_baseline_periods: int = 6
    """Judged periods a relevance baseline needs (besides the contract's `min_sample`
    exposures): a sigma from two or three periods is noise, and would fire on noise."""


class AlertEvaluator:
    def __init__(self, contracts: ContractBook, tuning: AlertTuning | None = None) -> None:
        self.tuning = tuning or AlertTuning()
        margin = self.tuning.resolve_margin
        self._relevance = RelevanceDrop(contracts, margin, self.tuning.min_baseline_periods)
        self._volume = VolumeTrap(
            contracts, margin, self.tuning.min_conversions, self.tuning.min_exposures
        )
        self._dead_letters = DeadLetterSpike(contracts, margin)
        self._subjects: set[Subject] = set()
        self._tenants: set[str] = set()

    def evaluate(
        self,
        window_start: datetime,
        surfaces: Mapping[Subject, SurfaceCounters],
        ingest: Mapping[str, IngestCounters],
    ) -> list[Alert]:
        """Alerts that fired or resolved in the base period starting at `window_start`."""
        window = (window_start, window_start + self.tuning.period)
        self._subjects.update(surfaces)
        self._tenants.update(ingest)
        alerts: list[Alert] = []
        for subject in sorted(self._subjects):
            counters = surfaces.get(subject, SurfaceCounters())
            for rule in (self._relevance, self._volume):
                if (alert := rule.observe(subject, window, counters)) is not None:
                    alerts.append(alert)
        for tenant in sorted(self._tenants):
            found = self._dead_letters.observe(tenant, window, ingest.get(tenant, IngestCounters()))
            if found is not None:
                alerts.append(found)
        return alerts
