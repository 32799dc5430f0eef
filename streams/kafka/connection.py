"""What every convtrack Kafka client shares: how to reach the brokers and what to say when it
cannot."""

import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kafka import KafkaAdminClient  # type: ignore[import-untyped]
from kafka.errors import (  # type: ignore[import-untyped]
    Cancelled,
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
)

BOOTSTRAP_TIMEOUT_MS = 5_000
"""kafka-python waits 30 s for an unreachable broker by default; a command should say so sooner."""


class KafkaSetupError(RuntimeError):
    """A broker is unreachable, refused a request, or lacks what is needed; the message is one
    line naming the fix."""


class ClosingClientNoise(logging.Filter):
    """kafka-python 3.0 logs an ERROR whenever closing a client cancels its metadata refresh (the
    worker closes one at every restore, `repairs.last_offsets`): nothing failed, and an operator
    should not be sent looking."""

    def filter(self, record: logging.LogRecord) -> bool:
        cancelled = isinstance(record.args, tuple) and any(
            isinstance(arg, Cancelled) for arg in record.args
        )
        return not (cancelled and str(record.msg).startswith("Metadata refresh: failed"))


def quiet_closing_clients() -> None:
    logging.getLogger("kafka.cluster").addFilter(ClosingClientNoise())


def servers(bootstrap_servers: str) -> list[str]:
    return [server.strip() for server in bootstrap_servers.split(",") if server.strip()]


def client_options(bootstrap_servers: str) -> dict[str, Any]:
    return {
        "bootstrap_servers": servers(bootstrap_servers),
        "bootstrap_timeout_ms": BOOTSTRAP_TIMEOUT_MS,
        "client_id": "convtrack",
    }


def unreachable(bootstrap_servers: str) -> KafkaSetupError:
    return KafkaSetupError(
        f"no Kafka broker answers at {bootstrap_servers}; start one with `convtrack broker` "
        "or point CONVTRACK_KAFKA_BOOTSTRAP_SERVERS at yours"
    )


def translated(error: KafkaError, bootstrap_servers: str, doing: str) -> KafkaSetupError:
    if isinstance(error, KafkaConnectionError | KafkaTimeoutError):
        return unreachable(bootstrap_servers)
    return KafkaSetupError(f"{doing} failed on {bootstrap_servers}: {error}")


def check_reachable(bootstrap_servers: str) -> None:
    """Raise unless some bootstrap server accepts a TCP connection. Checked before building a
    client because a kafka-python client that fails to bootstrap leaks its sockets and thread,
    and logs every retry, where a command should print one line."""
    timeout = BOOTSTRAP_TIMEOUT_MS / 1000
    for server in servers(bootstrap_servers):
        host, _, port = server.rpartition(":")
        if not port.isdigit():
            continue
        try:
            socket.create_connection((host.strip("[]") or "localhost", int(port)), timeout).close()
        except OSError:
            continue
        return
    raise unreachable(bootstrap_servers)


@contextmanager
def admin_client(bootstrap_servers: str, doing: str) -> Iterator[Any]:
    """A kafka-python admin client; its errors come out as KafkaSetupError."""
    check_reachable(bootstrap_servers)
    try:
        client = KafkaAdminClient(**client_options(bootstrap_servers))
    except KafkaError as error:
        raise translated(error, bootstrap_servers, doing) from error
    try:
        yield client
    except KafkaError as error:
        raise translated(error, bootstrap_servers, doing) from error
    finally:
        client.close()
