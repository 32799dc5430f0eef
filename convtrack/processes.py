"""Stopping the child processes convtrack runs (the embedded broker, worker subprocesses)."""

import signal
import subprocess
from typing import Any


def stop_child(process: "subprocess.Popen[Any] | None", sig: signal.Signals, grace: float) -> None:
    """Sends `sig`, waits up to `grace` seconds, then kills; nothing if it already exited."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
