"""The run: conversations in start order, their events into a time-ordered heap, faults on top.

Emission order is occurred_at order except for the faults that break it on purpose (late,
stale, duplicate). Conversations start in time order and every event occurs at or after its
conversation's start, so whatever in the heap is due before the next start can be sent: the
heap only ever holds what is in flight (plus reversals and late sends), however long the period.
"""

import heapq
import itertools
from collections.abc import Iterator
from random import Random
from typing import Any

import orjson

from convtrack.simulator import behaviour
from convtrack.simulator.catalog import CATALOG
from convtrack.simulator.clock import DAY_MS, HOUR_MS, arrivals
from convtrack.simulator.config import SimulationConfig
from convtrack.simulator.conversation import ConversationBuilder
from convtrack.simulator.draws import chance, log_uniform
from convtrack.simulator.faults import FaultInjector
from convtrack.simulator.scenarios import ScenarioTimeline
from convtrack.simulator.summary import Summary
from convtrack.simulator.transcript import User
from convtrack.simulator.users import UserPool

_RETURN_AFTER_MEAN_MS = 3 * DAY_MS
_LATE_DELAY_MS = (60_000, 6 * HOUR_MS)
_RESEND_DELAY_MS = (1_000, 15 * 60_000)
_STALE_AGE_MS = (7 * DAY_MS + 3 * HOUR_MS, 9 * DAY_MS)
"""Old enough that the whole flushed conversation is past a 7-day lateness bound."""


class Simulation:
    """Iterate for the payloads (bytes, one JSON document or broken one each) in send order.

    `summary` describes the latest iteration and fills in as it goes, so a progress bar can
    read it; each iteration starts over and yields the same bytes.
    """

    def __init__(self, config: SimulationConfig) -> None:
        self.config = config
        self.summary = Summary()

    def __iter__(self) -> Iterator[bytes]:
        self.summary = Summary()
        return _Run(self.config, self.summary).payloads()


def simulate(config: SimulationConfig | None = None) -> Simulation:
    return Simulation(config or SimulationConfig())


def _stream(seed: int, name: str) -> Random:
    """An independent generator per concern: switching a fault off leaves the conversations
    byte for byte as they were."""
    return Random(f"convtrack-simulator/{seed}/{name}")  # noqa: S311 (simulation, not secrets)


class _Run:
    def __init__(self, config: SimulationConfig, summary: Summary) -> None:
        self._config = config
        self._knobs = config.scenarios
        self._summary = summary
        self._traffic = _stream(config.seed, "traffic")
        self._late = _stream(config.seed, "late")
        self._resend = _stream(config.seed, "duplicates")
        self._stale = _stream(config.seed, "stale")
        self._malformed = _stream(config.seed, "malformed")
        self._builder = ConversationBuilder(self._traffic)
        self._stale_builder = ConversationBuilder(self._stale)
        self._faults = FaultInjector(self._malformed)
        self._timeline = ScenarioTimeline(config)
        self._users = UserPool(config.seed, config.conversations)
        self._heap: list[tuple[int, int, bytes]] = []
        self._returns: list[tuple[int, int, int, User]] = []
        self._seq = itertools.count()

    def payloads(self) -> Iterator[bytes]:
        config = self._config
        heap = self._heap
        for start in arrivals(self._traffic, config.start_ms, config.end_ms, config.conversations):
            while heap and heap[0][0] <= start:
                yield heapq.heappop(heap)[2]
            self._converse(start)
            if self._knobs.too_late_share and chance(self._stale, self._knobs.too_late_share):
                self._flush_stale(start)
        while heap:
            yield heapq.heappop(heap)[2]

    def _converse(self, start: int) -> None:
        returning = bool(self._returns) and self._returns[0][0] <= start
        if returning:
            _, _, index, user = heapq.heappop(self._returns)
        else:
            index = self._timeline.pick_surface(self._traffic, start)
            user = self._users.pick(self._traffic, CATALOG[index].tenant)
        state = self._timeline.conditions(index, start)
        story = self._builder.build(state, user, start, returning, self._config.end_ms)
        self._summary.conversations += 1
        self._summary.returning_conversations += returning
        for at, payload in story.events:
            self._send(at, payload, at)
        if story.adjustment is not None:
            self._send(*story.adjustment, story.adjustment[0])
        comes_back = behaviour.return_chance(story.good_experience)
        if story.converted and chance(self._traffic, comes_back):
            due = story.ended_ms + int(self._traffic.expovariate(1 / _RETURN_AFTER_MEAN_MS))
            if due < self._config.end_ms:
                heapq.heappush(self._returns, (due, next(self._seq), index, user))

    def _flush_stale(self, now: int) -> None:
        """An offline client sends a whole conversation from more than a week ago at once."""
        started = now - int(self._stale.uniform(*_STALE_AGE_MS))
        index = self._timeline.pick_surface(self._stale, started)
        user = self._users.pick(self._stale, CATALOG[index].tenant)
        state = self._timeline.conditions(index, started)
        story = self._stale_builder.build(state, user, started, False, horizon_ms=started)
        for offset, (at, payload) in enumerate(story.events):
            self._send(at, payload, now + offset)
        self._summary.stale_conversations += 1
        self._summary.too_late += len(story.events)

    def _send(self, at: int, payload: dict[str, Any], emit: int) -> None:
        """Queue one valid event for `emit`, plus the faults it attracts."""
        knobs = self._knobs
        summary = self._summary
        data = orjson.dumps(payload)
        if emit == at and knobs.late_share and chance(self._late, knobs.late_share):
            emit += int(log_uniform(self._late, *_LATE_DELAY_MS))
            summary.late += 1
        self._push(emit, data)
        event_type = payload["event_type"]
        summary.events_by_type[event_type] = summary.events_by_type.get(event_type, 0) + 1
        if knobs.duplicate_share and chance(self._resend, knobs.duplicate_share):
            self._push(emit + int(log_uniform(self._resend, *_RESEND_DELAY_MS)), data)
            summary.duplicates += 1
        if knobs.malformed_share:
            self._faults.observe(payload)
            if chance(self._malformed, knobs.malformed_share):
                kind, broken = self._faults.make(payload)
                self._push(emit, broken)
                summary.malformed_by_kind[kind.value] = (
                    summary.malformed_by_kind.get(kind.value, 0) + 1
                )

    def _push(self, emit: int, data: bytes) -> None:
        heapq.heappush(self._heap, (emit, next(self._seq), data))
