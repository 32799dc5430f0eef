from datetime import UTC, datetime, timedelta

import pytest

from convtrack.simulator import Scenarios, SimulationConfig


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: SimulationConfig(start=datetime(2026, 11, 2)), "UTC offset"),
        (lambda: SimulationConfig(start=datetime(2095, 1, 1, tzinfo=UTC)), "start must be in"),
        (lambda: SimulationConfig(duration=timedelta(0)), "period"),
        (lambda: SimulationConfig(conversations=0), "conversations"),
        (lambda: Scenarios(drop_at=1.5), "drop_at"),
        (lambda: Scenarios(malformed_share=-0.1), "malformed_share"),
        (lambda: Scenarios(refund_wave_surface="nope"), "unknown surface 'nope'"),
    ],
)
def test_bad_settings_are_refused_with_a_reason(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]


def test_clean_switches_every_scenario_off() -> None:
    clean = Scenarios.clean()
    assert not (clean.volume_trap or clean.relevance_drop or clean.refund_wave)
    shares = (clean.late_share, clean.too_late_share, clean.duplicate_share, clean.malformed_share)
    assert shares == (0, 0, 0, 0)
