"""A worker in a child process (`python -m convtrack worker`): how the Kafka demo runs one,
and how tests crash one. Settings reach it through CONVTRACK_* variables."""

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

from convtrack.processes import stop_child

_STOP_SECONDS = 30.0


class WorkerProcess:
    def __init__(self, env: dict[str, str], log_path: Path, loglevel: str = "info") -> None:
        """`env`: CONVTRACK_* variables on top of this process's environment."""
        self.env = {**os.environ, **env}
        self.loglevel = loglevel
        self.log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self._process = subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
            [sys.executable, "-m", "convtrack", "worker", "--loglevel", self.loglevel],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=self.env,
            start_new_session=True,
        )

    def stop(self) -> int | None:
        """SIGTERM: the worker finishes its batch, commits and exits. Killed if it lingers."""
        stop_child(self._process, signal.SIGTERM, _STOP_SECONDS)
        self._close_log()
        return None if self._process is None else self._process.returncode

    def kill(self) -> None:
        """SIGKILL: a crash, nothing flushed or committed on the way out."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._close_log()

    def output(self, tail: int = 3_000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return ""

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
