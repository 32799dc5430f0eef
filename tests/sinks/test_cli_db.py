"""`convtrack db migrate|status` and `convtrack sql` on an embedded store in tmp_path."""

import csv
import io
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from convtrack.cli import app
from convtrack.sinks import MIGRATIONS


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"CONVTRACK_DATA_DIR": str(tmp_path), "COLUMNS": "200"}


def invoke(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_migrate_then_status(env: dict[str, str]) -> None:
    code, out, _ = invoke(env, "db", "status")
    assert code == 0
    assert out.count("│ pending") == len(MIGRATIONS)
    assert "convtrack db migrate" in out

    code, out, _ = invoke(env, "db", "migrate")
    assert code == 0
    assert [line for line in out.splitlines() if line.startswith("applied")] == [
        f"applied {m.label}" for m in MIGRATIONS
    ]
    code, out, _ = invoke(env, "db", "migrate")
    assert code == 0
    assert "nothing to do" in out

    code, out, _ = invoke(env, "db", "status")
    assert code == 0
    assert "pending" not in out
    assert out.count("│ applied") == len(MIGRATIONS)


def test_sql_prints_a_table_csv_or_json(env: dict[str, str]) -> None:
    invoke(env, "db", "migrate")
    query = "SELECT number AS n, toString(number) AS s, NULL AS z FROM numbers(2)"

    code, out, err = invoke(env, "sql", query)
    assert code == 0
    assert "┃ n" in out
    assert "NULL" in out
    assert "2 rows" in err

    code, out, _ = invoke(env, "sql", query, "--format", "csv")
    assert list(csv.reader(io.StringIO(out))) == [["n", "s", "z"], ["0", "0", ""], ["1", "1", ""]]

    code, out, _ = invoke(env, "sql", query, "--format", "json")
    assert [orjson.loads(line) for line in out.splitlines()] == [
        {"n": 0, "s": "0", "z": None},
        {"n": 1, "s": "1", "z": None},
    ]


def test_a_clickhouse_error_is_one_line_with_its_message(env: dict[str, str]) -> None:
    code, _, err = invoke(env, "sql", "SELECT * FROM no_such_table")
    assert code == 2
    assert err.startswith("error: ClickHouse: ")
    assert "no_such_table" in err
    assert "UNKNOWN_TABLE" in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_a_bad_dsn_is_one_line(env: dict[str, str]) -> None:
    code, _, err = invoke({**env, "CONVTRACK_CLICKHOUSE_DSN": "mysql://x"}, "db", "migrate")
    assert code == 2
    assert "CONVTRACK_CLICKHOUSE_DSN=mysql://x is not a ClickHouse DSN" in err
    assert len(err.strip().splitlines()) == 1
