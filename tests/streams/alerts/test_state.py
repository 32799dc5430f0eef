"""An evaluator restored from its exported state judges on exactly as the one it came from:
baselines, the volume trap's running period and open incidents (hysteresis) survive."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import orjson

from convtrack.contracts import ContractBook
from convtrack.schemas.types import Surface
from convtrack.streams.alerts import Alert, AlertEvaluator, AlertRule, AlertState, Subject
from convtrack.streams.alerts.state import export_state, restore_state
from convtrack.streams.metrics import Amounts, IngestCounters, SurfaceCounters

CONTRACTS = ContractBook.from_tables(
    {
        "relevance_drop": {"baseline_period": "24h", "min_sample": 20},
        "volume_trap": {"period": "6h", "volume_up_pct": 50, "quality_down_pct": 20},
    },
    [],
)
H0 = datetime(2026, 11, 2, tzinfo=UTC)
HOTELS = Subject("acme-travel", Surface.VERTICAL, "hotels-vertical")
BLAST = Subject("acme-travel", Surface.AD, "mega-deals-blast")
Period = tuple[datetime, dict[Subject, SurfaceCounters], dict[str, IngestCounters]]


def periods() -> Iterator[Period]:
    """A relevance drop (hours 12-15), a volume trap (hours 6-11) and a dead-letter spike
    (hours 20-21), each followed by recovery."""
    for hour in range(30):
        relevance = (
            Decimal("0.3") if 12 <= hour < 16 else Decimal("0.8") + hour % 3 * Decimal("0.01")
        )
        hotels = SurfaceCounters(
            exposures=100,
            exposures_at_intent=100,
            relevance_sum_at_intent=100 * relevance,
            value=Amounts((("EUR", Decimal("12.50")),)),
        )
        pushed = 6 <= hour < 12
        blast = SurfaceCounters(
            exposures=600 if pushed else 200,
            intent_matched_exposures=100,
            conversions=30 if pushed else 10,
            qualified_conversions=6 if pushed else 8,
        )
        dead = 200 if 20 <= hour < 22 else 10
        ingest = IngestCounters.of(valid=1_000 - dead, dead_letters={"invalid_json": dead})
        yield H0 + timedelta(hours=hour), {HOTELS: hotels, BLAST: blast}, {"acme-travel": ingest}


def test_an_evaluator_restored_after_every_period_judges_as_the_uninterrupted_one() -> None:
    uninterrupted = AlertEvaluator(CONTRACTS)
    want = [a for start, s, i in periods() for a in uninterrupted.evaluate(start, s, i)]
    assert {(a.rule, a.state) for a in want} == {
        (rule, state) for rule in AlertRule for state in AlertState
    }

    got: list[Alert] = []
    evaluator = AlertEvaluator(CONTRACTS)
    for start, surfaces, ingest in periods():
        got += evaluator.evaluate(start, surfaces, ingest)
        saved = orjson.dumps(export_state(evaluator))
        evaluator = AlertEvaluator(CONTRACTS)
        restore_state(evaluator, orjson.loads(saved))
    assert got == want
    assert export_state(evaluator) == export_state(uninterrupted)
