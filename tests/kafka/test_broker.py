import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from convtrack.broker import BrokerError, EmbeddedBroker, free_port, port_in_use


def test_it_starts_on_a_free_port_and_stops_cleanly() -> None:
    with EmbeddedBroker() as broker:
        assert broker.running
        socket.create_connection(("127.0.0.1", broker.port), timeout=1).close()
    assert not broker.running
    assert not port_in_use(broker.port)


def test_a_taken_port_is_refused_before_starting() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        broker = EmbeddedBroker(taken.getsockname()[1])
        with pytest.raises(BrokerError, match="in use"):
            broker.start()
    assert not broker.running


def test_a_binary_that_dies_fails_loudly_with_its_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "tansu"
    fake.write_text("#!/bin/sh\necho 'cannot open the storage engine' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CALF_TANSU_BIN", str(fake))
    broker = EmbeddedBroker()
    with pytest.raises(BrokerError, match=r"exited with code 3: cannot open the storage engine"):
        broker.start()
    assert not broker.running


def test_the_command_runs_until_interrupted_and_takes_the_broker_down() -> None:
    port = free_port()
    command = [sys.executable, "-m", "convtrack", "broker", "--port", str(port)]
    process = subprocess.Popen(  # noqa: S603 (our own module, fixed arguments)
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    with process:
        assert process.stdout is not None
        try:
            line = process.stdout.readline().decode()
            assert line.strip() == f"broker listening on 127.0.0.1:{port}"
            assert port_in_use(port)
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=10) == 0
        finally:
            if process.poll() is None:
                process.kill()
    assert not port_in_use(port)
