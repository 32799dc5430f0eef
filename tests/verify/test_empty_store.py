"""`verify` on a freshly migrated store: nothing stored, nothing recomputed, nothing differs."""

from pathlib import Path

from convtrack.sinks import migrate
from convtrack.sinks.verify import verify
from tests.sinks.conftest import open_store
from tests.verify.support import CONTRACTS


def test_an_empty_store_verifies(tmp_path: Path) -> None:
    client = open_store(tmp_path / "clickhouse")
    try:
        migrate(client)
        report = verify(client, CONTRACTS)
    finally:
        client.close()
    assert report.ok
    assert (report.stored_windows, report.recomputed_windows) == (0, 0)
    assert all(check.windows == 0 for check in report.checks)
