"""The attribution processor: live conversation states, fed one validated event at a time.

`apply` recomputes the conversation's facts before and after the event and returns a `Change`
for each fact whose content differs, so a duplicate, or an event that changes nothing, emits
nothing. Recomputing a conversation (a few dozen records) is cheaper than keeping the previous
facts around, and keeps the state small.

State is bounded in event time: `expire(now)` evicts conversations idle for longer than their
TTL, with `now` the caller's watermark. A converted conversation is kept for the return window
plus the lateness horizon so a refund can still restate its fact; one without conversions only
for the attribution window plus lateness, the longest a late conversion could still credit it.
An event for an evicted conversation starts a fresh state, whose facts restart at version 1
and so lose to the stored higher versions: the TTLs must cover the contracts' windows.

Memory, measured with tracemalloc (tests/streams/attribute/test_memory.py, run it as a module
to print the figure) over 500 conversations of 10 events each (start, two intents, three
exposures, two engagements, a conversion, a rating), Python 3.11: about 3.0 KB per live
conversation, ten times the 300 B goal. Where it goes: each record is a named tuple
(~90-130 B) plus its own datetime (48 B), float or Decimal (24-104 B) and unique ids
(exposure, conversion, user: ~60 B each, repeated by engagements and feedback); the state
object, its dict entry and key add ~350 B. Cheap next steps: reuse the exposure's id string
in engagements/feedback (~7%), times as int offsets (~5%). Reaching 300 B needs a packed
layout: one bytearray per conversation of struct-packed records (int32 seconds from the first
event, categories as indexes into a shared intern table, ids as 8-byte hashes), decoded only
while computing facts.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from convtrack.contracts.book import ContractBook
from convtrack.schemas.envelope import Event
from convtrack.streams.attribute.facts import Change, Fact
from convtrack.streams.attribute.judge import facts_of
from convtrack.streams.attribute.records import record_of
from convtrack.streams.attribute.state import ConversationKey, ConversationState


@dataclass(frozen=True, slots=True)
class Limits:
    idle_ttl: timedelta = timedelta(days=14)
    """For conversations without conversions: attribution window + lateness (7d + 7d)."""
    converted_ttl: timedelta = timedelta(days=37)
    """For conversations with conversions: return window + lateness (30d + 7d)."""


class Attributor:
    def __init__(self, contracts: ContractBook, limits: Limits | None = None) -> None:
        self.contracts = contracts
        self.limits = limits or Limits()
        self._states: dict[ConversationKey, ConversationState] = {}

    def __len__(self) -> int:
        return len(self._states)

    def apply(self, event: Event) -> list[Change]:
        """Feeds one validated event; returns the facts it created or changed."""
        key = (event.tenant_id, event.conversation_id)
        state = self._states.get(key)
        if state is None:
            state = self._states[key] = ConversationState(*key, event.user_id, event.occurred_at)
        before = facts_of(state, self.contracts) if state.revision else {}
        scoped = state.touch(event.occurred_at, event.surface, event.surface_id, event.user_id)
        record = record_of(event)
        added = record is not None and state.add(record)
        if not (added or scoped):
            return []
        state.revision += 1
        after = facts_of(state, self.contracts)
        return [
            Change(fact, state.revision, before.get(fact_id))
            for fact_id, fact in after.items()
            if before.get(fact_id) != fact
        ]

    def expire(self, now: datetime) -> list[ConversationKey]:
        """Evicts conversations idle past their TTL at event time `now`; returns their keys.

        A linear scan: call it when the watermark moves by a minute or more, not per event."""
        evicted = [
            key
            for key, state in self._states.items()
            if now - state.last_seen
            > (self.limits.converted_ttl if state.conversions else self.limits.idle_ttl)
        ]
        for key in evicted:
            del self._states[key]
        return evicted

    def conversation(self, tenant_id: str, conversation_id: str) -> ConversationState | None:
        return self._states.get((tenant_id, conversation_id))

    def facts(self) -> list[Fact]:
        """The current facts of every live conversation (no versions): what a replay ends with."""
        return [
            fact
            for state in self._states.values()
            for fact in facts_of(state, self.contracts).values()
        ]
