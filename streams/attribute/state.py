"""What one conversation remembers: a slotted object holding one tuple of records per kind.

This is the working form, alive while a batch feeds the conversation; between batches the
Attributor keeps it packed into bytes (`packed`).

Adding is a set union (an equal record is already there: nothing changes), and where a record
has a natural key (exposure_id, conversion_id) two different records for one key resolve to
the same winner whatever their arrival order. So the state, and every fact computed from it,
is a function of the set of events seen, not of their order or duplication.
"""

from datetime import datetime
from typing import TypeVar

from convtrack.schemas.types import Surface
from convtrack.streams.attribute.records import (
    Adjustment,
    AppInvocation,
    Conversion,
    Dismissal,
    Engagement,
    Exposure,
    Feedback,
    Intent,
    Record,
    Start,
    TaskCompletion,
)

ConversationKey = tuple[str, str]
"""(tenant_id, conversation_id)."""

_R = TypeVar("_R", bound=tuple[object, ...])


class ConversationState:
    __slots__ = (
        "adjustments",
        "apps",
        "conversation_id",
        "conversions",
        "dismissals",
        "engagements",
        "exposures",
        "feedback",
        "intents",
        "last_seen",
        "origin",
        "revision",
        "starts",
        "tasks",
        "tenant_id",
        "user_id",
    )

    def __init__(self, tenant_id: str, conversation_id: str, user_id: str, at: datetime) -> None:
        self.tenant_id = tenant_id
        self.conversation_id = conversation_id
        self.user_id = user_id
        self.last_seen = at
        self.revision = 0
        """Counts changes; a fact changed by the n-th change gets version n, so versions
        only grow per fact."""
        self.origin: tuple[datetime, Surface, str] | None = None
        """Earliest (time, surface, surface_id) seen: the conversation's scope when no
        conversation_started arrived."""
        self.starts: tuple[Start, ...] = ()
        self.intents: tuple[Intent, ...] = ()
        self.exposures: tuple[Exposure, ...] = ()
        self.engagements: tuple[Engagement, ...] = ()
        self.apps: tuple[AppInvocation, ...] = ()
        self.tasks: tuple[TaskCompletion, ...] = ()
        self.conversions: tuple[Conversion, ...] = ()
        self.adjustments: tuple[Adjustment, ...] = ()
        self.feedback: tuple[Feedback, ...] = ()
        self.dismissals: tuple[Dismissal, ...] = ()

    @property
    def key(self) -> ConversationKey:
        return (self.tenant_id, self.conversation_id)

    def touch(self, at: datetime, surface: Surface, surface_id: str, user_id: str) -> bool:
        """Notes an event's time, scope and user; True when the scope or user changed.

        A conversation should have one user; if producers disagree the smallest id wins so
        the outcome does not depend on arrival order."""
        self.last_seen = max(self.last_seen, at)
        candidate = (at, surface, surface_id)
        changed = False
        if self.origin is None or candidate < self.origin:
            self.origin, changed = candidate, True
        if user_id < self.user_id:
            self.user_id, changed = user_id, True
        return changed

    def add(self, record: Record) -> bool:  # noqa: PLR0911 (one branch per record kind)
        """Adds a record; False when the state already had it."""
        if isinstance(record, Exposure):
            return self._set("exposures", _keyed(self.exposures, record))
        if isinstance(record, Conversion):
            return self._set("conversions", _keyed(self.conversions, record))
        if isinstance(record, Intent):
            return self._set("intents", _union(self.intents, record))
        if isinstance(record, Engagement):
            return self._set("engagements", _union(self.engagements, record))
        if isinstance(record, Feedback):
            return self._set("feedback", _union(self.feedback, record))
        if isinstance(record, Dismissal):
            return self._set("dismissals", _union(self.dismissals, record))
        if isinstance(record, Adjustment):
            return self._set("adjustments", _union(self.adjustments, record))
        if isinstance(record, AppInvocation):
            return self._set("apps", _union(self.apps, record))
        if isinstance(record, TaskCompletion):
            return self._set("tasks", _union(self.tasks, record))
        return self._set("starts", _union(self.starts, record))

    def _set(self, slot: str, records: tuple[object, ...] | None) -> bool:
        if records is None:
            return False
        setattr(self, slot, records)
        return True


def _union(records: tuple[_R, ...], record: _R) -> tuple[_R, ...] | None:
    return None if record in records else (*records, record)


def _keyed(records: tuple[_R, ...], record: _R) -> tuple[_R, ...] | None:
    """Keeps one record per key (field 0); of two that disagree, the smaller (time, repr) wins,
    so a producer that re-sends a corrected record converges whatever the arrival order."""
    for index, existing in enumerate(records):
        if existing[0] == record[0]:
            if _rank(record) >= _rank(existing):
                return None
            return (*records[:index], record, *records[index + 1 :])
    return (*records, record)


def _rank(record: tuple[object, ...]) -> tuple[object, str]:
    return (record[1], repr(record))
