"""`convtrack contracts check`: a table for a good file, one line per problem for a bad one."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from convtrack.cli import app
from convtrack.contracts.loading import DEFAULT_CONTRACT_FILE

SAMPLE = Path(__file__).parents[2] / "convtrack" / "contracts" / DEFAULT_CONTRACT_FILE


def check(tmp_path: Path, text: str) -> tuple[int, list[str]]:
    path = tmp_path / "contracts.toml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["contracts", "check", str(path)], env={"COLUMNS": "300"})
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    lines = [line for line in result.output.splitlines() if line.strip()]
    return result.exit_code, [line.replace(str(path), "FILE") for line in lines]


def test_the_sample_passes_and_shows_every_scope() -> None:
    result = CliRunner().invoke(app, ["contracts", "check", str(SAMPLE)], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "surface_id=spring-sale" in result.output
    assert "time_decay" in result.output
    assert "attribution.window" in result.output


def test_a_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    code, lines = check(tmp_path, "[defaults]\nmin_relevance = 0.5\nreturn_window = 7d\n")
    assert code == 2
    assert len(lines) == 1
    assert lines[0].startswith("error: FILE:3:")
    assert "invalid TOML" in lines[0]


def test_an_unknown_key_names_its_line_and_the_keys_allowed(tmp_path: Path) -> None:
    text = '[[overrides]]\ntenant = "acme"\n\n[overrides.attribution]\nmodle = "linear"\n'
    code, lines = check(tmp_path, text)
    assert code == 2
    assert lines == [
        "error: FILE:5: overrides[0].attribution.modle: unknown key; remove it or use one of: "
        "window, model, half_life"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[defaults.attribution]\nmodel = "best"\n',
            "error: FILE:2: defaults.attribution.model: Input should be 'last_touch', "
            "'first_touch', 'linear' or 'time_decay'; fix the value or remove the key to use "
            "the default ('last_touch')",
        ),
        (
            '[defaults]\nreturn_window = "soon"\n',
            "error: FILE:2: defaults.return_window: Input should be a valid timedelta, invalid "
            'digit in duration; write a duration such as "7d", "12h", "30m" or "P7D"',
        ),
        (
            "[defaults]\nmin_relevance = 1.5\n",
            "error: FILE:2: defaults.min_relevance: Input should be less than or equal to 1; "
            "fix the value or remove the key to use the default (0.5)",
        ),
    ],
)
def test_a_bad_value_names_its_line_the_problem_and_the_fix(
    tmp_path: Path, text: str, expected: str
) -> None:
    assert check(tmp_path, text) == (2, [expected])


def test_each_problem_gets_its_own_line(tmp_path: Path) -> None:
    text = (
        "colour = 1\n"
        "[defaults]\nmin_relevance = 3\n"
        '[[overrides]]\nsurface_id = "x"\n'
        '[[overrides]]\ntenant = "a"\nmax = 1\n'
    )
    code, lines = check(tmp_path, text)
    assert code == 2
    assert [line.split(": ")[1] for line in lines] == [
        "FILE:1",
        "FILE:3",
        "FILE:4",  # a scope problem points at its [[overrides]] header
        "FILE:8",
    ]


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["contracts", "check", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2
    assert "cannot read it" in result.output
    assert "Traceback" not in result.output
