import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from convtrack.streams.worker.repairs import WorkerFaustApp
from tests.worker.alerts_support import Simulated, simulate_both


@pytest.fixture(scope="session")
def simulated() -> Simulated:
    """Computed once: two pipelines over ~28,600 payloads take several seconds."""
    return simulate_both()


@pytest.fixture
def consumer() -> Iterator[Any]:
    """The worker's faust consumer, never started: its bookkeeping is real, its broker is not."""
    loop = asyncio.new_event_loop()
    app = WorkerFaustApp("consumer-test", broker="kafka://127.0.0.1:1", loop=loop)
    consumer: Any = app.consumer
    yield consumer
    # never started: its thread made a loop of its own that never ran
    consumer._thread.thread_loop.close()
    loop.close()
