"""`verify` on a simulated day run through the real pipeline: every metric recomputed in SQL
equals the stored one exactly, and a tampered row, or other contracts, are caught."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client
from typer.testing import CliRunner, Result

from convtrack.cli import app
from convtrack.contracts import ContractBook
from convtrack.sinks import QUERY_FORMATS, SURFACE_METRICS, SurfaceMetricRow, migrate
from convtrack.sinks.verify import Report, verify
from tests.sinks.conftest import open_store
from tests.verify.support import CONTRACTS, inputs, run_pipeline, store_outputs


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Client]]:
    """The simulated store, built once. chDB serves one directory per process at a time, so
    the client stays open for this module only; tests that tamper restore what they changed."""
    directory = tmp_path_factory.mktemp("verify") / "clickhouse"
    client = open_store(directory)
    migrate(client)
    store_outputs(client, run_pipeline(inputs()))
    yield directory, client
    client.close()


@pytest.fixture
def store(stored: tuple[Path, Client]) -> Client:
    return stored[1]


@pytest.fixture
def tampered(store: Client) -> Iterator[SurfaceMetricRow]:
    """One exposure more in a stored window, as a newer version of one of its partials; the
    original counters come back afterwards as a newer version still."""
    row = SurfaceMetricRow._make(
        store.query(
            "SELECT * FROM surface_metrics FINAL WHERE exposures > 0 "
            "ORDER BY window_start, surface_id, shard, part LIMIT 1",
            query_formats=QUERY_FORMATS,
        ).result_rows[0]
    )
    _write(store, row._replace(version=row.version + 1, exposures=row.exposures + 1))
    yield row
    _write(store, row._replace(version=row.version + 2))


def _write(client: Client, row: SurfaceMetricRow) -> None:
    client.insert(SURFACE_METRICS.name, [row], column_names=SURFACE_METRICS.columns)


def _differing(report: Report) -> dict[str, int]:
    return {check.metric: check.differing for check in report.checks if check.differing}


def test_every_metric_is_recomputed_exactly(store: Client) -> None:
    report = verify(store, CONTRACTS)
    assert _differing(report) == {}
    assert report.ok
    never_seen = [check.metric for check in report.checks if check.windows == 0]
    assert never_seen == [], "the input must exercise every counter, or the check proves little"


def test_a_tampered_row_is_reported_with_its_window(
    store: Client, tampered: SurfaceMetricRow
) -> None:
    row = tampered
    report = verify(store, CONTRACTS)
    assert not report.ok
    assert _differing(report) == {"exposures": 1}
    (check,) = [c for c in report.checks if c.differing]
    (difference,) = check.first
    assert difference.window == (row.tenant_id, row.surface, row.surface_id, row.window_start)
    assert difference.stored == difference.recomputed + 1


def test_the_contracts_decide_what_matches_intent(store: Client) -> None:
    equality_only = ContractBook.from_tables({}, [])
    assert _differing(verify(store, equality_only)) == {"intent_matched_exposures": 1}


def test_the_command_prints_the_checks(stored: tuple[Path, Client]) -> None:
    result = _invoke_verify(stored[0])
    assert result.exit_code == 0, result.stderr
    assert "exposures" in result.stdout
    assert "all 31 metrics match" in result.stderr


def test_the_command_fails_on_a_mismatch_naming_the_window(
    stored: tuple[Path, Client], tampered: SurfaceMetricRow
) -> None:
    result = _invoke_verify(stored[0])
    assert result.exit_code == 1
    assert "mismatch: 1 of 31 metrics differ" in result.stderr
    row = tampered
    assert f"{row.surface}/{row.surface_id} {row.window_start:%Y-%m-%d %H:%M}" in result.stdout


def _invoke_verify(directory: Path) -> Result:
    env = {"CONVTRACK_CLICKHOUSE_DSN": f"chdb://{directory}", "COLUMNS": "250"}
    return CliRunner().invoke(app, ["verify"], env=env)
