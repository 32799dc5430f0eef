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
ids, Python 3.11: about 245-260 B per live conversation (1.7 KB as named tuples, 630 B packed
field by field into a dict). Where it goes: the packed bytes ~170 B (see `packed`: ~75 B of
them the unique ids, user id and amount), the bytes object's header 33 B, and the per-tenant
table's slots ~40 B (see `table`: no key object, no dict entry; ~16 B of it the expiry deadline
that spares `expire` unpacking every conversation).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from convtrack.contracts.book import ContractBook
from convtrack.schemas.envelope import Event
from convtrack.streams.attribute.facts import Change, Fact
from convtrack.streams.attribute.judge import FactId, facts_of
from convtrack.streams.attribute.layout import US, key_of, micros, revision_of
from convtrack.streams.attribute.packed import pack, unpack
from convtrack.streams.attribute.records import record_of
from convtrack.streams.attribute.state import ConversationKey, ConversationState
from convtrack.streams.attribute.table import PackedTable


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
        self._idle_ttl = self.limits.idle_ttl // US
        self._converted_ttl = self.limits.converted_ttl // US
        self._restore = restore
        self._tenants: dict[str, PackedTable] = {}
        """Packed conversations per tenant (see `packed`, `table`): unpacked only while a batch
        feeds them."""

    def __len__(self) -> int:
        return sum(map(len, self._tenants.values()))

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
                blob = self._blob(key)
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
        for state, revision, last_seen, before in touched.values():
            if state.revision == revision:
                if state.last_seen != last_seen:
                    self._store(state)
                continue
            self._store(state)
            changes += [
                Change(fact, state.revision, before.get(fact_id))
                for fact_id, fact in facts_of(state, self.contracts).items()
                if before.get(fact_id) != fact
            ]
        return changes

    def expire(self, now: datetime) -> list[ConversationKey]:
        """Evicts conversations idle past their TTL at event time `now`; returns their keys,
        sorted (the table's slot order depends on the process's hash seed).

        Compares the deadlines stored with each conversation: call it when the watermark
        moves by a minute or more, not per event."""
        clock = micros(now)
        return sorted(
            (tenant, conversation)
            for tenant, table in self._tenants.items()
            for conversation in table.remove_expired(clock)
        )

    def revision(self, tenant_id: str, conversation_id: str) -> int | None:
        """The conversation's fact revision, None if it is not held."""
        blob = self._blob((tenant_id, conversation_id))
        return None if blob is None else revision_of(blob)

    def facts(self) -> list[Fact]:
        """The current facts of every live conversation (no versions): what a replay ends with.
        By conversation key, so the order does not depend on the process's hash seed."""
        packed = sorted(
            ((tenant, key_of(blob)), blob)
            for tenant, table in self._tenants.items()
            for blob in table.blobs()
        )
        return [
            fact
            for key, blob in packed
            for fact in facts_of(unpack(key, blob), self.contracts).values()
        ]

    def _blob(self, key: ConversationKey) -> bytes | None:
        table = self._tenants.get(key[0])
        return None if table is None else table.get(key[1])

    def _store(self, state: ConversationState) -> None:
        table = self._tenants.get(state.tenant_id)
        if table is None:
            table = self._tenants[state.tenant_id] = PackedTable()
        ttl = self._converted_ttl if state.conversions else self._idle_ttl
        table.put(state.conversation_id, pack(state), micros(state.last_seen) + ttl)
