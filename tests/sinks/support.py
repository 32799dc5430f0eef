"""Rows for the sink tests: every schema example through the real validate stage, dead letters
of both source kinds, and conversion facts from the real attribution core."""

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import orjson

from convtrack.contracts import ContractBook, load_default_contracts
from convtrack.runner import StoreWriter
from convtrack.schemas.dead_letter import (
    DeadLetter,
    FilePosition,
    KafkaPosition,
    SourcePosition,
)
from convtrack.schemas.types import Surface
from convtrack.simulator import SimulationConfig, simulate
from convtrack.sinks import (
    BatchPolicy,
    ConversionFactRow,
    DeadLetterRow,
    EventRow,
    RetryPolicy,
    Table,
    alert_row,
    conversion_fact_row,
    dead_letter_row,
    event_row,
)
from convtrack.streams.alerts.records import AlertRule, Incident, Severity, Subject, evidence
from convtrack.streams.attribute import Attributor
from convtrack.streams.pipeline import Pipeline
from convtrack.streams.validate import ValidEvent
from tests.sinks.fakes import FakeClient
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


def dead_letters() -> list[DeadLetter]:
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
        assert isinstance(outcome, DeadLetter), outcome
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


@cache
def _simulated_rows() -> dict[str, list[tuple[Any, ...]]]:
    """What a StoreWriter would store of a short simulated run, by table (flushed on finish)."""
    client = FakeClient()
    writer = StoreWriter(client.client, BatchPolicy(max_age=1e9), RetryPolicy())
    pipeline = Pipeline(make_validator(), load_default_contracts())
    simulation = SimulationConfig(seed=8, duration=timedelta(hours=6), conversations=300)
    inputs = [
        (raw, FilePosition(path="sim", line=n)) for n, raw in enumerate(simulate(simulation), 1)
    ]
    writer.write(pipeline.process(inputs, RECEIVED + timedelta(days=30)))
    writer.write(pipeline.finish())
    writer.flush()
    by_table: dict[str, list[tuple[Any, ...]]] = {}
    for insert in client.landed:
        by_table.setdefault(insert.table, []).extend(insert.rows)
    return by_table


def sample_rows(table: Table[Any]) -> list[tuple[Any, ...]]:
    """Rows of `table` from a short simulated run; alerts, which it is too short for, from an
    incident that fires and resolves."""
    if table.name == "alerts":
        start = datetime(2026, 11, 2, tzinfo=UTC)
        day = timedelta(days=1)
        incident = Incident(
            AlertRule.VOLUME_TRAP,
            Subject("acme-travel", Surface.AD, "spring-sale"),
            Severity.WARNING,
            start,
            start + day,
            evidence(exposures=10),
        )
        return [
            alert_row(incident.firing((start, start + day), evidence(exposures=40))),
            alert_row(incident.resolved((start + day, start + 2 * day), evidence(exposures=9))),
        ]
    rows = _simulated_rows()[table.name]
    assert rows, f"the simulation made no {table.name} rows"
    return rows
