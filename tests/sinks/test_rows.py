"""Each row model, built from real domain values, goes into its table and comes back equal."""

from typing import Any

import orjson
from clickhouse_connect.driver.client import Client

from convtrack.schemas.dead_letter import DeadLetterV1
from convtrack.schemas.events.exposure_v1 import ExposureV1
from convtrack.sinks import (
    CONVERSION_FACTS,
    DEAD_LETTERS,
    EVENTS,
    QUERY_FORMATS,
    ClickHouseSink,
    DeadLetterRow,
    Table,
    dead_letter_from_row,
    dead_letter_row,
    event_row,
)
from convtrack.streams.validate import Duplicate, ValidEvent, is_pseudonym
from convtrack.streams.validate.deadletter import duplicate_dead_letter
from tests.sinks.support import conversion_fact_rows, dead_letter_rows, dead_letters, event_rows
from tests.streams.validate.support import RECEIVED, exposure, make_validator, position


def _round_trip(client: Client, table: Table[Any], rows: list[Any]) -> list[Any]:
    sink = ClickHouseSink(client, table)
    for row in rows:
        sink.add(row)
    sink.flush()
    result = client.query(
        f"SELECT * FROM {table.name} FINAL",  # noqa: S608 (a constant name)
        query_formats=QUERY_FORMATS,
    )
    return sorted(table.row_type._make(_plain(v) for v in row) for row in result.result_rows)


def _plain(value: Any) -> Any:
    """ClickHouse returns arrays as lists; the row models hold tuples."""
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    return value


def test_every_event_type_and_field_round_trips(store: Client) -> None:
    rows = event_rows()
    assert _round_trip(store, EVENTS, rows) == sorted(rows)
    assert all(is_pseudonym(row.user_id) for row in rows)


def test_dead_letters_round_trip_back_to_the_model(store: Client) -> None:
    rows = dead_letter_rows()
    stored = _round_trip(store, DEAD_LETTERS, rows)
    assert stored == sorted(rows)
    back = {letter.dead_letter_id: letter for letter in map(dead_letter_from_row, stored)}
    assert back == {letter.dead_letter_id: letter for letter in dead_letters()}


def test_a_naive_received_at_reads_as_utc() -> None:
    row = dead_letter_rows()[0]
    naive = DeadLetterRow(**{**row._asdict(), "received_at": RECEIVED.replace(tzinfo=None)})
    assert dead_letter_from_row(naive).received_at == RECEIVED


def test_conversion_facts_keep_touches_and_the_newest_version_wins(store: Client) -> None:
    rows = conversion_fact_rows()
    newest = {row.conversion_id: row for row in sorted(rows, key=lambda r: r.version)}
    order_1 = newest["order-1"]
    assert len(order_1.touch_exposure_ids) == 2
    assert order_1.refunded > 0
    assert _round_trip(store, CONVERSION_FACTS, rows) == sorted(newest.values())


def test_fields_without_a_fitting_column_land_in_properties(store: Client) -> None:
    class ExposureV9(ExposureV1):
        novelty: int = 0
        position: str = "top"  # type: ignore[assignment]  # a reused name, another type

    event = ExposureV9.model_validate(
        {**exposure(), "user_id": "p1_" + "0" * 32, "novelty": 3, "position": "top"},
        strict=False,
    )
    row = event_row(ValidEvent(event, position(), RECEIVED))
    assert row.properties == {"novelty": "3", "position": "top"}
    assert row.position is None
    stored = _round_trip(store, EVENTS, [row])
    assert stored[0].properties == {"novelty": "3", "position": "top"}


def test_every_dead_letter_version_and_a_duplicate_round_trip(store: Client) -> None:
    """The table holds every version in one column set; each row reads back as its version."""
    current = dead_letters()[0]
    v1 = DeadLetterV1.model_validate_json(
        orjson.dumps({**orjson.loads(current.model_dump_json()), "schema_version": 1})
    )
    validator = make_validator()
    validator.validate(orjson.dumps(exposure()), position(1), RECEIVED)
    outcome = validator.validate(orjson.dumps(exposure()), position(2), RECEIVED)
    assert isinstance(outcome, Duplicate)
    duplicate = duplicate_dead_letter(outcome)
    stored = _round_trip(store, DEAD_LETTERS, [dead_letter_row(v1), dead_letter_row(duplicate)])
    back = {letter.dead_letter_id: letter for letter in map(dead_letter_from_row, stored)}
    assert back == {v1.dead_letter_id: v1, duplicate.dead_letter_id: duplicate}
    assert type(back[v1.dead_letter_id]) is DeadLetterV1
    assert back[duplicate.dead_letter_id].reason == "duplicate"
