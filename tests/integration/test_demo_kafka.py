"""`convtrack demo --kafka` (`make demo-kafka`) from nothing: it starts its own broker and
worker, and ends with the same report as the embedded demo, alerts included."""

import os
import subprocess
import sys
from pathlib import Path


def test_the_kafka_demo_runs_end_to_end_and_prints_the_report(tmp_path: Path) -> None:
    env = {**os.environ, "CONVTRACK_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "220"}
    done = subprocess.run(
        [sys.executable, "-m", "convtrack", "demo", "--kafka", "--days", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3_000:] + done.stderr[-3_000:]
    report = done.stdout
    assert "volume vs quality and trust" in report
    assert "relevance_drop" in report  # the simulated relevance drop is caught on this path too
    assert (tmp_path / "data" / "demo-kafka" / "clickhouse").is_dir()
    # `make demo-kafka` on a fresh clone: the report comes from the Kafka demo's own store
    assert "report:" in report
    assert (tmp_path / "data" / "demo-kafka" / "report.html").stat().st_size > 10_000
    assert "Traceback" not in done.stderr
