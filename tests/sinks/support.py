"""Rows for the sink tests: every schema example through the real validate stage, dead letters
of both source kinds, and conversion facts from the real attribution core."""

import orjson

from convtrack.contracts import ContractBook
from convtrack.schemas.dead_letter import (
    DeadLetterV1,
    FilePosition,
    KafkaPosition,
    SourcePosition,
)
from convtrack.sinks import (
    ConversionFactRow,
    DeadLetterRow,
    EventRow,
    conversion_fact_row,
    dead_letter_row,
    event_row,
)
from convtrack.streams.attribute import Attributor
from convtrack.streams.validate import ValidEvent
from tests.streams.attribute.events import ad, adjusted, conversion, exposure, intent
from tests.streams.validate.support import RECEIVED, all_examples, make_validator


def event_rows() -> list[EventRow]:
    """One row per schema example (every event type and optional field), user ids pseudonymized."""
    validator = make_validator()
    rows = []
    for line, example in enumerate(all_examples(), 1):
        outcome = validator.validate(
            orjson.dumps(example), FilePosition(path="examples.jsonl", line=line), RECEIVED
        )
        assert isinstance(outcome, ValidEvent), outcome
        rows.append(event_row(outcome))
    return rows


def dead_letters() -> list[DeadLetterV1]:
    validator = make_validator()
    inputs: list[tuple[bytes, SourcePosition]] = [
        (b"{not json", FilePosition(path="in.jsonl", line=3)),
        (
            orjson.dumps({**all_examples()[0], "relevance": 7, "user_id": "someone"}),
            KafkaPosition(topic="convtrack.events.raw", partition=2, offset=41, index_in_record=5),
        ),
        (orjson.dumps({"event_type": "nope", "tenant_id": "acme"}), FilePosition(path="-", line=9)),
    ]
    letters = []
    for raw, source in inputs:
        outcome = validator.validate(raw, source, RECEIVED)
        assert isinstance(outcome, DeadLetterV1), outcome
        letters.append(outcome)
    return letters


def dead_letter_rows() -> list[DeadLetterRow]:
    return [dead_letter_row(letter) for letter in dead_letters()]


def conversion_fact_rows() -> list[ConversionFactRow]:
    """Every version of two conversions: one attributed (linear) over two touches then refunded, one
    unattributed."""
    attributor = Attributor(ContractBook.from_tables({"attribution": {"model": "linear"}}, []))
    timeline = [
        intent(0),
        exposure(1, "exp-1"),
        ad(2, "exp-2"),
        conversion(5, "order-1"),
        adjusted(30, "refund", "100.00", "order-1"),
        conversion(40, "order-2", offer_id="offer-y", conv="c2"),
    ]
    rows = []
    for item in timeline:
        for change in attributor.apply(item):
            row = conversion_fact_row(change)
            if row is not None:
                rows.append(row)
    return rows
