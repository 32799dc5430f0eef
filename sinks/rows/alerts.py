"""An alert record as a row of `alerts`: the resolved record replaces the firing one."""

from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from convtrack.streams.alerts.records import Alert, AlertState

ALERT_VERSIONS = {AlertState.FIRING: 0, AlertState.RESOLVED: 1}
"""An incident only moves from firing to resolved, so its state orders its records."""


class AlertRow(NamedTuple):
    alert_id: UUID
    version: int
    rule: str
    severity: str
    state: str
    tenant_id: str
    surface: str | None
    surface_id: str | None
    started_at: datetime
    fired_at: datetime
    resolved_at: datetime | None
    window_start: datetime
    window_end: datetime
    evidence: dict[str, float]


def alert_row(alert: Alert) -> AlertRow:
    subject = alert.subject
    return AlertRow(
        alert_id=UUID(alert.alert_id),
        version=ALERT_VERSIONS[alert.state],
        rule=alert.rule,
        severity=alert.severity,
        state=alert.state,
        tenant_id=subject.tenant_id,
        surface=subject.surface,
        surface_id=subject.surface_id,
        started_at=alert.started_at,
        fired_at=alert.fired_at,
        resolved_at=alert.resolved_at,
        window_start=alert.window_start,
        window_end=alert.window_end,
        evidence=alert.evidence_dict,
    )
