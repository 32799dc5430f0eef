"""The attribution processor: live conversation states, fed validated events in batches.

`apply_batch` unpacks each conversation the batch touches, computes its facts once before its
first event and once after the batch, and returns a `Change` for each fact whose content
differs, so a duplicate, or an event that changes nothing, emits nothing. Computing a
conversation's facts (a few dozen records) is the expensive part, and a conversation gets
several events per batch. `apply(event)` is the one-event batch. Recomputing is still cheaper
than keeping the previous facts around, and keeps the state small.

State is bounded in event time: `expire(now)` evicts conversations idle for longer than their
TTL, with `now` the caller's watermark. A converted conversation is kept for the return window
plus the lateness horizon so a refund can still restate its fact; one without conversions only
for the attribution window plus lateness, the longest a late conversion could still credit it.
An event for an evicted conversation starts a fresh state, whose facts restart at version 1
and so lose to the stored higher versions: the TTLs must cover the contracts' windows.

Memory, measured with tracemalloc (`python -m bench.core`, or
tests/streams/attribute/test_memory.py run as a module) over conversations of 10 events each
(start, two intents, three exposures, two engagements, a conversion, a rating) with unique
ids, Python 3.11: about 630 B per live conversation (it was 1.7 KB as named tuples), twice the
300 B goal. Where it goes: the packed record bytes (see `packed`) ~500 B, of which ~110 B are
the unique id strings (exposures, conversion, user), ~90 B times (int64 us), ~100 B
shared-value indexes, ~80 B header, origin and per-kind counts, the rest floats, ints and
flags; the bytes object's own header 33 B; the dict slot, its (tenant, conversation) key tuple
and the conversation_id string ~100-160 B.
Next steps, each ~5-10%: uint16 shared indexes (caps the vocabulary at 65k values),
engagements/feedback naming their exposure by position instead of repeating its id, times as
int32 offsets from the conversation's first event. Below ~350 B would need a key and state
outside Python objects (one arena of packed conversations indexed by a hash of the key).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from convtrack.contracts.book import ContractBook
from convtrack.schemas.envelope import Event
from convtrack.streams.attribute.facts import Change, Fact
from convtrack.streams.attribute.judge import FactId, facts_of
from convtrack.streams.attribute.packed import expiry, micros, pack, unpack
from convtrack.streams.attribute.records import record_of
from convtrack.streams.attribute.state import ConversationKey, ConversationState


@dataclass(frozen=True, slots=True)
class Limits:
    idle_ttl: timedelta = timedelta(days=14)
    """For conversations without conversions: attribution window + lateness (7d + 7d)."""
    converted_ttl: timedelta = timedelta(days=37)
    """For conversations with conversions: return window + lateness (30d + 7d)."""


class _Touched(NamedTuple):
    """A conversation fed by the current batch, as it was before the batch."""

    state: ConversationState
    revision: int
    last_seen: datetime
    facts: dict[FactId, Fact]


class Attributor:
    def __init__(
        self,
        contracts: ContractBook,
        limits: Limits | None = None,
        restore: Callable[[ConversationKey], ConversationState | None] | None = None,
    ) -> None:
        """`restore` gives back a conversation not in memory from saved state (a restarted
        worker's), or None; its facts then count as already emitted."""
        self.contracts = contracts
        self.limits = limits or Limits()
        self._restore = restore
        self._states: dict[ConversationKey, bytes] = {}
        """Packed (see `packed`): unpacked only while a batch feeds the conversation."""

    def __len__(self) -> int:
        return len(self._states)

    def apply(self, event: Event) -> list[Change]:
        """Feeds one validated event; returns the facts it created or changed."""
        return self.apply_batch((event,))

    def apply_batch(self, events: Iterable[Event]) -> list[Change]:
        """Feeds events in order; returns one `Change` per fact the batch created or changed.

        Each touched conversation's facts are computed once before its first event and once
        after the batch: a conversation gets several events per batch, and computing its facts
        is the expensive part. A fact changed twice in one batch yields one change with its
        latest content, versioned by the conversation's revision after the batch. Changes come
        per conversation in order of first touch, so a batch's output is deterministic."""
        touched: dict[ConversationKey, _Touched] = {}
        for event in events:
            key = (event.tenant_id, event.conversation_id)
            seen = touched.get(key)
            if seen is None:
                blob = self._states.get(key)
                restored = None
                if blob is None and self._restore is not None:
                    restored = self._restore(key)
                if restored is not None:
                    state = restored
                    before = facts_of(state, self.contracts)
                elif blob is None:
                    state = ConversationState(*key, event.user_id, event.occurred_at)
                    before = {}
                else:
                    state = unpack(key, blob)
                    before = facts_of(state, self.contracts)
                seen = touched[key] = _Touched(state, state.revision, state.last_seen, before)
            state = seen.state
            scoped = state.touch(event.occurred_at, event.surface, event.surface_id, event.user_id)
            record = record_of(event)
            if (record is not None and state.add(record)) or scoped:
                state.revision += 1
        changes: list[Change] = []
        for key, (state, revision, last_seen, before) in touched.items():
            if state.revision == revision:
                if state.last_seen != last_seen:
                    self._states[key] = pack(state)
                continue
            self._states[key] = pack(state)
            changes += [
                Change(fact, state.revision, before.get(fact_id))
                for fact_id, fact in facts_of(state, self.contracts).items()
                if before.get(fact_id) != fact
            ]
        return changes

    def expire(self, now: datetime) -> list[ConversationKey]:
        """Evicts conversations idle past their TTL at event time `now`; returns their keys.

        A linear scan: call it when the watermark moves by a minute or more, not per event."""
        converted_before = micros(now - self.limits.converted_ttl)
        idle_before = micros(now - self.limits.idle_ttl)
        evicted = []
        for key, blob in self._states.items():
            last_seen, converted = expiry(blob)
            if last_seen < (converted_before if converted else idle_before):
                evicted.append(key)
        for key in evicted:
            del self._states[key]
        return evicted

    def conversation(self, tenant_id: str, conversation_id: str) -> ConversationState | None:
        """A copy of the conversation's state: changing it changes nothing here."""
        key = (tenant_id, conversation_id)
        blob = self._states.get(key)
        return None if blob is None else unpack(key, blob)

    def facts(self) -> list[Fact]:
        """The current facts of every live conversation (no versions): what a replay ends with."""
        return [
            fact
            for key, blob in self._states.items()
            for fact in facts_of(unpack(key, blob), self.contracts).values()
        ]
