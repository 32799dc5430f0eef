import gzip
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from convtrack.cli import app
from convtrack.simulator import CONVERSATIONS_PER_DAY, Scenarios, SimulationConfig, simulate

_SHORT = ["--hours", "3", "--conversations", "200", "--seed", "5"]


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["simulate", *args])
    return result.exit_code, result.stdout, result.stderr


def test_writes_a_file_and_reports_what_it_injected(tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    code, stdout, _ = _invoke(*_SHORT, "--out", str(out))
    assert code == 0
    lines = out.read_bytes().splitlines()
    assert f"wrote {len(lines):,} payloads" in stdout
    assert "malformed" in stdout


def test_gz_output_matches_the_plain_output(tmp_path: Path) -> None:
    for name in ("a.jsonl", "a.jsonl.gz"):
        assert _invoke(*_SHORT, "--out", str(tmp_path / name))[0] == 0
    plain = (tmp_path / "a.jsonl").read_bytes()
    assert gzip.decompress((tmp_path / "a.jsonl.gz").read_bytes()) == plain


def test_stdout_gets_only_the_events_and_stderr_the_report() -> None:
    code, stdout, stderr = _invoke(*_SHORT, "--clean", "--late")
    assert code == 0
    defaults = Scenarios()
    late = replace(
        Scenarios.clean(), late_share=defaults.late_share, too_late_share=defaults.too_late_share
    )
    config = SimulationConfig(
        seed=5, duration=timedelta(hours=3), conversations=200, scenarios=late
    )
    expected = b"".join(line + b"\n" for line in simulate(config))
    assert stdout.encode() == expected
    assert "wrote" in stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "next tuesday"], "--start 'next tuesday' is not an ISO 8601"),
        (["--drop-surface", "nope"], "unknown surface 'nope'"),
        (["--days", "0"], "the period must be between"),
        (["--malformed-share", "2"], "malformed_share must be in"),
        (["--conversations", "0"], "conversations must be in"),
    ],
)
def test_bad_input_is_one_line_not_a_traceback(args: list[str], message: str) -> None:
    code, stdout, stderr = _invoke(*args)
    assert code == 2
    assert stdout == ""
    assert message in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert "Traceback" not in stderr


def test_an_unwritable_destination_is_one_line(tmp_path: Path) -> None:
    code, _, stderr = _invoke(*_SHORT, "--out", str(tmp_path / "missing" / "x.jsonl"))
    assert code == 2
    assert "cannot write" in stderr


def test_the_default_volume_follows_the_period(tmp_path: Path) -> None:
    code, _, _ = _invoke("--hours", "2", "--clean", "--out", str(tmp_path / "x.jsonl"))
    assert code == 0
    started = sum(
        b'"conversation_started"' in line
        for line in (tmp_path / "x.jsonl").read_bytes().splitlines()
    )
    assert started == CONVERSATIONS_PER_DAY // 12
