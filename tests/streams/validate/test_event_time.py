"""Watermark semantics: event time, not arrival time, decides what is late."""

from datetime import UTC, datetime, timedelta

import pytest

from convtrack.schemas.dead_letter import DeadLetter, Reason
from convtrack.streams.validate import ValidEvent
from tests.streams.validate.support import EXAMPLE_TIME, RECEIVED, at, exposure, make_validator, run


def test_behind_the_watermark_but_within_lateness_is_accepted_and_counted() -> None:
    validator = make_validator()
    run(validator, at(EXAMPLE_TIME))
    outcome = run(validator, at(EXAMPLE_TIME - timedelta(hours=30)))
    assert isinstance(outcome, ValidEvent)
    assert validator.stats.late_accepted == 1
    assert validator.watermark == EXAMPLE_TIME


def test_exactly_at_the_lateness_bound_is_accepted() -> None:
    validator = make_validator()
    run(validator, at(EXAMPLE_TIME))
    assert isinstance(run(validator, at(EXAMPLE_TIME - timedelta(days=7))), ValidEvent)


def test_exactly_at_the_future_skew_is_accepted() -> None:
    outcome = run(make_validator(), at(RECEIVED + timedelta(minutes=5)))
    assert isinstance(outcome, ValidEvent)


def test_replaying_an_old_file_is_not_all_late_and_gives_the_same_outcomes() -> None:
    start = datetime(2020, 3, 1, tzinfo=UTC)
    payloads = [at(start + timedelta(minutes=17 * n % 300)) for n in range(40)]

    def replay() -> list[object]:
        validator = make_validator()
        outcomes = [run(validator, payload) for payload in payloads]
        assert validator.stats.valid == 40 and validator.stats.dead_lettered == 0
        return [o.event for o in outcomes if isinstance(o, ValidEvent)]

    assert replay() == replay()


def test_rejected_events_do_not_move_the_watermark() -> None:
    validator = make_validator()
    run(validator, at(EXAMPLE_TIME))
    run(validator, at(RECEIVED + timedelta(days=1)))  # future_timestamp
    run(validator, exposure(relevance=9, occurred_at="2026-11-09T00:00:00Z"))  # violation
    assert validator.watermark == EXAMPLE_TIME


def test_a_late_event_becomes_too_late_once_newer_events_arrive() -> None:
    validator = make_validator()
    run(validator, at(EXAMPLE_TIME - timedelta(days=8)))
    run(validator, at(EXAMPLE_TIME))
    outcome = run(validator, at(EXAMPLE_TIME - timedelta(days=8), event_id=None, turn_index=4))
    assert isinstance(outcome, DeadLetter) and outcome.reason is Reason.TOO_LATE


def test_a_naive_received_at_is_a_caller_bug() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        run(make_validator(), exposure(), received_at=datetime(2026, 11, 2, 10, 0))


def test_the_future_bound_follows_each_received_at() -> None:
    """A batch's received_at is reused input after input; a later one must move the bound."""
    validator = make_validator()
    ahead = RECEIVED + timedelta(minutes=10)
    first = run(validator, at(ahead), received_at=RECEIVED)
    assert isinstance(first, DeadLetter)
    assert first.reason is Reason.FUTURE_TIMESTAMP
    later = RECEIVED + timedelta(minutes=6)
    assert isinstance(run(validator, at(ahead), received_at=later), ValidEvent)
    with pytest.raises(ValueError, match="timezone-aware"):
        run(validator, at(EXAMPLE_TIME), received_at=later.replace(tzinfo=None))


def test_a_restored_watermark_still_bounds_deduplication() -> None:
    """The worker restores the watermark from saved state; ids older than its horizon go."""
    validator = make_validator()
    old = at(EXAMPLE_TIME - timedelta(days=8))
    assert isinstance(run(validator, old), ValidEvent)
    validator.watermark = EXAMPLE_TIME
    run(validator, at(EXAMPLE_TIME - timedelta(hours=1)))
    assert len(validator.dedup) == 1, "the id from before the horizon is forgotten"
