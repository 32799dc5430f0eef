"""`convtrack dashboards publish` against a fake Grafana on 127.0.0.1: upserts on the fixed
uids, and one line of error when Grafana refuses the token or does not answer."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from typer.testing import CliRunner

from convtrack.broker import free_port
from convtrack.cli import app


@dataclass
class FakeGrafana:
    """Folders, dashboards and alert rules kept in memory; `status` overrides every answer."""

    status: int | None = None
    folders: set[str] = field(default_factory=set)
    dashboards: dict[str, dict[str, Any]] = field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: list[str] = field(default_factory=list)

    def answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:  # noqa: PLR0911 (one return per endpoint)
        if self.status is not None:
            return self.status, {"message": "invalid API key"}
        parts = path.strip("/").split("/")
        if method == "GET" and parts[:2] == ["api", "folders"]:
            return (200, {"uid": parts[2]}) if parts[2] in self.folders else (404, {})
        if method == "POST" and path == "/api/folders":
            self.folders.add(body["uid"])
            return 200, {"uid": body["uid"], "title": body["title"]}
        if method == "GET" and parts[:3] == ["api", "datasources", "uid"]:
            return 404, {"message": "Data source not found"}
        if method == "POST" and path == "/api/dashboards/db":
            uid = body["dashboard"]["uid"]
            self.dashboards[uid] = body
            return 200, {"uid": uid, "url": f"/d/{uid}/x", "status": "success"}
        if parts[:4] == ["api", "v1", "provisioning", "alert-rules"]:
            return self._rule(method, parts[4] if len(parts) > 4 else None, body)
        if method == "PUT" and parts[:4] == ["api", "v1", "provisioning", "folder"]:
            self.groups[parts[6]] = body
            return 200, body
        return 404, {"message": f"unexpected {method} {path}"}

    def _rule(self, method: str, uid: str | None, body: Any) -> tuple[int, Any]:
        if method == "GET":
            return (200, self.rules[uid]) if uid in self.rules else (404, {})
        if method == "POST":
            self.rules[body["uid"]] = body
            return 201, body
        assert uid is not None
        self.rules[uid] = body
        return 200, body


@pytest.fixture
def grafana() -> Iterator[tuple[FakeGrafana, str]]:
    fake = FakeGrafana()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            fake.tokens.append(self.headers.get("Authorization", ""))
            status, payload = fake.answer(self.command, self.path, body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _serve  # noqa: N815 (http.server's naming)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads the fake's state instead."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def _publish(url: str) -> Any:
    return CliRunner().invoke(app, ["dashboards", "publish", "--url", url, "--token", "t0ken"])


def test_publish_creates_then_updates_in_place(grafana: tuple[FakeGrafana, str]) -> None:
    fake, url = grafana
    first = _publish(url)
    assert first.exit_code == 0, first.output
    assert fake.folders == {"convtrack"}
    assert set(fake.dashboards) == {"convtrack-conversion-quality", "convtrack-pipeline-health"}
    assert all(d["overwrite"] and d["folderUid"] == "convtrack" for d in fake.dashboards.values())
    assert "alert rule created: convtrack-volume-trap" in first.output
    assert "no datasource has uid 'convtrack-clickhouse'" in first.stderr
    (group,) = fake.groups.values()
    assert group["interval"] == 300 and len(group["rules"]) == 3
    assert set(fake.tokens) == {"Bearer t0ken"}

    again = _publish(url)
    assert again.exit_code == 0, again.output
    assert "folder convtrack kept" in again.output
    assert "alert rule updated: convtrack-relevance-drop" in again.output
    assert len(fake.rules) == 3


def _one_line_error(url: str) -> str:
    result = _publish(url)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    lines: list[str] = result.stderr.strip().splitlines()
    (line,) = lines
    assert line.startswith("error: ")
    return line


def test_an_unauthorized_token_is_one_line(grafana: tuple[FakeGrafana, str]) -> None:
    fake, url = grafana
    fake.status = 401
    assert "refused the token (401 Unauthorized)" in _one_line_error(url)
    fake.status = 403
    assert "give the service account the Editor or Admin role" in _one_line_error(url)


def test_an_unreachable_grafana_is_one_line() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    line = _one_line_error(url)
    assert f"cannot reach Grafana at {url}" in line


def test_publish_needs_an_address_and_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRAFANA_URL", raising=False)
    monkeypatch.delenv("GRAFANA_TOKEN", raising=False)
    result = CliRunner().invoke(app, ["dashboards", "publish", "--url", "http://x:3000"])
    assert result.exit_code == 2
    assert "give --url and --token" in result.stderr
    assert "is not a Grafana address" in _one_line_error("ftp://nowhere")
