"""Durable trust: does a converter come back to the surface where they converted?

This state is keyed by pseudonymous user, not by conversation. The raw topic is partitioned by
conversation_id, so one user's conversations land on different partitions and workers; the
Kafka stage re-keys the only two event types this needs (conversation_started and conversion,
a small share of the traffic) by user_id (faust `group_by`) and feeds them here. Re-keying
just those events is far cheaper than keying the whole pipeline by user, which would put every
event of a heavy user on one partition.

A converter returns when they start a new conversation (another conversation_id) on the same
tenant, surface and surface_id within the contract's `returning_window` after converting. Each
conversion yields at most one `ReturningConverter`, dated at the conversion so the metrics stage
counts it in the conversion's window. Arrival order does not matter: a start that arrives
before the conversion it follows is kept and matched when the conversion arrives.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from convtrack.contracts.book import ContractBook
from convtrack.schemas.envelope import Event
from convtrack.schemas.events.conversation_started_v1 import ConversationStartedV1
from convtrack.schemas.events.conversion_v1 import ConversionV1
from convtrack.schemas.types import Surface

UserKey = tuple[str, str]
"""(tenant_id, user_id)."""


class _Visit(NamedTuple):
    """A conversation start or a conversion, on one surface."""

    at: datetime
    surface: Surface
    surface_id: str
    conversation_id: str
    conversion_id: str | None


@dataclass(frozen=True, slots=True)
class ReturningConverter:
    tenant_id: str
    user_id: str
    surface: Surface
    surface_id: str
    conversion_id: str
    converted_at: datetime

    @property
    def key(self) -> tuple[str, str]:
        return (self.tenant_id, self.conversion_id)


class _UserState:
    __slots__ = ("last_seen", "returned", "visits")

    def __init__(self, at: datetime) -> None:
        self.last_seen = at
        self.visits: tuple[_Visit, ...] = ()
        self.returned: frozenset[str] = frozenset()
        """Conversion ids already reported, so each is reported once."""


class TrustTracker:
    def __init__(self, contracts: ContractBook, user_ttl: timedelta = timedelta(days=37)) -> None:
        """`user_ttl` should be the longest returning window plus the lateness horizon."""
        self.contracts = contracts
        self.user_ttl = user_ttl
        self._users: dict[UserKey, _UserState] = {}

    def __len__(self) -> int:
        return len(self._users)

    def apply(self, event: Event) -> list[ReturningConverter]:
        """Feeds a conversation_started or conversion event (others are ignored)."""
        if isinstance(event, ConversionV1):
            conversion_id: str | None = event.conversion_id
        elif isinstance(event, ConversationStartedV1):
            conversion_id = None
        else:
            return []
        key = (event.tenant_id, event.user_id)
        user = self._users.get(key)
        if user is None:
            user = self._users[key] = _UserState(event.occurred_at)
        user.last_seen = max(user.last_seen, event.occurred_at)
        visit = _Visit(
            event.occurred_at, event.surface, event.surface_id, event.conversation_id, conversion_id
        )
        if visit in user.visits:
            return []
        horizon = user.last_seen - self.user_ttl
        user.visits = (*(v for v in user.visits if v.at >= horizon), visit)
        return self._newly_returned(key, user)

    def _newly_returned(self, key: UserKey, user: _UserState) -> list[ReturningConverter]:
        found: list[ReturningConverter] = []
        for conversion in user.visits:
            if conversion.conversion_id is None or conversion.conversion_id in user.returned:
                continue
            window = self.contracts.resolve(
                key[0], conversion.surface, conversion.surface_id
            ).returning_window
            if any(
                start.conversion_id is None
                and (start.surface, start.surface_id) == (conversion.surface, conversion.surface_id)
                and start.conversation_id != conversion.conversation_id
                and conversion.at < start.at <= conversion.at + window
                for start in user.visits
            ):
                user.returned |= {conversion.conversion_id}
                found.append(
                    ReturningConverter(
                        key[0],
                        key[1],
                        conversion.surface,
                        conversion.surface_id,
                        conversion.conversion_id,
                        conversion.at,
                    )
                )
        return found

    def export(
        self, key: UserKey
    ) -> (
        tuple[datetime, tuple[tuple[datetime, Surface, str, str, str | None], ...], frozenset[str]]
        | None
    ):
        """(last_seen, visits, conversion ids reported) of a user, or None: to save it."""
        user = self._users.get(key)
        if user is None:
            return None
        return user.last_seen, user.visits, user.returned

    def restore(
        self,
        key: UserKey,
        last_seen: datetime,
        visits: Iterable[tuple[datetime, Surface, str, str, str | None]],
        returned: frozenset[str],
    ) -> None:
        """Puts back a user as `export` gave it; reports nothing again."""
        user = self._users[key] = _UserState(last_seen)
        user.visits = tuple(_Visit(*visit) for visit in visits)
        user.returned = returned

    def expire(self, now: datetime) -> list[UserKey]:
        """Evicts users with no event for `user_ttl` of event time `now`; returns their keys."""
        evicted = [key for key, user in self._users.items() if now - user.last_seen > self.user_ttl]
        for key in evicted:
            del self._users[key]
        return evicted
