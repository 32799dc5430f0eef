"""The worker's commands fail with one line, and `dlq replay` selects what it is asked to (of
any dead-letter version, duplicates never)."""

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from convtrack.cli import app
from convtrack.schemas.dead_letter import DeadLetterV2, KafkaPosition
from convtrack.streams.validate import Duplicate, Validator
from convtrack.streams.validate.deadletter import duplicate_dead_letter
from tests.streams.validate.support import RECEIVED, exposure, make_validator

RUNNER = CliRunner()


def test_a_worker_without_a_broker_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONVTRACK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CONVTRACK_CLICKHOUSE_DSN", f"chdb://{tmp_path / 'ch'}")
    result = RUNNER.invoke(app, ["worker", "--broker", "127.0.0.1:1"])
    assert result.exit_code == 2
    assert "no Kafka broker answers at 127.0.0.1:1" in result.stderr
    assert "Traceback" not in result.output


def test_dlq_replay_selects_dead_letters_from_a_file_by_reason_and_time(tmp_path: Path) -> None:
    validator: Validator = make_validator()
    at = datetime(2026, 11, 2, tzinfo=UTC)
    letters = [
        validator.validate(raw, KafkaPosition(topic="raw", partition=0, offset=n), at)
        for n, raw in enumerate([b"{", b"[]", b"{"])
    ]
    file = tmp_path / "dead.jsonl"
    file.write_text("".join(letter.model_dump_json() + "\n" for letter in letters))  # type: ignore[union-attr]

    def selected(*options: str) -> str:
        result = RUNNER.invoke(app, ["dlq", "replay", "--file", str(file), "--dry-run", *options])
        assert result.exit_code == 0, result.output
        return result.stderr.strip()

    assert selected() == "3 dead letters selected"
    assert selected("--reason", "not_an_object") == "1 dead letters selected"
    assert selected("--since", "2026-11-03") == "0 dead letters selected"

    file.write_text("not a dead letter\n")
    result = RUNNER.invoke(app, ["dlq", "replay", "--file", str(file)])
    assert result.exit_code == 2
    assert "dead.jsonl:1 is not a dead letter" in result.stderr


def test_dlq_replay_reads_every_version_and_never_sends_a_duplicate(tmp_path: Path) -> None:
    validator: Validator = make_validator()
    event = orjson.dumps(exposure())
    outcomes = [
        validator.validate(raw, KafkaPosition(topic="raw", partition=0, offset=n), RECEIVED)
        for n, raw in enumerate([b"{", event, event])
    ]
    rejected, duplicate = outcomes[0], outcomes[2]
    assert isinstance(rejected, DeadLetterV2) and isinstance(duplicate, Duplicate)
    v1 = {**orjson.loads(rejected.model_dump_json()), "schema_version": 1}
    file = tmp_path / "dead.jsonl"
    file.write_bytes(
        orjson.dumps(v1)
        + b"\n"
        + rejected.model_dump_json().encode()
        + b"\n"
        + duplicate_dead_letter(duplicate).model_dump_json().encode()
        + b"\n"
    )
    for options in ((), ("--reason", "duplicate")):
        result = RUNNER.invoke(app, ["dlq", "replay", "--file", str(file), "--dry-run", *options])
        assert result.exit_code == 0, result.output
        selected = 0 if options else 2
        assert result.stderr.splitlines() == [
            f"{selected} dead letters selected",
            "1 duplicates skipped: their event was accepted already",
        ]
    usage = " ".join(RUNNER.invoke(app, ["dlq", "replay", "--help"]).stdout.split())
    assert "duplicates (reason `duplicate`) are always skipped" in usage
