"""Instrumentation health from the validate stage: one outcome -> the counts it adds.

Which minute: the validate stage's event-time clock, its watermark (newest occurred_at accepted
so far), not the arrival clock: a dead letter has no trustworthy occurred_at of its own, and
the watermark makes a replay of an old file window its health exactly as the live run did.
A dead letter whose tenant could not be read counts under tenant "" (UNKNOWN_TENANT).
"""

from convtrack.schemas.dead_letter import DeadLetterV1
from convtrack.streams.metrics.counters import IngestCounters
from convtrack.streams.validate.outcomes import Duplicate, Outcome

UNKNOWN_TENANT = ""


def outcome_counts(outcome: Outcome, late: bool = False) -> tuple[str, IngestCounters]:
    """(tenant, counts) of one outcome; `late` says a valid event was accepted behind the
    watermark (the validator's `stats.late_accepted` grew)."""
    if isinstance(outcome, DeadLetterV1):
        reason = {outcome.reason.value: 1}
        return outcome.tenant_id or UNKNOWN_TENANT, IngestCounters.of(dead_letters=reason)
    if isinstance(outcome, Duplicate):
        return outcome.tenant_id, IngestCounters.of(duplicates=1)
    return outcome.event.tenant_id, IngestCounters.of(valid=1, late_accepted=int(late))
