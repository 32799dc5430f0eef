"""Opening the store from a DSN: every form, and a one-line error naming the fix for a bad DSN,
a directory another process holds, an unreachable server, and refused credentials."""

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from convtrack.sinks import (
    BadDsnError,
    StoreAuthError,
    StoreLockedError,
    StoreUnreachableError,
    Target,
    connect,
    parse_dsn,
)

DATA = Path("/srv/convtrack")
SECRET = "s3cret"  # noqa: S105 (made up)


@pytest.mark.parametrize(
    ("dsn", "expected"),
    [
        ("chdb:///", Target(embedded=True, path=DATA / "clickhouse")),
        ("chdb://", Target(embedded=True, path=DATA / "clickhouse")),
        ("chdb:///var/lib/ct/", Target(embedded=True, path=Path("/var/lib/ct"))),
        ("chdb://memory", Target(embedded=True)),
        (
            f"http://ingest:{SECRET}@ch.internal:8124/metrics",
            Target(
                embedded=False,
                url="http://ch.internal:8124",
                host="ch.internal",
                port=8124,
                username="ingest",
                password=SECRET,
                database="metrics",
            ),
        ),
        (
            "https://ch.example.com",
            Target(
                embedded=False,
                url="https://ch.example.com:8443",
                host="ch.example.com",
                port=8443,
                secure=True,
            ),
        ),
    ],
)
def test_dsn_forms(dsn: str, expected: Target) -> None:
    assert parse_dsn(dsn, DATA) == expected


def test_the_password_setting_wins_over_the_dsn() -> None:
    assert parse_dsn("http://u:old@h/db", DATA, SECRET).password == SECRET


@pytest.mark.parametrize(
    "dsn", ["chdb://relative/dir", "postgres://u:hunter2@h/db", "http://:8123", "http://h:port"]
)
def test_a_bad_dsn_is_one_line_naming_the_forms(dsn: str) -> None:
    with pytest.raises(BadDsnError) as raised:
        parse_dsn(dsn, DATA)
    message = str(raised.value)
    assert "CONVTRACK_CLICKHOUSE_DSN" in message
    assert "chdb:///" in message
    assert "\n" not in message
    assert "hunter2" not in message


def test_the_in_memory_engine_works() -> None:
    client = connect(parse_dsn("chdb://memory", DATA))
    try:
        assert client.command("SELECT 40 + 2") == 42
    finally:
        client.close()


def test_two_clients_of_one_process_share_a_directory(tmp_path: Path) -> None:
    target = parse_dsn("chdb:///", tmp_path)
    first = connect(target)
    second = connect(target)
    try:
        first.command("CREATE TABLE t (x UInt8) ENGINE = Memory")
        assert second.command("EXISTS TABLE t") == 1
    finally:
        second.close()
        first.close()


def test_a_directory_held_by_another_process_is_named(tmp_path: Path) -> None:
    holder = subprocess.Popen(  # noqa: S603 (our interpreter, our script)
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from convtrack.sinks import connect, parse_dsn;"
            "c = connect(parse_dsn('chdb:///', Path(sys.argv[1]))); print('ready', flush=True);"
            "sys.stdin.read()",
            str(tmp_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLockedError) as raised:
            connect(parse_dsn("chdb:///", tmp_path))
    finally:
        holder.communicate("", timeout=30)
    assert str(raised.value) == (
        f"another convtrack process holds {tmp_path / 'clickhouse'}; stop it or point "
        "CONVTRACK_CLICKHOUSE_DSN elsewhere"
    )


def test_an_unreachable_server_is_named() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(StoreUnreachableError) as raised:
        connect(parse_dsn(f"http://u:pw@127.0.0.1:{port}/db", DATA))
    assert f"cannot reach ClickHouse at http://127.0.0.1:{port} (connection refused)" in str(
        raised.value
    )
    assert "pw@" not in str(raised.value)


class _RefusingServer(BaseHTTPRequestHandler):
    """Answers every request the way ClickHouse answers a wrong password."""

    def do_POST(self) -> None:
        self._refuse()

    def do_GET(self) -> None:
        self._refuse()

    def _refuse(self) -> None:
        body = (
            b"Code: 516. DB::Exception: ingest: Authentication failed: password is incorrect, "
            b"or there is no user with such name. (AUTHENTICATION_FAILED) (version 25.8.1.1)"
        )
        self.send_response(401)
        self.send_header("X-ClickHouse-Exception-Code", "516")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def refusing_server() -> Iterator[int]:
    server = HTTPServer(("127.0.0.1", 0), _RefusingServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_refused_credentials_are_named(refusing_server: int) -> None:
    with pytest.raises(StoreAuthError) as raised:
        connect(parse_dsn(f"http://ingest@127.0.0.1:{refusing_server}/db", DATA, "wrong"))
    message = str(raised.value)
    assert "refused user 'ingest'" in message
    assert "Authentication failed" in message
    assert "CONVTRACK_CLICKHOUSE_PASSWORD" in message
    assert "\n" not in message
