"""The packed-conversation table behaves like a dict keyed by conversation_id, whose entries
expire at the deadline stored with them (and leave it when the Attributor takes them unpacked)."""

from collections.abc import Callable

from hypothesis import example, given, settings
from hypothesis import strategies as st

from convtrack.streams.attribute.layout import KEY_AT
from convtrack.streams.attribute.table import PackedTable

keys = st.sampled_from([f"conv-{n}" for n in range(40)] + ["conv-1x", "c"])
# put (with the payload as deadline), get, pop, or remove the blobs whose deadline is before a
# clock
operations = st.lists(
    st.one_of(
        st.tuples(st.just("put"), keys, st.integers(0, 99)),
        st.tuples(st.just("get"), keys, st.just(0)),
        st.tuples(st.just("pop"), keys, st.just(0)),
        st.tuples(st.just("remove"), st.just(""), st.integers(0, 99)),
    ),
    max_size=300,
)
hashes: list[Callable[[str], int]] = [hash, lambda key: 7, len, lambda key: -1]
"""Real hashes, and ones where every key collides, in slot and in tag."""


def blob(key: str, payload: int) -> bytes:
    return bytes(KEY_AT) + key.encode() + b"\x00" + bytes([payload])


@settings(max_examples=200, deadline=None)
@given(operations, st.sampled_from(hashes))
# A taken key leaves a tombstone: its slot may sit in the probe chain of a key put after it.
@example([("put", "a", 1), ("put", "b", 2), ("pop", "a", 0), ("get", "b", 0)], hashes[1])
def test_the_table_behaves_like_a_dict(
    steps: list[tuple[str, str, int]], hash_of: Callable[[str], int]
) -> None:
    table, model = PackedTable(hash_of), dict[str, bytes]()
    for operation, key, value in steps:
        if operation == "put":
            table.put(key, blob(key, value), value)
            model[key] = blob(key, value)
        elif operation == "get":
            assert table.get(key) == model.get(key)
        elif operation == "pop":
            assert table.pop(key) == model.pop(key, None)
        else:
            removed = table.remove_expired(value)
            gone = sorted(k for k, b in model.items() if b[-1] < value)
            assert sorted(removed) == gone
            for k in gone:
                del model[k]
        assert len(table) == len(model)
    assert sorted(table.blobs()) == sorted(model.values())
    assert all(table.get(k) == b for k, b in model.items())


def test_a_key_that_is_a_prefix_of_another_is_not_confused_with_it() -> None:
    table = PackedTable(lambda key: 0)
    table.put("conv-1x", blob("conv-1x", 1), 0)
    assert table.get("conv-1") is None
    table.put("conv-1", blob("conv-1", 2), 0)
    assert table.get("conv-1x") == blob("conv-1x", 1)
    assert table.get("conv-1") == blob("conv-1", 2)


def test_the_table_shrinks_after_mass_expiry() -> None:
    table = PackedTable()
    for n in range(1000):
        table.put(f"c{n}", blob(f"c{n}", n % 2), n)
    assert table.remove_expired(0) == []
    removed = table.remove_expired(1000)
    assert len(removed) == 1000
    assert len(table) == 0
    assert len(table._blobs) < 64


def test_deadlines_follow_their_entries_through_rebuilds_and_tombstones() -> None:
    table = PackedTable(lambda key: 0)  # one probe chain: tombstones sit between live slots
    for n in range(100):
        table.put(f"c{n}", blob(f"c{n}", 0), n)
    assert sorted(table.remove_expired(50)) == sorted(f"c{n}" for n in range(50))
    for n in range(50, 100, 2):  # found past the tombstones, deadline moved later
        table.put(f"c{n}", blob(f"c{n}", 0), n + 1000)
    for n in range(200, 300):  # grows: a rebuild
        table.put(f"c{n}", blob(f"c{n}", 0), n)
    assert table.remove_expired(100) == [f"c{n}" for n in range(51, 100, 2)]
    assert table.remove_expired(300) == [f"c{n}" for n in range(200, 300)]
    assert table.remove_expired(1050) == []
    assert table.remove_expired(1051) == ["c50"]
    assert len(table) == 24


def test_an_earlier_deadline_for_a_stored_key_is_honoured() -> None:
    table = PackedTable()
    table.put("c", blob("c", 0), 10)
    assert table.remove_expired(10) == []
    table.put("c", blob("c", 1), 5)
    assert table.remove_expired(6) == ["c"]
