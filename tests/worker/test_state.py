"""A partition's saved state restores into a new pipeline that goes on exactly as the old one
would have: same facts and versions, same metric counters, nothing emitted twice."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

import pytest

from convtrack.contracts import load_default_contracts
from convtrack.schemas.dead_letter import KafkaPosition
from convtrack.simulator import SimulationConfig, simulate
from convtrack.streams.attribute import Attributor, portable
from convtrack.streams.pipeline import Output, Pipeline, PipelineConfig
from convtrack.streams.worker import codec, state
from convtrack.streams.worker.records import RawRecord, offsets_by_partition, trust_messages
from convtrack.streams.worker.shards import Loader, Shards
from convtrack.streams.worker.trust import TrustShards
from tests.streams.attribute.test_packed import snapshot as slots_of
from tests.streams.metrics.support import totals
from tests.streams.validate.support import make_validator

CONTRACTS = load_default_contracts()
SIMULATION = SimulationConfig(seed=4, duration=timedelta(hours=24), conversations=1500)
NOW = datetime(2030, 1, 1, tzinfo=UTC)
BATCH = 150


class DictTable:
    def __init__(self) -> None:
        self.data: dict[bytes, bytes] = {}
        self.writes = 0

    def get(self, key: bytes) -> bytes | None:
        return self.data.get(key)

    def set(self, key: bytes, value: bytes) -> None:
        self.writes += 1
        self.data[key] = value

    def delete(self, key: bytes) -> None:
        self.data.pop(key, None)

    def items_of(self, partition: int) -> Iterator[tuple[bytes, bytes]]:
        prefix = f"{partition}|".encode()
        return iter([(k, v) for k, v in self.data.items() if k.startswith(prefix)])


def new_pipeline(partition: int, restore: Loader | None) -> Pipeline:
    config = PipelineConfig(shard=partition, trust=False, alerts=False)
    return Pipeline(make_validator(), CONTRACTS, config, restore=restore)


def batches() -> list[list[tuple[bytes, KafkaPosition]]]:
    lines = iter(enumerate(simulate(SIMULATION)))
    out = []
    while chunk := list(islice(lines, BATCH)):
        out.append([(raw, KafkaPosition(topic="raw", partition=0, offset=n)) for n, raw in chunk])
    return out


def run(shards: Shards, taken: list[list[tuple[bytes, KafkaPosition]]]) -> list[Output]:
    outputs = []
    for batch in taken:
        floor = batch[-1][1].offset + 1
        output = shards.process({0: list(batch)}, NOW, {0: floor})
        shards.save(output, {0: [position.offset for _, position in batch]})
        outputs.append(output[0])
    return outputs


def latest(outputs: list[Output]) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """Newest fact content by fact id, newest counters by (window, part): what FINAL keeps."""
    facts: dict[Any, Any] = {}
    windows: dict[Any, Any] = {}
    for output in outputs:
        for change in output.changes:
            key = type(change.fact), change.fact.key
            if key not in facts or facts[key][0] <= change.version:
                facts[key] = (change.version, change.fact)
        for snapshot in output.surface_snapshots:
            slot = snapshot.window, snapshot.part
            if slot not in windows or windows[slot][0] <= snapshot.version:
                windows[slot] = (snapshot.version, snapshot.counters)
    return facts, windows


def test_a_restored_partition_goes_on_as_if_never_stopped() -> None:
    taken = batches()
    half = len(taken) // 2
    whole = run(Shards(new_pipeline), taken)

    table = DictTable()
    before = run(Shards(new_pipeline, table), taken[:half])
    after = run(Shards(new_pipeline, table), taken[half:])

    assert latest(before + after) == latest(whole)
    # Nothing already emitted comes out again: the second life emits what the uninterrupted
    # run emitted for the same batches.
    assert [len(o.changes) for o in after] == [len(o.changes) for o in whole[half:]]
    assert [o.duplicates for o in after] == [o.duplicates for o in whole[half:]]


def test_a_replayed_batch_after_a_crash_changes_nothing_stored() -> None:
    """The crash case: a batch saved but not committed is delivered again."""
    taken = batches()
    table = DictTable()
    run(Shards(new_pipeline, table), taken[:3])
    (again,) = run(Shards(new_pipeline, table), taken[2:3])
    assert again.events == [] and again.changes == []
    assert again.duplicates > 0


def test_records_below_the_saved_offset_are_not_processed_again() -> None:
    """Kafka delivers a saved batch again after a crash before the commit (or a seek back):
    the restored partition skips it, so its valid events are not counted as duplicates."""
    taken = batches()
    table = DictTable()
    run(Shards(new_pipeline, table), taken[:3])
    restarted = Shards(new_pipeline, table)

    def records(batch: list[tuple[bytes, KafkaPosition]]) -> list[RawRecord]:
        return [RawRecord(0, position.offset, raw, ()) for raw, position in batch]

    assert restarted.unprocessed(records(taken[2])) == []
    assert restarted.unprocessed(records(taken[2] + taken[3])) == records(taken[3])


def test_a_restored_trust_partition_skips_what_it_saved() -> None:
    table = DictTable()
    shards = TrustShards(CONTRACTS, timedelta(days=7), table)
    taken = [RawRecord(1, offset, b"", ()) for offset in range(5)]
    shards.save({1: Output()}, {1: [0, 1, 2, 4]})
    restarted = TrustShards(CONTRACTS, timedelta(days=7), table)
    assert restarted.unprocessed(taken) == [taken[3]]


def test_trust_state_restores_users_and_counts_each_return_once() -> None:
    pipeline = new_pipeline(0, None)
    records: list[RawRecord] = []
    for batch in batches():
        for message in trust_messages(pipeline.process(batch, NOW), 1):
            records += [RawRecord(0, len(records), message.value, message.headers)]
    half = len(records) // 2

    def returns(shards: TrustShards, taken: list[RawRecord]) -> list[Any]:
        found = []
        for n in range(0, len(taken), 3):
            outputs = shards.process(taken[n : n + 3])
            shards.save(outputs, offsets_by_partition(taken[n : n + 3]))
            found += [r for o in outputs.values() for r in o.returning]
        return found

    whole = returns(TrustShards(CONTRACTS, timedelta(days=7)), records)
    table = DictTable()
    split = returns(TrustShards(CONTRACTS, timedelta(days=7), table), records[:half])
    split += returns(TrustShards(CONTRACTS, timedelta(days=7), table), records[half:])
    assert whole, "the simulation has returning converters"
    assert sorted(r.key for r in split) == sorted(r.key for r in whole)


def short_lateness(
    partition: int, restore: Loader | None, lateness: timedelta = timedelta(minutes=30)
) -> Pipeline:
    """Windows leave memory soon behind the clock, so refunds restate many of them."""
    config = PipelineConfig(shard=partition, trust=False, alerts=False)
    validator = make_validator(lateness=lateness)
    return Pipeline(validator, CONTRACTS, config, restore=restore)


def two_hours_late(partition: int, restore: Loader | None) -> Pipeline:
    return short_lateness(partition, restore, timedelta(hours=2))


def cut(lines: list[bytes], *sizes: int) -> list[list[tuple[bytes, KafkaPosition]]]:
    """`lines` as numbered batches, of each size in turn (the last one repeating)."""
    numbered = iter(enumerate(lines))
    taken = []
    for size in (*sizes, *[sizes[-1]] * len(lines)):
        chunk = list(islice(numbered, size))
        if not chunk:
            break
        taken.append([(raw, KafkaPosition(topic="raw", partition=0, offset=n)) for n, raw in chunk])
    return taken


def test_a_restored_partition_restates_old_windows_into_the_same_parts() -> None:
    """A refund restating a conversion whose window left memory opens a part numbered by the
    metric horizon, which moves at housekeeping; the restored pipeline must housekeep at the
    same moments, or a replayed restatement would land in a second part and count twice."""
    config = SimulationConfig(seed=9, duration=timedelta(hours=24), conversations=1500)
    taken = cut(list(simulate(config)), BATCH)
    half = len(taken) // 2
    whole = run(Shards(short_lateness), taken)
    table = DictTable()
    split = run(Shards(short_lateness, table), taken[:half])
    split += run(Shards(short_lateness, table), taken[half:])

    reopened = {s.part for o in whole[half:] for s in o.surface_snapshots if s.part}
    assert reopened, "the second half restates windows that left memory"
    assert latest(split) == latest(whole)


@pytest.mark.parametrize("crash_at", [5_289, 7_052, 15_867])
def test_a_batch_stored_but_not_saved_and_replayed_cut_differently_counts_once(
    crash_at: int,
) -> None:
    # The worker inserts a batch, then saves its state: a crash between the two replays the
    # batch from the older state, and the take cuts it differently. Housekeeping moves the
    # horizon that numbers the part a late restatement reopens, so it must happen at the same
    # inputs however the batches fall, or the replay writes the restatement into a second part.
    config = SimulationConfig(seed=5, duration=timedelta(days=3), conversations=3000)
    lines = list(simulate(config))
    whole = run(Shards(two_hours_late), cut(lines, 500))

    table = DictTable()
    shards = Shards(two_hours_late, table)
    stored = run(shards, cut(lines[:crash_at], 500))
    unsaved = cut(lines[crash_at:], 3_000)[0]
    stored += shards.process({0: list(unsaved)}, NOW, {0: unsaved[-1][1].offset + 1}).values()
    stored += run(Shards(two_hours_late, table), cut(lines, crash_at, 97)[1:])

    assert any(s.part for o in stored for s in o.surface_snapshots), "restatements reopen parts"
    assert totals(s for o in stored for s in o.surface_snapshots) == totals(
        s for o in whole for s in o.surface_snapshots
    )


def test_a_batch_s_ids_are_saved_in_chunks_that_each_fit_a_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A big batch accepts more ids than one changelog record carries: they go in several
    chunks, and a restore still knows every one of them."""
    monkeypatch.setattr(state, "DEDUP_CHUNK_IDS", 7)
    taken = batches()
    table = DictTable()
    run(Shards(new_pipeline, table), taken[:3])
    chunks = [codec.decode_dedup(v) for k, v in table.data.items() if b"|d|" in k]
    assert len(chunks) > 3 and all(sum(map(len, c.ids.values())) <= 7 for c in chunks)
    (again,) = run(Shards(new_pipeline, table), taken[2:3])
    assert again.events == [] and again.duplicates > 0


def test_a_conversation_saved_as_events_by_an_older_worker_restores_to_the_same_state() -> None:
    """Changelogs outlive upgrades: the event lines older workers saved still restore."""
    (output,) = run(Shards(new_pipeline), batches()[:1])
    events = [valid.event for valid in output.events]
    key = max(
        {(e.tenant_id, e.conversation_id) for e in events},
        key=lambda k: sum((e.tenant_id, e.conversation_id) == k for e in events),
    )
    mine = [e for e in events if (e.tenant_id, e.conversation_id) == key]
    attributor = Attributor(CONTRACTS)
    attributor.apply_batch(mine)
    live = attributor.state(*key)
    assert live is not None and len(mine) > 1
    older = b"\n".join([str(live.revision).encode(), *(e.model_dump_json().encode() for e in mine)])

    restored = state.rebuild(key, older)

    assert restored is not None
    assert slots_of(restored) == slots_of(live)
    assert state.rebuild(key, portable.encode(live)) is not None
