from collections.abc import Iterable

import orjson
from hypothesis import given
from hypothesis import strategies as st

from convtrack.schemas.dead_letter import DeadLetter, KafkaPosition, Reason
from convtrack.streams.kafka.record import (
    BATCH_HEADERS,
    MAX_RECORD_BYTES,
    encode_batch,
    fits_in_batch,
    is_batch,
    split_record,
)
from convtrack.streams.validate import Pseudonymizer, Validator, ValidEvent
from tests.streams.validate.support import CONFIG, KEY, RECEIVED, exposure

_NDJSON = [("content-type", b"application/x-ndjson")]
_lines = st.binary(max_size=64).filter(lambda event: b"\n" not in event)
_header_names = st.sampled_from(["content-type", "Content-Type", "CONTENT-TYPE", "x-trace", ""])
_header_values = st.one_of(
    st.none(),
    st.binary(max_size=40),
    st.sampled_from([b"application/x-ndjson", b"application/json", b"Application/X-NDJSON; v=1"]),
)
_headers = st.one_of(
    st.none(),
    st.lists(st.tuples(_header_names, _header_values), max_size=4),
    st.dictionaries(_header_names, _header_values, max_size=3),
)


def test_a_record_without_a_content_type_is_one_event() -> None:
    value = b'{"event_type": "exposure"}\n{"second": 1}'
    assert split_record(value, None) == [value]
    assert split_record(value, []) == [value]
    assert split_record(value, [("x-trace", b"abc")]) == [value]


def test_a_json_content_type_is_one_event_even_with_newlines() -> None:
    value = b'{\n  "pretty": true\n}'
    assert split_record(value, [("content-type", b"application/json")]) == [value]


def test_a_batch_gives_each_event_its_own_bytes_in_order() -> None:
    events = [b'{"a":1}', b'{"b":2}', b"not json at all"]
    assert split_record(encode_batch(events), BATCH_HEADERS) == events


def test_the_content_type_is_matched_without_case_or_parameters() -> None:
    value = b"1\n2\n"
    assert split_record(value, [("Content-Type", b" Application/X-NDJSON ; v=1")]) == [b"1", b"2"]
    assert split_record(value, {"content-type": b"application/x-ndjson"}) == [b"1", b"2"]


def test_the_first_content_type_header_decides() -> None:
    headers = [("content-type", b"application/json"), ("content-type", b"application/x-ndjson")]
    assert not is_batch(headers)
    assert is_batch(list(reversed(headers)))


def test_a_content_type_without_a_value_is_one_event() -> None:
    assert split_record(b"1\n2", [("content-type", None)]) == [b"1\n2"]


def test_an_empty_batch_is_one_empty_event_so_it_is_dead_lettered_not_lost() -> None:
    assert split_record(b"", _NDJSON) == [b""]
    assert split_record(b"\n", _NDJSON) == [b""]


def test_empty_lines_stay_items_so_indexes_match_lines() -> None:
    assert split_record(b"a\n\nb\n", _NDJSON) == [b"a", b"", b"b"]
    assert split_record(b"a\n\n", _NDJSON) == [b"a", b""]


def test_crlf_lines_keep_the_carriage_return_which_json_reads_as_whitespace() -> None:
    assert split_record(b'{"a":1}\r\n{"b":2}\r\n', _NDJSON) == [b'{"a":1}\r', b'{"b":2}\r']


def test_what_fits_in_a_batch() -> None:
    assert fits_in_batch(b'{"a":1}')
    assert not fits_in_batch(b'{"a":\n1}')
    assert not fits_in_batch(b"x" * MAX_RECORD_BYTES)
    assert fits_in_batch(b"x" * (MAX_RECORD_BYTES - 1))


@given(st.lists(_lines, min_size=1, max_size=30))
def test_encoding_then_splitting_gives_the_events_back(events: list[bytes]) -> None:
    assert split_record(encode_batch(events), BATCH_HEADERS) == events


@given(st.binary(max_size=300), _headers)
def test_splitting_never_fails_and_never_loses_a_record(value: bytes, headers: object) -> None:
    items = split_record(value, headers)  # type: ignore[arg-type]
    assert len(items) >= 1
    if is_batch(headers):  # type: ignore[arg-type]
        assert b"\n".join(items) == value.removesuffix(b"\n")
    else:
        assert items == [value]


def _validate_batch(events: Iterable[bytes]) -> list[object]:
    validator = Validator(CONFIG, Pseudonymizer(KEY))
    items = split_record(encode_batch(list(events)), BATCH_HEADERS)
    return [
        validator.validate(
            item, KafkaPosition(topic="raw", partition=0, offset=7, index_in_record=i), RECEIVED
        )
        for i, item in enumerate(items)
    ]


def test_a_broken_event_inside_a_batch_is_dead_lettered_alone() -> None:
    good = orjson.dumps(exposure())
    second = orjson.dumps(exposure(event_id="9b2f1c7e-8a4d-4c39-9f5e-2d6a1b3c4d5e"))
    outcomes = _validate_batch([good, b'{"event_type": "exposure", "trunc', second])
    assert isinstance(outcomes[0], ValidEvent)
    assert isinstance(outcomes[2], ValidEvent)
    dead = outcomes[1]
    assert isinstance(dead, DeadLetter)
    assert dead.reason is Reason.INVALID_JSON
    assert dead.source == KafkaPosition(topic="raw", partition=0, offset=7, index_in_record=1)
