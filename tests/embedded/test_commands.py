"""`convtrack replay`, `demo`, `sql` and `verify` from the command line, on a fresh store."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from convtrack.cli import app
from convtrack.simulator import SimulationConfig, open_jsonl, simulate, write_all

WIDE = {"COLUMNS": "220"}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CONVTRACK_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_replay_then_sql_and_verify(tmp_path: Path, data_dir: Path) -> None:
    events = tmp_path / "events.jsonl.gz"
    write_all(simulate(SimulationConfig(seed=4, conversations=400)), open_jsonl(str(events)))
    runner = CliRunner()

    replayed = runner.invoke(app, ["replay", str(events)], env=WIDE)
    assert replayed.exit_code == 0, replayed.output
    assert "valid events stored" in replayed.output
    assert (data_dir / "clickhouse").is_dir()

    counted = runner.invoke(
        app, ["sql", "SELECT count() AS n FROM events FINAL", "--format", "csv"]
    )
    assert counted.exit_code == 0, counted.output
    stored = int(counted.output.split()[1])
    assert f"{stored:,}" in replayed.output

    verified = runner.invoke(app, ["verify"], env=WIDE)
    assert verified.exit_code == 0, verified.output


@pytest.mark.parametrize("command", [["report"], ["verify"]])
def test_commands_that_read_an_empty_store_say_how_to_fill_it(
    data_dir: Path, command: list[str]
) -> None:
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 2
    assert "not migrated yet; run `convtrack db migrate`" in result.output
    assert "UNKNOWN_TABLE" not in result.output and "Traceback" not in result.output


def test_replay_of_a_missing_file_is_one_line(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["replay", "nowhere.jsonl"])
    assert result.exit_code == 2
    assert "nowhere.jsonl: no such file" in result.output
    assert "Traceback" not in result.output


def test_a_bad_contracts_file_is_one_line(tmp_path: Path, data_dir: Path) -> None:
    contracts = tmp_path / "bad.toml"
    contracts.write_text("[defaults]\nmin_relevance = 7\n")
    result = CliRunner().invoke(app, ["replay", "-", "--contracts", str(contracts)], input="")
    assert result.exit_code == 2
    assert "convtrack contracts check" in result.output


def test_demo_prints_volume_next_to_quality(tmp_path: Path, data_dir: Path) -> None:
    result = CliRunner().invoke(
        app, ["demo", "--days", "1", "--out", str(tmp_path / "demo")], env=WIDE
    )
    assert result.exit_code == 0, result.output
    assert "volume vs quality and trust" in result.output
    assert "mega-deals-blast" in result.output
    assert "convtrack sql" in result.output
    assert (tmp_path / "demo" / "events.jsonl.gz").is_file()


def test_a_demo_over_an_earlier_one_says_the_report_counts_both(
    tmp_path: Path, data_dir: Path
) -> None:
    def demo(seed: str) -> str:
        argv = ["demo", "--days", "1", "--seed", seed, "--out", str(tmp_path / "demo")]
        result = CliRunner().invoke(app, argv, env=WIDE)
        assert result.exit_code == 0, result.output
        return result.output

    assert "earlier runs" not in demo("1")
    assert "earlier runs" not in demo("1"), "the same run again adds nothing"
    assert "events of earlier runs" in demo("2")
