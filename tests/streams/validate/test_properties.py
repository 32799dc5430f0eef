"""Whatever arrives, the stage returns exactly one outcome and never raises."""

from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convtrack.schemas.dead_letter import DeadLetter
from convtrack.streams.validate import Duplicate, Outcome, Validator, ValidEvent
from tests.streams.validate.support import RAW_USER_ID, all_examples, make_validator, run, stored

EXAMPLES = all_examples()
FIELDS = sorted({name for example in EXAMPLES for name in example})

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def exactly_one(validator: Validator, outcome: Outcome) -> None:
    assert isinstance(outcome, ValidEvent | Duplicate | DeadLetter)
    assert validator.stats.processed == 1
    if isinstance(outcome, DeadLetter):
        assert len(stored(outcome)) > 0 or outcome.payload_bytes == 0


@PROPERTY
@given(st.binary(max_size=512))
def test_arbitrary_bytes(raw: bytes) -> None:
    validator = make_validator()
    exactly_one(validator, run(validator, raw))


@PROPERTY
@given(json_values)
def test_arbitrary_json_values(value: Any) -> None:
    validator = make_validator()
    exactly_one(validator, run(validator, orjson.dumps(value)))


@PROPERTY
@given(st.sampled_from(EXAMPLES), st.dictionaries(st.sampled_from(FIELDS), json_values))
def test_examples_with_fields_replaced(example: dict[str, Any], changes: dict[str, Any]) -> None:
    validator = make_validator()
    outcome = run(validator, {**example, **changes})
    exactly_one(validator, outcome)
    if isinstance(outcome, DeadLetter) and RAW_USER_ID.encode() not in orjson.dumps(changes):
        assert RAW_USER_ID.encode() not in stored(outcome)


@PROPERTY
@given(
    st.sampled_from(EXAMPLES),
    st.sets(st.sampled_from(FIELDS)),
    st.dictionaries(st.text(), json_values, max_size=3),
)
def test_examples_with_fields_dropped_or_added(
    example: dict[str, Any], dropped: set[str], added: dict[str, Any]
) -> None:
    validator = make_validator()
    payload = {**{k: v for k, v in example.items() if k not in dropped}, **added}
    outcome = run(validator, payload)
    exactly_one(validator, outcome)
    if isinstance(outcome, DeadLetter) and RAW_USER_ID.encode() not in orjson.dumps(added):
        assert RAW_USER_ID.encode() not in stored(outcome)


@PROPERTY
@given(st.sampled_from(EXAMPLES), st.data())
def test_examples_with_bytes_mutated(example: dict[str, Any], data: st.DataObject) -> None:
    raw = bytearray(orjson.dumps(example))
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(raw) - 1))
        raw[index] = data.draw(st.integers(0, 255))
    validator = make_validator()
    exactly_one(validator, run(validator, bytes(raw)))
