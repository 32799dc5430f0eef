"""Instrumentation health from the validate stage: one outcome -> the counts it adds.

Which minute: the validate stage's event-time clock, its watermark (newest occurred_at accepted
so far), not the arrival clock: a dead letter has no trustworthy occurred_at of its own, and
the watermark makes a replay of an old file window its health exactly as the live run did.
A dead letter whose tenant could not be read counts under tenant "" (UNKNOWN_TENANT).
"""

from collections import Counter
from collections.abc import Iterator
from datetime import datetime

from convtrack.schemas.dead_letter import DeadLetter
from convtrack.streams.metrics.contributions import minute
from convtrack.streams.metrics.counters import IngestCounters
from convtrack.streams.validate.outcomes import Duplicate, Outcome

UNKNOWN_TENANT = ""
# Kinds of valid or duplicate inputs; dead letters count under their reason code, which is
# never one of these.
_VALID, _LATE, _DUPLICATE = "+valid", "+late", "+duplicate"


class IngestTally:
    """Validate-stage outcomes counted per (tenant, minute) over a batch, so the aggregator
    gets one addition per window instead of one per input."""

    __slots__ = ("_kinds",)

    def __init__(self) -> None:
        self._kinds: Counter[tuple[str, datetime, str]] = Counter()
        """(tenant, minute, kind) -> inputs; kind is a reason code, _VALID, _LATE or _DUPLICATE."""

    def add(self, outcome: Outcome, late: bool, clock: datetime) -> None:
        at = minute(clock)
        if isinstance(outcome, DeadLetter):
            key = (outcome.tenant_id or UNKNOWN_TENANT, at, outcome.reason.value)
        elif isinstance(outcome, Duplicate):
            # stored as a dead letter too (the pipeline adds it), but counted as a duplicate only
            key = (outcome.event.tenant_id, at, _DUPLICATE)
        else:
            key = (outcome.event.tenant_id, at, _LATE if late else _VALID)
        self._kinds[key] += 1

    def totals(self) -> Iterator[tuple[str, datetime, IngestCounters]]:
        """(tenant, minute, counts) in order of first occurrence."""
        grouped: dict[tuple[str, datetime], dict[str, int]] = {}
        for (tenant, at, kind), count in self._kinds.items():
            grouped.setdefault((tenant, at), {})[kind] = count
        for (tenant, at), kinds in grouped.items():
            valid, late = kinds.pop(_VALID, 0), kinds.pop(_LATE, 0)
            yield (
                tenant,
                at,
                IngestCounters.of(
                    valid=valid + late,
                    duplicates=kinds.pop(_DUPLICATE, 0),
                    late_accepted=late,
                    dead_letters=kinds,
                ),
            )
