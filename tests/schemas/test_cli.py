"""`convtrack schemas list` and `convtrack schemas export [--check]`."""

import json
from pathlib import Path

from typer.testing import CliRunner

from convtrack.cli import app
from convtrack.schemas.jsonschema import published_schemas

SCHEMAS = published_schemas()


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["schemas", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_list_shows_every_schema_with_its_fields_and_surfaces() -> None:
    code, out, _ = _run("list")
    assert code == 0
    for schema in SCHEMAS:
        assert schema.event_type in out
    assert "invoked_by" in out
    assert "vertical" in out
    assert "envelope" not in out


def test_export_writes_every_file_then_reports_them_unchanged(tmp_path: Path) -> None:
    code, out, _ = _run("export", str(tmp_path))
    assert code == 0
    assert out.count("wrote ") == len(SCHEMAS)
    for schema in SCHEMAS:
        assert (tmp_path / schema.relative_path).is_file()

    code, out, _ = _run("export", str(tmp_path))
    assert code == 0
    assert "wrote" not in out
    assert f"{len(SCHEMAS)} unchanged" in out


def test_check_passes_on_the_checked_in_files() -> None:
    code, out, _ = _run("export", "--check")
    assert code == 0
    assert f"{len(SCHEMAS)} schema files up to date" in out


def test_check_reports_drift_writes_nothing_and_exits_1(tmp_path: Path) -> None:
    code, _, err = _run("export", "--check", str(tmp_path))
    assert code == 1
    assert err.count("missing; run `convtrack schemas export`") == len(SCHEMAS)
    assert list(tmp_path.iterdir()) == []

    _run("export", str(tmp_path))
    reworded = tmp_path / "feedback" / "v1.json"
    document = json.loads(reworded.read_text())
    document["description"] = "older wording"
    reworded.write_text(json.dumps(document))
    code, _, err = _run("export", "--check", str(tmp_path))
    assert code == 1
    assert err.strip().splitlines() == [
        f"drift: {reworded} is out of date; run `convtrack schemas export`"
    ]


def test_export_refuses_an_incompatible_change_to_a_published_file(tmp_path: Path) -> None:
    _run("export", str(tmp_path))
    published = tmp_path / "exposure" / "v1.json"
    document = json.loads(published.read_text())
    document["properties"]["legacy_rank"] = {"type": "integer"}
    document["required"].remove("sponsored")
    document["properties"]["tenant_id"]["pattern"] = "^[a-z]+$"
    published.write_text(json.dumps(document))
    before = published.read_bytes()

    for args in (["export", str(tmp_path)], ["export", "--check", str(tmp_path)]):
        code, out, err = _run(*args)
        assert code == 2
        lines = err.strip().splitlines()
        assert len(lines) == 3
        assert "legacy_rank: removed" in lines[0]
        assert "sponsored: is newly required" in lines[1]
        assert 'tenant_id: pattern changed from "^[a-z]+$" to "^[a-z0-9][a-z0-9_.-]*$"' in lines[2]
        assert all("add schemas/events/exposure_v2.py instead" in line for line in lines)
        assert "Traceback" not in err
        assert "wrote" not in out
    assert published.read_bytes() == before


def test_export_into_a_file_is_a_one_line_error(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "schemas.json"
    not_a_directory.write_text("{}")
    code, _, err = _run("export", str(not_a_directory))
    assert code == 2
    assert err.count("\n") == 1
    assert "is not a directory" in err
