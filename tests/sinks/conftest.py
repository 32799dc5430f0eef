"""Real chDB stores in tmp_path. chDB serves one directory per process, so every fixture closes
its client before the next test opens another directory."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client

from convtrack.sinks import connect, migrate, parse_dsn


def open_store(directory: Path) -> Client:
    return connect(parse_dsn(f"chdb://{directory}", directory))


@pytest.fixture
def bare_store(tmp_path: Path) -> Iterator[Client]:
    """An empty, unmigrated store."""
    client = open_store(tmp_path / "clickhouse")
    yield client
    client.close()


@pytest.fixture
def store(bare_store: Client) -> Client:
    migrate(bare_store)
    return bare_store
