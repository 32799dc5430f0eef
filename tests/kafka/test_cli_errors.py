"""Bad input and an unreachable broker end in one line naming the fix, never a traceback."""

import pytest
from typer.testing import CliRunner

from convtrack.broker import free_port
from convtrack.cli import app
from convtrack.streams.kafka import connection


def _one_line_error(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ")
    return line


@pytest.fixture
def nobody_listens(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(connection, "BOOTSTRAP_TIMEOUT_MS", 300)
    address = f"127.0.0.1:{free_port()}"
    monkeypatch.setenv("CONVTRACK_KAFKA_BOOTSTRAP_SERVERS", address)
    return address


@pytest.mark.parametrize(
    "command",
    [("topics", "create"), ("topics", "list"), ("simulate", "--kafka", "--hours", "1")],
)
def test_an_unreachable_broker_is_one_line(nobody_listens: str, command: tuple[str, ...]) -> None:
    line = _one_line_error(*command)
    assert f"no Kafka broker answers at {nobody_listens}" in line
    assert "convtrack broker" in line


def test_simulate_refuses_two_destinations() -> None:
    assert "give one of them" in _one_line_error("simulate", "--kafka", "--out", "x.jsonl")


def test_a_bootstrap_setting_without_a_port_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVTRACK_KAFKA_BOOTSTRAP_SERVERS", "kafka.internal")
    assert "names no port" in _one_line_error("broker")
