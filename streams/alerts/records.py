"""Alert records: one incident is one alert id, written once firing and once resolved."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple
from uuid import UUID, uuid5

from convtrack.schemas.types import Surface

_ALERT_NAMESPACE = UUID("3c0f5a52-2f7e-4c4d-9d8e-6b1f3e2a9c70")


class AlertRule(StrEnum):
    RELEVANCE_DROP = "relevance_drop"
    VOLUME_TRAP = "volume_trap"
    DEAD_LETTER_SPIKE = "dead_letter_spike"


class Severity(StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"
    """The breach is at least twice the rule's margin."""


class AlertState(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


class Subject(NamedTuple):
    """What an alert is about: a surface (tenant, surface, surface_id) or a whole tenant."""

    tenant_id: str
    surface: Surface | None = None
    surface_id: str | None = None


Evidence = tuple[tuple[str, float], ...]
"""Named numbers, sorted by name: the values, the baseline or previous period, the threshold."""


@dataclass(frozen=True, slots=True)
class Alert:
    alert_id: str
    """uuid5 of (rule, subject, started_at): the same incident gets the same id on a replay,
    and the resolved record replaces the firing one under that id."""
    rule: AlertRule
    severity: Severity
    state: AlertState
    subject: Subject
    started_at: datetime
    """Start of the period in which the incident was first seen."""
    fired_at: datetime
    """End of that period (event time): when the evidence was complete."""
    resolved_at: datetime | None
    window_start: datetime
    """The period this record's evidence describes (the firing or the resolving one)."""
    window_end: datetime
    evidence: Evidence

    @property
    def evidence_dict(self) -> dict[str, float]:
        return dict(self.evidence)


def alert_id(rule: AlertRule, subject: Subject, started_at: datetime) -> str:
    name = "/".join(
        (rule.value, subject.tenant_id, subject.surface or "", subject.surface_id or "")
    )
    return str(uuid5(_ALERT_NAMESPACE, f"{name}/{started_at.isoformat()}"))


def evidence(**values: float | Decimal) -> Evidence:
    return tuple(sorted((name, float(value)) for name, value in values.items()))


@dataclass(frozen=True, slots=True)
class Incident:
    """An open incident, as a rule remembers it until it resolves."""

    rule: AlertRule
    subject: Subject
    severity: Severity
    started_at: datetime
    fired_at: datetime
    reference: Evidence
    """What the rule compares against until it resolves (the baseline frozen at firing)."""

    @property
    def evidence_dict(self) -> dict[str, float]:
        return dict(self.reference)

    @property
    def alert_id(self) -> str:
        return alert_id(self.rule, self.subject, self.started_at)

    def firing(self, window: tuple[datetime, datetime], found: Evidence) -> Alert:
        return self._record(AlertState.FIRING, None, window, found)

    def resolved(self, window: tuple[datetime, datetime], found: Evidence) -> Alert:
        return self._record(AlertState.RESOLVED, window[1], window, found)

    def _record(
        self,
        state: AlertState,
        resolved_at: datetime | None,
        window: tuple[datetime, datetime],
        found: Evidence,
    ) -> Alert:
        return Alert(
            self.alert_id,
            self.rule,
            self.severity,
            state,
            self.subject,
            self.started_at,
            self.fired_at,
            resolved_at,
            window[0],
            window[1],
            found,
        )
