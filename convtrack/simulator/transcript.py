"""One conversation's events as they are produced: the envelope, a clock and a turn counter
that only move forward, so events of a conversation are ordered by construction."""

from dataclasses import dataclass
from random import Random
from typing import Any

from convtrack.simulator.clock import format_ms
from convtrack.simulator.draws import log_uniform, uuid4
from convtrack.simulator.scenarios import Conditions

Timed = tuple[int, dict[str, Any]]
"""(occurred_at in epoch milliseconds, JSON-ready payload)."""


@dataclass(slots=True)
class Shown:
    """An offer shown in the conversation and what the user did with it."""

    exposure_id: str
    offer_id: str
    category: str
    relevance: float
    matched: bool
    engaged: bool = False
    app_succeeded: bool | None = None
    negative: bool = False


@dataclass(frozen=True, slots=True)
class User:
    user_id: str
    country: str
    locale: str


class Transcript:
    def __init__(
        self, rng: Random, state: Conditions, user: User, conversation_id: str, start_ms: int
    ) -> None:
        self._rng = rng
        self.state = state
        self.spec = state.spec
        self.user = user
        self.t = start_ms
        self.turn = 0
        self.events: list[Timed] = []
        self._envelope = {
            "tenant_id": self.spec.tenant.tenant_id,
            "surface": self.spec.surface.value,
            "surface_id": self.spec.surface_id,
            "conversation_id": conversation_id,
        }

    def think(self) -> None:
        """The next turn: the user reads, types, the assistant answers."""
        self.turn += 1
        self.t += int(log_uniform(self._rng, 4_000, 90_000))

    def react(self, low_ms: float = 600, high_ms: float = 20_000) -> None:
        """Time passes within the turn (a tap, a scroll, an app screen)."""
        self.t += int(log_uniform(self._rng, low_ms, high_ms))

    def add(self, event_type: str, **fields: Any) -> None:
        """Record an event now, at the current turn; None-valued fields are left out, as
        producers omit optional fields they do not know."""
        self.events.append((self.t, self.payload(event_type, self.t, self.turn, fields)))

    def payload(
        self, event_type: str, at_ms: int, turn: int | None, fields: dict[str, Any]
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "event_id": uuid4(self._rng),
            "event_type": event_type,
            "schema_version": 1,
            "occurred_at": format_ms(at_ms),
            **self._envelope,
        }
        if turn is not None:
            payload["turn_index"] = turn
        payload["user_id"] = self.user.user_id
        for name, value in fields.items():
            if value is not None:
                payload[name] = value
        return payload
