"""`WindowStore.expire` visits only the windows the horizon passed, and still forgets exactly
the windows a scan of every open window would; `peek` shows what the next flush will emit."""

import operator
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from convtrack.streams.metrics.windows import LIVE_PART, WindowStore, epoch_minute

T0 = datetime(2026, 11, 2, tzinfo=UTC)


def start_of(key: int) -> datetime:
    return T0 + timedelta(minutes=key)


class ScanningStore:
    """The drop rule applied to every open window at each expire: the reference."""

    def __init__(self) -> None:
        self.open: dict[tuple[int, int], int] = {}
        self.dirty: set[tuple[int, int]] = set()
        self.horizon: datetime | None = None

    def add(self, key: int) -> None:
        horizon = self.horizon
        live = horizon is None or start_of(key) >= horizon or (key, LIVE_PART) in self.open
        slot = (key, LIVE_PART if live or horizon is None else epoch_minute(horizon))
        self.open.setdefault(slot, 0)
        self.dirty.add(slot)

    def flush(self) -> None:
        slots = sorted(self.dirty)
        self.dirty.clear()
        self.drop(slots)

    def expire(self, horizon: datetime) -> None:
        if self.horizon is None or horizon > self.horizon:
            self.horizon = horizon
        self.drop(list(self.open))

    def restore(self, key: int, part: int) -> None:
        self.open[(key, part)] = 0
        self.dirty.discard((key, part))

    def drop(self, slots: list[tuple[int, int]]) -> None:
        if self.horizon is None:
            return
        current = epoch_minute(self.horizon)
        for key, part in slots:
            final = start_of(key) < self.horizon if part == LIVE_PART else part < current
            if final and (key, part) not in self.dirty:
                del self.open[(key, part)]


minutes = st.integers(0, 120)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), minutes, st.just(0)),
        st.tuples(st.just("flush"), st.just(0), st.just(0)),
        st.tuples(st.just("expire"), minutes, st.just(0)),
        # a reopened part is the horizon's epoch minute: near T0's
        st.tuples(st.just("restore"), minutes, st.sampled_from([LIVE_PART, 1, 2, 60, 120])),
    ),
    max_size=120,
)


@settings(max_examples=300, deadline=None)
@given(operations)
def test_expire_forgets_the_same_windows_as_a_full_scan(steps: list[tuple[str, int, int]]) -> None:
    store: WindowStore[int, int] = WindowStore(int, operator.add, start_of)
    reference = ScanningStore()
    base = epoch_minute(T0)
    for operation, minute, part in steps:
        if operation == "add":
            store.add(minute, 1)
            reference.add(minute)
        elif operation == "flush":
            store.flush()
            reference.flush()
        elif operation == "expire":
            store.expire(start_of(minute))
            reference.expire(start_of(minute))
        else:
            store.restore(minute, part and base + part, 1, 0)
            reference.restore(minute, part and base + part)
        assert store.slots() == set(reference.open)


def test_peek_shows_the_next_flush_of_the_earlier_windows_and_flushes_nothing() -> None:
    store: WindowStore[int, int] = WindowStore(int, operator.add, start_of)
    store.add(1, 5)
    store.add(3, 1)
    assert [(e.key, e.version) for e in store.flush()] == [(1, 1), (3, 1)]
    store.add(0, 3)
    store.add(1, 2)
    store.add(2, 4)
    store.add(9, 1)
    peeked = store.peek(start_of(1), start_of(3), version_floor=0)
    assert [(e.key, e.part, e.version, e.counters) for e in peeked] == [
        (1, LIVE_PART, 2, 7),
        (2, LIVE_PART, 1, 4),
    ]
    assert store.peek(start_of(1), start_of(3), version_floor=40)[0].version == 40
    flushed = store.flush()
    assert [e for e in flushed if 1 <= e.key < 3] == peeked
    assert [e.key for e in flushed] == [0, 1, 2, 9]
