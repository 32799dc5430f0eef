from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from convtrack.cli import app
from convtrack.cli.settings import markdown_table
from convtrack.settings import Mode, SettingsError, load_settings

REPO = Path(__file__).resolve().parent.parent


def test_defaults_need_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO / "tests")  # no .env here
    settings = load_settings()
    assert settings.mode is Mode.DEVELOPMENT
    assert settings.lateness == timedelta(days=7)
    assert settings.pseudonymization_key is None


def test_durations_take_seconds_or_iso8601(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVTRACK_LATENESS", "P2D")
    monkeypatch.setenv("CONVTRACK_FUTURE_SKEW", "90")
    settings = load_settings()
    assert settings.lateness == timedelta(days=2)
    assert settings.future_skew == timedelta(seconds=90)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CONVTRACK_LATENESS", "soon"),
        ("CONVTRACK_MODE", "staging"),
        ("CONVTRACK_DEDUP_MAX_IDS", "5"),
        ("CONVTRACK_PSEUDONYMIZATION_KEY", "too-short"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert variable in message
    assert "\n" not in message
    assert value not in message or variable != "CONVTRACK_PSEUDONYMIZATION_KEY"

    result = CliRunner().invoke(app, ["settings"])
    assert result.exit_code == 2
    assert variable in result.output
    assert "Traceback" not in result.output


def test_readme_settings_table_is_generated_from_the_code() -> None:
    readme = (REPO / "README.md").read_text()
    assert markdown_table() in readme, "regenerate with: convtrack settings --markdown"


def test_settings_command_hides_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "k" * 40
    monkeypatch.setenv("CONVTRACK_PSEUDONYMIZATION_KEY", secret)
    result = CliRunner().invoke(app, ["settings"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert secret not in result.output
    assert "hidden" in result.output
