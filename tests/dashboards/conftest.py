"""A store loaded with three simulated days through the real pipeline (tests.verify.support):
long enough for the demo scenarios to fire the pipeline's own alerts (a volume trap on
mega-deals-blast, a relevance drop on hotels-vertical)."""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import orjson
import pytest
from clickhouse_connect.driver.client import Client

from convtrack.simulator import SimulationConfig, simulate
from convtrack.sinks import migrate
from tests.sinks.conftest import open_store
from tests.streams.validate.support import all_examples
from tests.verify.support import run_pipeline, store_outputs

SIMULATION = SimulationConfig(seed=42, duration=timedelta(days=3), conversations=6_000)


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once (about 10 s) and closed: chDB serves one directory per process at a time,
    so each module opens it for itself."""
    directory = tmp_path_factory.mktemp("dashboards") / "clickhouse"
    client = open_store(directory)
    try:
        migrate(client)
        lines = [*simulate(SIMULATION), *map(orjson.dumps, all_examples())]
        store_outputs(client, run_pipeline(lines))
    finally:
        client.close()
    return directory


@pytest.fixture(scope="module")
def store(store_dir: Path) -> Iterator[Client]:
    client = open_store(store_dir)
    yield client
    client.close()
