"""The packed-conversation table behaves like a dict keyed by conversation_id."""

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from convtrack.streams.attribute.layout import KEY_AT
from convtrack.streams.attribute.table import PackedTable

keys = st.sampled_from([f"conv-{n}" for n in range(40)] + ["conv-1x", "c"])
# put, get, or remove the blobs whose payload is below a threshold
operations = st.lists(
    st.one_of(
        st.tuples(st.just("put"), keys, st.integers(0, 99)),
        st.tuples(st.just("get"), keys, st.just(0)),
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
def test_the_table_behaves_like_a_dict(
    steps: list[tuple[str, str, int]], hash_of: Callable[[str], int]
) -> None:
    table, model = PackedTable(hash_of), dict[str, bytes]()
    for operation, key, value in steps:
        if operation == "put":
            table.put(key, blob(key, value))
            model[key] = blob(key, value)
        elif operation == "get":
            assert table.get(key) == model.get(key)
        else:
            removed = table.remove_if(lambda b, v=value: b[-1] < v)  # type: ignore[misc]
            gone = sorted(k for k, b in model.items() if b[-1] < value)
            assert sorted(removed) == gone
            for k in gone:
                del model[k]
        assert len(table) == len(model)
    assert sorted(table.blobs()) == sorted(model.values())
    assert all(table.get(k) == b for k, b in model.items())


def test_a_key_that_is_a_prefix_of_another_is_not_confused_with_it() -> None:
    table = PackedTable(lambda key: 0)
    table.put("conv-1x", blob("conv-1x", 1))
    assert table.get("conv-1") is None
    table.put("conv-1", blob("conv-1", 2))
    assert table.get("conv-1x") == blob("conv-1x", 1)
    assert table.get("conv-1") == blob("conv-1", 2)


def test_the_table_shrinks_after_mass_expiry() -> None:
    table = PackedTable()
    for n in range(1000):
        table.put(f"c{n}", blob(f"c{n}", n % 2))
    removed = table.remove_if(lambda b: True)
    assert len(removed) == 1000
    assert len(table) == 0
    assert len(table._blobs) < 64
