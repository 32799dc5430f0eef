"""Shared simulator runs: generated once per session, short periods so the suite stays fast."""

from datetime import timedelta

import pytest

from convtrack.simulator import Scenarios, SimulationConfig
from tests.simulator.helpers import Run, run


@pytest.fixture(scope="session")
def default_run() -> Run:
    """Every scenario on, two days."""
    return run(SimulationConfig(seed=7, duration=timedelta(days=2), conversations=4_000))


@pytest.fixture(scope="session")
def clean_run() -> Run:
    return run(
        SimulationConfig(
            seed=7, duration=timedelta(hours=12), conversations=1_000, scenarios=Scenarios.clean()
        )
    )
