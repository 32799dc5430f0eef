"""The simulator's stories are detected end to end through the pipeline core:
validate -> attribute -> metrics -> alerts."""

from collections import Counter
from datetime import timedelta
from itertools import islice

import pytest

from convtrack.contracts import ContractBook
from convtrack.schemas.dead_letter import FilePosition
from convtrack.simulator import TRAP_SURFACE_ID, Scenarios, SimulationConfig, simulate
from convtrack.streams.alerts import Alert, AlertRule, AlertState, AlertTuning
from convtrack.streams.pipeline import Pipeline, PipelineConfig
from convtrack.streams.validate import Pseudonymizer, Validator
from tests.streams.validate.support import CONFIG, KEY

CONTRACTS = ContractBook.from_tables(
    {
        "relevance_drop": {"k_sigma": 3, "baseline_period": "24h", "min_sample": 20},
        "volume_trap": {"period": "6h", "volume_up_pct": 50, "quality_down_pct": 20},
    },
    [],
)
CLEAN = ("flights-vertical", "booking-app", "cards-vertical", "size-advisor-app")


def detect(config: SimulationConfig) -> list[Alert]:
    # A small run: the trap campaign shows ~50 ads in the 6 hours before the trap.
    pipeline = Pipeline(
        Validator(CONFIG, Pseudonymizer(KEY)),
        CONTRACTS,
        PipelineConfig(alert_tuning=AlertTuning(min_exposures=30)),
    )
    received = config.start + config.duration + timedelta(days=1)
    lines = enumerate(simulate(config), start=1)
    alerts: list[Alert] = []
    while batch := [(raw, FilePosition(path="sim", line=n)) for n, raw in islice(lines, 500)]:
        alerts += pipeline.process(batch, received).alerts
    return alerts + pipeline.finish().alerts


@pytest.fixture(scope="module")
def alerts() -> list[Alert]:
    return detect(SimulationConfig(seed=7, duration=timedelta(days=2), conversations=6_000))


def fired(alerts: list[Alert]) -> Counter[tuple[AlertRule, str | None]]:
    return Counter((a.rule, a.subject.surface_id) for a in alerts if a.state is AlertState.FIRING)


def test_the_volume_trap_campaign_raises_its_alert(alerts: list[Alert]) -> None:
    assert fired(alerts)[(AlertRule.VOLUME_TRAP, TRAP_SURFACE_ID)] == 1


def test_the_relevance_drop_raises_its_alert(alerts: list[Alert]) -> None:
    assert fired(alerts)[(AlertRule.RELEVANCE_DROP, "hotels-vertical")] == 1


def test_clean_surfaces_and_tenants_raise_nothing(alerts: list[Alert]) -> None:
    assert not [a for a in alerts if a.subject.surface_id in CLEAN]
    assert not [a for a in alerts if a.rule is AlertRule.DEAD_LETTER_SPIKE]


def test_a_clean_run_raises_nothing() -> None:
    clean = SimulationConfig(
        seed=3, duration=timedelta(days=1), conversations=2_000, scenarios=Scenarios.clean()
    )
    assert detect(clean) == []
