import pytest

from tests.worker.alerts_support import Simulated, simulate_both


@pytest.fixture(scope="session")
def simulated() -> Simulated:
    """Computed once: two pipelines over ~28,600 payloads take several seconds."""
    return simulate_both()
