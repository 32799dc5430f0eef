"""The checked-in Grafana files are what the code generates, and are well formed: fixed uids,
one datasource uid everywhere, unique panel ids, panels that do not overlap."""

import json
import re
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry
from typer.testing import CliRunner

from convtrack.cli import app
from convtrack.dashboards.build import ALERTS_FILE, DEFAULT_DIR, generated_files, specs
from convtrack.dashboards.query import DATASOURCE_UID, PLUGIN_ID, PROMETHEUS_UID
from convtrack.streams.worker.health import WorkerHealth

REPO = Path(__file__).resolve().parents[2]


def test_the_checked_in_files_match_the_code() -> None:
    for relative, text in generated_files().items():
        path = REPO / DEFAULT_DIR / relative
        assert path.exists(), f"{path} is missing: run `convtrack dashboards build`"
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} drifted from the code: run `convtrack dashboards build`"
        )


def test_build_writes_every_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["dashboards", "build", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for relative, text in generated_files().items():
        assert (tmp_path / relative).read_text(encoding="utf-8") == text


def _datasources(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node["datasource"]] if isinstance(node.get("datasource"), dict) else []
        return found + [d for value in node.values() for d in _datasources(value)]
    if isinstance(node, list):
        return [d for item in node for d in _datasources(item)]
    return []


def _dashboards() -> list[dict[str, Any]]:
    return [json.loads(text) for path, text in generated_files().items() if path != ALERTS_FILE]


def test_dashboards_have_fixed_uids_and_one_datasource() -> None:
    dashboards = _dashboards()
    assert [d["uid"] for d in dashboards] == [s.uid for s in specs()]
    for board in dashboards:
        refs = _datasources(board)
        assert refs
        for ref in refs:
            assert (ref["type"], ref["uid"]) in {
                (PLUGIN_ID, DATASOURCE_UID),
                ("prometheus", PROMETHEUS_UID),
            }, ref
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                assert target["datasource"] == panel["datasource"]
                if panel["datasource"]["uid"] == DATASOURCE_UID:
                    assert target["editorType"] == "sql"
                    assert target["format"] in (0, 1)
                    assert target["rawSql"].startswith("SELECT")


def test_panels_have_unique_ids_and_do_not_overlap() -> None:
    for board in _dashboards():
        panels = board["panels"]
        ids = [p["id"] for p in panels]
        assert len(ids) == len(set(ids))
        cells: dict[tuple[int, int], str] = {}
        for panel in panels:
            grid = panel["gridPos"]
            assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24
            for x in range(grid["x"], grid["x"] + grid["w"]):
                for y in range(grid["y"], grid["y"] + grid["h"]):
                    assert (x, y) not in cells, f"{panel['title']} overlaps {cells[(x, y)]}"
                    cells[(x, y)] = panel["title"]


def test_prometheus_panels_query_metrics_the_worker_exposes() -> None:
    pipeline = _dashboards()[1]
    exprs = [t["expr"] for p in pipeline["panels"] for t in p.get("targets", []) if "expr" in t]
    queried = {name for expr in exprs for name in re.findall(r"convtrack_\w+", expr)}
    assert {
        "convtrack_worker_consumer_lag",
        "convtrack_worker_sink_flush_seconds_bucket",
        "convtrack_worker_partition_reseeks_total",
    } <= queried
    assert queried <= _exposed_series(WorkerHealth().registry)


def _exposed_series(registry: CollectorRegistry) -> set[str]:
    """The series names a registry's metrics are scraped under, labelled or not."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}
    return {
        metric.name + suffix
        for metric in registry.collect()
        for suffix in suffixes.get(metric.type, ("",))
    }


def test_alert_rules_are_provisionable() -> None:
    document = json.loads(generated_files()[ALERTS_FILE])
    (group,) = document["groups"]
    assert group["folder"] == "convtrack"
    rules = group["rules"]
    assert {r["uid"] for r in rules} == {
        "convtrack-relevance-drop",
        "convtrack-volume-trap",
        "convtrack-dead-letter-spike",
    }
    for rule in rules:
        query, reduce, threshold = rule["data"]
        assert query["datasourceUid"] == DATASOURCE_UID
        assert query["relativeTimeRange"]["from"] > 0
        assert reduce["model"]["expression"] == "A"
        assert threshold["model"]["expression"] == "B"
        assert rule["condition"] == "C"
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
        assert rule["labels"]["team"] in {"growth", "data"}
        assert "folderUID" not in rule
