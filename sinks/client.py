"""The one way convtrack opens ClickHouse: a clickhouse-connect client for the DSN in settings.

chdb:///                 the embedded store in DATA_DIR/clickhouse (the default)
chdb:///abs/path         the embedded store in that directory
chdb://memory            an embedded store that lives as long as the process (tests)
http(s)://user@host:8123/db   a ClickHouse server; the password may come from
                         CONVTRACK_CLICKHOUSE_PASSWORD so `convtrack settings` never shows it
"""

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import clickhouse_connect
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import ClickHouseError, OperationalError

from convtrack.settings import Settings
from convtrack.sinks.errors import (
    AUTH_CODES,
    DSN_VARIABLE,
    BadDsnError,
    StoreAuthError,
    StoreError,
    StoreLockedError,
    StoreUnreachableError,
    clickhouse_message,
    error_code,
)

EMBEDDED_DIR = "clickhouse"
_FORMS = "use chdb:///ABS/PATH, chdb://memory or http(s)://USER@HOST:PORT/DATABASE"
_TIMEOUT_SECONDS = 10


@dataclass(frozen=True, slots=True)
class Target:
    """Where a DSN points. `path` is None for the in-memory engine; `url` is set for a server."""

    embedded: bool
    path: Path | None = None
    url: str = ""
    host: str = ""
    port: int = 0
    secure: bool = False
    username: str = "default"
    password: str = ""
    database: str = "default"

    def describe(self) -> str:
        """Where, for messages: never with the password."""
        if self.embedded:
            return f"the embedded store in {self.path}" if self.path else "the in-memory store"
        return f"ClickHouse at {self.url}"


def parse_dsn(dsn: str, data_dir: Path, password: str | None = None) -> Target:
    """`password` (from settings) wins over one written in the DSN."""
    parts = urlsplit(dsn.strip())
    if parts.scheme == "chdb":
        if parts.netloc == "memory" and parts.path in ("", "/"):
            return Target(embedded=True)
        if parts.netloc == "" and parts.path in ("", "/"):
            return Target(embedded=True, path=(data_dir / EMBEDDED_DIR).resolve())
        if parts.netloc == "" and parts.path.startswith("/"):
            return Target(embedded=True, path=Path(unquote(parts.path)).resolve())
        raise BadDsnError(
            f"{DSN_VARIABLE}={_redacted(dsn)}: a chdb DSN needs an absolute path; {_FORMS}"
        )
    if parts.scheme in ("http", "https"):
        try:
            port = parts.port
        except ValueError:
            raise BadDsnError(
                f"{DSN_VARIABLE}={_redacted(dsn)}: the port is not a number; {_FORMS}"
            ) from None
        if not parts.hostname:
            raise BadDsnError(f"{DSN_VARIABLE}={_redacted(dsn)}: no host; {_FORMS}")
        secure = parts.scheme == "https"
        port = port or (8443 if secure else 8123)
        return Target(
            embedded=False,
            url=f"{parts.scheme}://{parts.hostname}:{port}",
            host=parts.hostname,
            port=port,
            secure=secure,
            username=unquote(parts.username or "default"),
            password=password if password is not None else unquote(parts.password or ""),
            database=unquote(parts.path.strip("/")) or "default",
        )
    raise BadDsnError(f"{DSN_VARIABLE}={_redacted(dsn)} is not a ClickHouse DSN; {_FORMS}")


def connect_settings(settings: Settings) -> Client:
    password = settings.clickhouse_password
    return connect(
        parse_dsn(
            settings.clickhouse_dsn,
            settings.data_dir,
            password.get_secret_value() if password is not None else None,
        )
    )


def connect(target: Target) -> Client:
    """An open client, or a StoreError that says what to do. Close it when done: chdb serves
    one directory per process, and only while a client is open on it."""
    return _embedded(target) if target.embedded else _server(target)


def _embedded(target: Target) -> Client:
    if target.path is None:
        return _open_embedded("chdb://memory", target)
    try:
        target.path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(
            f"cannot create {target.path}: {error.strerror or error}; "
            f"set CONVTRACK_DATA_DIR or {DSN_VARIABLE} to a writable place"
        ) from None
    if not _held_by_a_process(target.path):
        return _open_embedded(f"chdb://{target.path}", target)
    # Held, perhaps by this very process (clients on one directory share its engine): opening
    # tells. The engine reports a foreign lock on stderr itself; ours is the one line users see.
    with _quiet_stderr():
        try:
            return _open_embedded(f"chdb://{target.path}", target)
        except StoreError:
            pass
    raise StoreLockedError(
        f"another convtrack process holds {target.path}; stop it or point {DSN_VARIABLE} elsewhere"
    )


def _open_embedded(dsn: str, target: Target) -> Client:
    try:
        return clickhouse_connect.get_client(dsn=dsn, tz_mode="aware")
    except ClickHouseError as error:
        raise StoreError(f"cannot open {target.describe()}: {clickhouse_message(error)}") from None


def _server(target: Target) -> Client:
    try:
        with _driver_quiet():
            return clickhouse_connect.get_client(
                host=target.host,
                port=target.port,
                secure=target.secure,
                username=target.username,
                password=target.password,
                database=target.database,
                connect_timeout=_TIMEOUT_SECONDS,
                send_receive_timeout=_TIMEOUT_SECONDS * 3,
                tz_mode="aware",
            )
    except OperationalError as error:
        raise StoreUnreachableError(
            f"cannot reach {target.describe()} ({_network_reason(error)}); start the server or "
            f"fix {DSN_VARIABLE}"
        ) from None
    except ClickHouseError as error:
        if error_code(error) in AUTH_CODES or "401" in str(error) or "403" in str(error):
            raise StoreAuthError(
                f"{target.describe()} refused user {target.username!r}: "
                f"{clickhouse_message(error)}; fix the user in {DSN_VARIABLE} or the password "
                "in CONVTRACK_CLICKHOUSE_PASSWORD"
            ) from None
        raise StoreError(f"{target.describe()}: {clickhouse_message(error)}") from None


def _held_by_a_process(directory: Path) -> bool:
    """ClickHouse flocks DIR/status while it runs; a lock we can take is nobody's."""
    status = directory / "status"
    if not status.exists():
        return False
    with status.open("rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


@contextmanager
def _driver_quiet() -> Iterator[None]:
    """The driver logs a failed handshake before raising it; the typed error says it better."""
    driver = logging.getLogger("clickhouse_connect")
    level = driver.level
    driver.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        driver.setLevel(level)


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    saved = os.dup(2)
    try:
        with Path(os.devnull).open("wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _network_reason(error: OperationalError) -> str:
    text = str(error)
    for reason in ("Connection refused", "Name or service not known", "timed out"):
        if reason.lower() in text.lower():
            return reason.lower()
    return clickhouse_message(error)[:200]


def _redacted(dsn: str) -> str:
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    return dsn.replace(f":{parts.password}@", ":***@", 1)
