"""`convtrack report` renders every panel from the store into one self-contained HTML file,
checked in Debian's headless chromium: no console errors, every chart drawn, a screenshot.

Chromium is installed by `make chromium` (part of `make test`); without it this test fails
rather than skips, so a machine that cannot check the report says so."""

import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from convtrack.cli import app
from convtrack.dashboards.build import specs

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
)
# Console messages are logged as "INFO:CONSOLE(line)"; uncaught errors as "Uncaught ...".
_CONSOLE = re.compile(r"CONSOLE\(\d+\)|Uncaught")


def _chromium(tmp_path: Path, page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM.exists(), "chromium is missing: `make chromium` installs Debian's package"
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    return subprocess.run(  # noqa: S603 (fixed binary, arguments from this test)
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def report(store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = CliRunner().invoke(
        app,
        ["report", "--out", str(out)],
        env={"CONVTRACK_CLICKHOUSE_DSN": f"chdb://{store_dir}"},
    )
    assert result.exit_code == 0, result.output
    assert str(out.resolve()) in result.output.replace("\n", "")
    return out


def test_the_report_is_self_contained(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html
    for spec in specs():
        for panel in spec.sql_panels():
            assert panel.title.replace("&", "&amp;") in html


def test_the_console_check_sees_errors(tmp_path: Path) -> None:
    """The check below is not vacuous: a page that throws is caught."""
    page = tmp_path / "broken.html"
    page.write_text("<html><body><script>undefinedFunction();</script></body></html>")
    result = _chromium(tmp_path, page, "--dump-dom")
    assert _CONSOLE.search(result.stderr), result.stderr[-2000:]


def test_every_chart_draws_without_console_errors(report: Path, tmp_path: Path) -> None:
    result = _chromium(tmp_path, report, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert not _CONSOLE.search(result.stderr), result.stderr[-2000:]
    charts = re.search(r'data-charts="(\d+)"', result.stdout)
    drawn = re.search(r'data-charts-drawn="(\d+)"', result.stdout)
    assert charts and drawn, "the page's script did not run"
    expected = sum(len(spec.sql_panels()) for spec in specs())
    assert int(charts.group(1)) == expected
    assert int(drawn.group(1)) == expected


def test_a_screenshot_is_saved(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    result = _chromium(tmp_path, report, f"--screenshot={shot}", "--window-size=1400,5200")
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.stat().st_size > 50_000, "a blank page would be far smaller"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
