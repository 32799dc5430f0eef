"""Dead-letter spike: a tenant's dead-letter share of its inputs in a period above the
contract's `dead_letter_spike.max_rate`, judged only with `min_inputs` inputs or more (the
tenant's own contract, without surface: dead letters often have none). Critical at twice the
rate. Resolves on the first period, with enough inputs, at or below margin*max_rate."""

from datetime import datetime

from convtrack.contracts.book import ContractBook
from convtrack.streams.alerts.measures import dead_letter_rate
from convtrack.streams.alerts.records import (
    Alert,
    AlertRule,
    Incident,
    Severity,
    Subject,
    evidence,
)
from convtrack.streams.metrics.counters import IngestCounters

Window = tuple[datetime, datetime]


class DeadLetterSpike:
    def __init__(self, contracts: ContractBook, resolve_margin: float) -> None:
        self.contracts = contracts
        self.resolve_margin = resolve_margin
        self._incidents: dict[str, Incident] = {}

    def observe(self, tenant_id: str, window: Window, counters: IngestCounters) -> Alert | None:
        rule = self.contracts.resolve(tenant_id).dead_letter_spike
        rate = dead_letter_rate(counters)
        if rate is None or counters.inputs < rule.min_inputs:
            return None
        found = evidence(
            dead_letter_rate=rate,
            dead_letters=counters.dead_letters,
            inputs=counters.inputs,
            max_rate=rule.max_rate,
            **{
                f"reason_{reason}": count for reason, count in counters.dead_letters_by_reason.items
            },
        )
        incident = self._incidents.get(tenant_id)
        if incident is None:
            if rate <= rule.max_rate:
                return None
            severity = Severity.CRITICAL if rate >= 2 * rule.max_rate else Severity.WARNING
            incident = Incident(
                AlertRule.DEAD_LETTER_SPIKE,
                Subject(tenant_id),
                severity,
                window[0],
                window[1],
                evidence(max_rate=rule.max_rate),
            )
            self._incidents[tenant_id] = incident
            return incident.firing(window, found)
        if rate > self.resolve_margin * rule.max_rate:
            return None
        del self._incidents[tenant_id]
        return incident.resolved(window, found)
