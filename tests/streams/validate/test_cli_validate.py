"""`convtrack validate FILE`."""

import gzip
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner, Result

from convtrack.cli import app
from convtrack.schemas.dead_letter import DeadLetter, FilePosition, Reason
from convtrack.schemas.registry import REGISTRY
from convtrack.streams.validate import is_pseudonym
from tests.streams.validate.support import RAW_USER_ID, all_examples

EXAMPLES = all_examples()
LINES = [
    *(orjson.dumps(example) for example in EXAMPLES),
    orjson.dumps(EXAMPLES[0]),  # a duplicate
    b"",
    b"   ",
    b'{"event_type": "clik", "user_id": "user-48213"}',
    b"[1, 2]",
]
CONTENT = b"\n".join(LINES) + b"\n"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("CONVTRACK_PSEUDONYMIZATION_KEY", "CONVTRACK_MODE", "CONVTRACK_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def invoke(*args: str, stdin: bytes | None = None, **env: str) -> Result:
    return CliRunner().invoke(app, ["validate", *args], input=stdin, env=env)


def dead_letters(path: Path) -> list[DeadLetter]:
    return [DeadLetter.model_validate_json(line) for line in path.read_bytes().splitlines()]


def count(result: Result, label: str) -> int:
    """The number in the summary table's row for `label`."""
    for line in result.stdout.splitlines():
        cells = [cell.strip() for cell in line.strip("│ ").split("│")]
        if len(cells) == 2 and cells[0] == label:
            return int(cells[1])
    raise AssertionError(f"no row {label!r} in:\n{result.stdout}")


def assert_processed(result: Result, path: Path, source_path: str) -> None:
    assert result.exit_code == 0, result.output
    assert count(result, "valid") == len(EXAMPLES)
    assert count(result, "duplicates") == 1
    assert count(result, "dead letters") == 2
    assert count(result, "unknown_event_type") == count(result, "not_an_object") == 1
    letters = dead_letters(path)
    # the duplicate is written as the pipeline stores it, though counted as a duplicate only
    assert [d.reason for d in letters] == [
        Reason.DUPLICATE,
        Reason.UNKNOWN_EVENT_TYPE,
        Reason.NOT_AN_OBJECT,
    ]
    # blank lines are skipped but still counted, so line numbers match the file
    first_line = len(EXAMPLES) + 4
    assert [d.source for d in letters] == [
        FilePosition(path=source_path, line=len(EXAMPLES) + 1),
        FilePosition(path=source_path, line=first_line),
        FilePosition(path=source_path, line=first_line + 1),
    ]
    assert all(RAW_USER_ID not in d.model_dump_json() for d in letters)


def test_a_plain_file(workdir: Path) -> None:
    (workdir / "events.jsonl").write_bytes(CONTENT)
    result = invoke("events.jsonl")
    default = workdir / ".convtrack" / "dead-letters.jsonl"
    assert_processed(result, default, "events.jsonl")
    assert "dead letters: .convtrack/dead-letters.jsonl" in result.stdout
    assert "generated development key" in result.stderr


def test_a_gzip_file_with_chosen_outputs(workdir: Path) -> None:
    (workdir / "events.jsonl.gz").write_bytes(gzip.compress(CONTENT))
    args = ["events.jsonl.gz", "--dead-letters", "out/dl.jsonl", "--out", "out/valid.jsonl"]
    result = invoke(*args)
    assert_processed(result, workdir / "out" / "dl.jsonl", "events.jsonl.gz")
    valid = (workdir / "out" / "valid.jsonl").read_bytes().splitlines()
    assert len(valid) == len(EXAMPLES)
    for line in valid:
        event = REGISTRY.adapter.validate_json(line)
        assert is_pseudonym(event.user_id)


def test_stdin(workdir: Path) -> None:
    result = invoke("-", "--dead-letters", "dl.jsonl", stdin=CONTENT)
    assert_processed(result, workdir / "dl.jsonl", "-")


def test_strict_fails_when_anything_was_dead_lettered(workdir: Path) -> None:
    (workdir / "events.jsonl").write_bytes(CONTENT)
    assert invoke("events.jsonl", "--strict").exit_code == 1
    (workdir / "clean.jsonl").write_bytes(orjson.dumps(EXAMPLES[0]) + b"\n")
    assert invoke("clean.jsonl", "--strict").exit_code == 0


def one_line_error(result: Result, *words: str) -> None:
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert all(word in lines[0] for word in words)


def test_a_missing_file_is_one_line(workdir: Path) -> None:
    one_line_error(invoke("nope.jsonl"), "nope.jsonl", "no such file")


def test_an_unreadable_gzip_is_one_line(workdir: Path) -> None:
    (workdir / "broken.jsonl.gz").write_bytes(gzip.compress(CONTENT)[:40])
    result = invoke("broken.jsonl.gz", "--dead-letters", "dl.jsonl")
    assert result.exit_code == 2
    assert "cannot read broken.jsonl.gz" in result.stderr
    assert "Traceback" not in result.output


def test_production_without_a_key_is_one_line(workdir: Path) -> None:
    (workdir / "events.jsonl").write_bytes(CONTENT)
    result = invoke("events.jsonl", CONVTRACK_MODE="production")
    one_line_error(result, "CONVTRACK_PSEUDONYMIZATION_KEY")
