"""The attribution processor: live conversation states, fed validated events in batches.

`apply_batch` unpacks each conversation the batch touches, computes its facts once before its
first event and once after the batch, and returns a `Change` for each fact whose content
differs, so a duplicate, or an event that changes nothing, emits nothing. Computing a
conversation's facts (a few dozen records) is the expensive part, and a conversation gets
several events per batch. `apply(event)` is the one-event batch.

The `Limits.hot` conversations fed last stay unpacked with their facts, and are packed when
they fall out of that set: live traffic feeds a conversation an event every few batches, and
would otherwise pay an unpack, two judgements and a pack per event (the core ran ~1.8 times
faster on live-like traffic with 30,000 of them). Everything else waits packed: small, but its
facts must be recomputed when it is next fed.

State is bounded in event time: `expire(now)` evicts conversations idle for longer than their
TTL, with `now` the caller's watermark. A converted conversation is kept for the return window
plus the lateness horizon so a refund can still restate its fact; one without conversions only
for the attribution window plus lateness, the longest a late conversion could still credit it.
An event for an evicted conversation starts a fresh state, whose facts restart at version 1
and so lose to the stored higher versions: the TTLs must cover the contracts' windows.

Memory of a packed conversation, measured with tracemalloc (`python -m bench.core`, or
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
from itertools import islice
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

FactsById = dict[FactId, Fact]
_NEVER = (1 << 63) - 1


@dataclass(frozen=True, slots=True)
class Limits:
    idle_ttl: timedelta = timedelta(days=14)
    """For conversations without conversions: attribution window + lateness (7d + 7d)."""
    converted_ttl: timedelta = timedelta(days=37)
    """For conversations with conversions: return window + lateness (30d + 7d)."""
    hot: int = 0
    """How many conversations fed last stay unpacked, with their facts, between batches.
    Live traffic feeds a conversation one event every few batches, and each feed would
    otherwise unpack it, judge it twice and pack it again. Each costs ~4 KB (test_memory.py)."""


class _Touched(NamedTuple):
    """A conversation fed by the current batch, as it was before the batch."""

    state: ConversationState
    revision: int
    facts: FactsById


class _Hot(NamedTuple):
    """An unpacked conversation and its current facts."""

    state: ConversationState
    facts: FactsById
    deadline: int


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
        """Packed conversations per tenant (see `packed`, `table`)."""
        self._hot: dict[ConversationKey, _Hot] = {}
        """The `limits.hot` conversations fed last, oldest first, unpacked. A conversation is
        either here or packed in its tenant's table, never both."""
        self._hot_earliest = _NEVER
        """At most the earliest deadline in `_hot`: `expire` skips it while that is ahead."""

    def __len__(self) -> int:
        return sum(map(len, self._tenants.values())) + len(self._hot)

    @property
    def unpacked(self) -> int:
        """How many live conversations are held unpacked (at most `limits.hot`)."""
        return len(self._hot)

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
                state, before = self._take(key, event)
                seen = touched[key] = _Touched(state, state.revision, before)
            state = seen.state
            scoped = state.touch(event.occurred_at, event.surface, event.surface_id, event.user_id)
            record = record_of(event)
            if (record is not None and state.add(record)) or scoped:
                state.revision += 1
        changes: list[Change] = []
        for state, revision, before in touched.values():
            facts = before
            if state.revision != revision:
                facts = facts_of(state, self.contracts)
                changes += [
                    Change(fact, state.revision, before.get(fact_id))
                    for fact_id, fact in facts.items()
                    if before.get(fact_id) != fact
                ]
            self._keep_hot(state, facts)
        self._cool()
        return changes

    def expire(self, now: datetime) -> list[ConversationKey]:
        """Evicts conversations idle past their TTL at event time `now`; returns their keys,
        sorted (the table's slot order depends on the process's hash seed).

        Compares the deadlines stored with each conversation: call it when the watermark
        moves by a minute or more, not per event."""
        clock = micros(now)
        expired = [
            (tenant, conversation)
            for tenant, table in self._tenants.items()
            for conversation in table.remove_expired(clock)
        ]
        if clock > self._hot_earliest:
            hot = self._hot
            expired += [key for key, entry in hot.items() if entry.deadline < clock]
            for key in expired:
                hot.pop(key, None)
            self._hot_earliest = min((entry.deadline for entry in hot.values()), default=_NEVER)
        return sorted(expired)

    def revision(self, tenant_id: str, conversation_id: str) -> int | None:
        """The conversation's fact revision, None if it is not held."""
        key = (tenant_id, conversation_id)
        hot = self._hot.get(key)
        if hot is not None:
            return hot.state.revision
        table = self._tenants.get(tenant_id)
        blob = None if table is None else table.get(conversation_id)
        return None if blob is None else revision_of(blob)

    def state(self, tenant_id: str, conversation_id: str) -> ConversationState | None:
        """The conversation's state, None if it is not held; read it, never change it (a hot
        conversation's is the live object)."""
        key = (tenant_id, conversation_id)
        hot = self._hot.get(key)
        if hot is not None:
            return hot.state
        table = self._tenants.get(tenant_id)
        blob = None if table is None else table.get(conversation_id)
        return None if blob is None else unpack(key, blob)

    def facts(self) -> list[Fact]:
        """The current facts of every live conversation (no versions): what a replay ends with.
        By conversation key, so the order does not depend on the process's hash seed."""
        held: list[tuple[ConversationKey, bytes | FactsById]] = [
            ((tenant, key_of(blob)), blob)
            for tenant, table in self._tenants.items()
            for blob in table.blobs()
        ]
        held += [(key, entry.facts) for key, entry in self._hot.items()]
        held.sort(key=lambda item: item[0])
        return [
            fact
            for key, found in held
            for fact in (
                found if isinstance(found, dict) else facts_of(unpack(key, found), self.contracts)
            ).values()
        ]

    def _take(self, key: ConversationKey, event: Event) -> tuple[ConversationState, FactsById]:
        """The conversation the event feeds, out of where it waited, with its current facts."""
        hot = self._hot.pop(key, None)
        if hot is not None:
            return hot.state, hot.facts
        table = self._tenants.get(key[0])
        blob = None if table is None else table.pop(key[1])
        if blob is not None:
            state = unpack(key, blob)
        elif self._restore is not None and (restored := self._restore(key)) is not None:
            state = restored
        else:
            return ConversationState(*key, event.user_id, event.occurred_at), {}
        return state, facts_of(state, self.contracts)

    def _keep_hot(self, state: ConversationState, facts: FactsById) -> None:
        """Puts a conversation just fed last in line to be packed."""
        ttl = self._converted_ttl if state.conversions else self._idle_ttl
        deadline = micros(state.last_seen) + ttl
        self._hot[state.key] = _Hot(state, facts, deadline)
        self._hot_earliest = min(self._hot_earliest, deadline)

    def _cool(self) -> None:
        """Packs the conversations fed longest ago until at most `limits.hot` stay unpacked."""
        hot = self._hot
        # One pass over the oldest: taking the first key after each pop would walk the
        # dict's freed slots again every time.
        for key in list(islice(hot, max(0, len(hot) - self.limits.hot))):
            state, _, deadline = hot.pop(key)
            table = self._tenants.get(key[0])
            if table is None:
                table = self._tenants[key[0]] = PackedTable()
            table.put(key[1], pack(state), deadline)
