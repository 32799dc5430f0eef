"""Durable trust on the re-keyed topic: each partition's users in a `TrustTracker`, and the
returning converters it finds counted in that partition's own metric partials.

The raw pipelines run without their trust tracker on Kafka (a partition sees only part of a
user's conversations); this stage sees all of a user's starts and conversions, because the raw
stage sends them here keyed by (tenant, pseudonymous user). Its partials use shards
`TRUST_SHARD_BASE + partition`, so they never collide with a raw partition's, and SQL sums them
with the rest exactly as the embedded path's single shard counts them. Users and windows are
saved per batch like the raw partitions' state (see `state`).
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import ValidationError

from convtrack.contracts import ContractBook
from convtrack.schemas.registry import REGISTRY
from convtrack.streams.attribute import TrustTracker, UserKey
from convtrack.streams.kafka.record import split_record
from convtrack.streams.metrics import MetricsAggregator
from convtrack.streams.pipeline import Output
from convtrack.streams.worker import codec
from convtrack.streams.worker.codec import PROCESSED, SURFACE, USER
from convtrack.streams.worker.journal import BatchWrites, repair
from convtrack.streams.worker.offsets import ProcessedOffsets
from convtrack.streams.worker.records import RawRecord, fresh_records
from convtrack.streams.worker.state import StateTable, WindowKeys

TRUST_SHARD_BASE = 100_000
"""Above any raw partition number (settings cap partitions at 10,000)."""
_HOUSEKEEPING = timedelta(hours=1)


class TrustShard:
    def __init__(
        self, partition: int, contracts: ContractBook, lateness: timedelta, table: StateTable | None
    ) -> None:
        self.partition = partition
        self.tracker = TrustTracker(contracts)
        self.metrics = MetricsAggregator(TRUST_SHARD_BASE + partition, lateness)
        self.clock: datetime | None = None
        self._next_housekeeping: datetime | None = None
        self._table = table
        self._windows = WindowKeys()
        self._touched: set[UserKey] = set()
        self._evicted: list[UserKey] = []
        self.processed = ProcessedOffsets()
        """The offsets whose records the state holds (see `offsets`)."""
        if table is not None:
            self._restore(table)

    def process(self, values: Sequence[bytes], version_floor: int) -> Output:
        """Events the raw stage validated (so parsing cannot fail but for a foreign record,
        which is skipped: it was never one of ours)."""
        output = Output()
        for value in values:
            try:
                event = REGISTRY.adapter.validate_json(value)
            except ValidationError:
                continue
            self._tick(event.occurred_at)
            self._touched.add((event.tenant_id, event.user_id))
            for converter in self.tracker.apply(event):
                self.metrics.add_returning(converter)
                output.returning.append(converter)
        clock = self.clock
        if clock is not None and (
            self._next_housekeeping is None or clock >= self._next_housekeeping
        ):
            self._evicted += self.tracker.expire(clock)
            self.metrics.expire(clock)
            self._next_housekeeping = clock + _HOUSEKEEPING
        output.surface_snapshots = self.metrics.flush(version_floor).surfaces
        return output

    def save(self, output: Output, offsets: list[int]) -> None:
        table = self._table
        touched, evicted = self._touched, self._evicted
        self._touched, self._evicted = set(), []
        self.processed.add(offsets)
        if table is None:
            return
        writes = BatchWrites(table, self.partition)
        for key in touched:
            user = self.tracker.export(key)
            if user is not None:
                writes.set(codec.key(self.partition, USER, *key), codec.encode_user(*user))
        for key in evicted:
            writes.delete(codec.key(self.partition, USER, *key))
        self._windows.save(writes, self.metrics, self.partition, output)
        writes.commit(self.processed.encode())

    def _tick(self, at: datetime) -> None:
        if self.clock is None or at > self.clock:
            self.clock = at

    def _restore(self, table: StateTable) -> None:
        repair(table, self.partition)
        for raw_key, value in table.items_of(self.partition):
            _, kind, parts = codec.split_key(raw_key)
            if kind == USER:
                last_seen, visits, returned = codec.decode_user(value)
                self.tracker.restore((parts[0], parts[1]), last_seen, visits, returned)
                self._tick(last_seen)
            elif kind == SURFACE:
                self._windows.restore(self.metrics, self.partition, kind, parts, value)
            elif kind == PROCESSED:
                self.processed = ProcessedOffsets.decode(value)


class TrustShards:
    def __init__(
        self, contracts: ContractBook, lateness: timedelta, table: StateTable | None = None
    ) -> None:
        self.contracts = contracts
        self.lateness = lateness
        self._table = table
        self._shards: dict[int, TrustShard] = {}

    def process(self, records: Sequence[RawRecord]) -> dict[int, Output]:
        """Off the event loop: reads saved state, never writes it."""
        by_partition: dict[int, list[RawRecord]] = {}
        for record in sorted(records, key=lambda r: (r.partition, r.offset)):
            by_partition.setdefault(record.partition, []).append(record)
        return {
            partition: self._shard(partition).process(
                [e for r in taken for e in split_record(r.value, r.headers)], taken[-1].offset + 1
            )
            for partition, taken in sorted(by_partition.items())
        }

    def unprocessed(self, records: Sequence[RawRecord]) -> list[RawRecord]:
        """Without the records the saved state already holds, see `Shards.unprocessed`."""
        return fresh_records(records, lambda partition, offset: offset in self.processed(partition))

    def processed(self, partition: int) -> ProcessedOffsets:
        return self._shard(partition).processed

    def save(self, outputs: dict[int, Output], offsets: dict[int, list[int]]) -> None:
        for partition, output in outputs.items():
            self._shard(partition).save(output, offsets[partition])

    def keep_only(self, partitions: set[int]) -> None:
        for partition in [p for p in self._shards if p not in partitions]:
            del self._shards[partition]

    def _shard(self, partition: int) -> TrustShard:
        shard = self._shards.get(partition)
        if shard is None:
            shard = self._shards[partition] = TrustShard(
                partition, self.contracts, self.lateness, self._table
            )
        return shard
