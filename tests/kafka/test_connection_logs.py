"""kafka-python's ERROR on closing a client is filtered from the worker's log; real failures
of the same call are not."""

import logging
from collections.abc import Iterator

import pytest
from kafka.errors import Cancelled, KafkaConnectionError  # type: ignore[import-untyped]

from convtrack.streams.kafka.connection import ClosingClientNoise


@pytest.fixture
def cluster_log(caplog: pytest.LogCaptureFixture) -> Iterator[logging.Logger]:
    logger = logging.getLogger("kafka.cluster")
    noise = ClosingClientNoise()
    logger.addFilter(noise)
    caplog.set_level(logging.ERROR, logger="kafka.cluster")
    yield logger
    logger.removeFilter(noise)


def test_a_refresh_cancelled_by_closing_is_not_an_error(
    cluster_log: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    cluster_log.error("Metadata refresh: failed %s", Cancelled())
    cluster_log.error("Metadata refresh: failed %s", KafkaConnectionError("refused"))
    assert [record.getMessage() for record in caplog.records] == [
        "Metadata refresh: failed KafkaConnectionError: refused"
    ]
