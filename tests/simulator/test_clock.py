from datetime import UTC, datetime
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from convtrack.simulator.clock import DAY_MS, HOUR_MS, arrivals, format_ms
from convtrack.simulator.config import SimulationConfig

_START = SimulationConfig().start_ms


@given(st.integers(min_value=0, max_value=4_102_444_800_000))
def test_format_ms_is_rfc3339_utc_with_milliseconds(ms: int) -> None:
    expected = datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    assert format_ms(ms) == f"{expected}.{ms % 1000:03d}Z"


@pytest.mark.parametrize(("span", "total"), [(DAY_MS, 1), (HOUR_MS // 2, 37), (3 * DAY_MS, 5000)])
def test_arrivals_are_exactly_as_many_as_asked_in_order_and_in_the_period(
    span: int, total: int
) -> None:
    starts = list(arrivals(Random(1), _START, _START + span, total))
    assert len(starts) == total
    assert starts == sorted(starts)
    assert all(_START <= s < _START + span for s in starts)


def test_evenings_are_busier_than_nights() -> None:
    starts = list(arrivals(Random(1), _START, _START + 7 * DAY_MS, 20_000))
    by_hour = [0] * 24
    for start in starts:
        by_hour[start % DAY_MS // HOUR_MS] += 1
    assert by_hour[20] > 5 * by_hour[3]
