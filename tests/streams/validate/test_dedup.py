"""Deduplication by event_id: duplicates are counted (and carried, pseudonymized, to be stored as
dead letters), memory stays bounded."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import orjson

from convtrack.schemas.dead_letter import DeadLetter, Reason
from convtrack.streams.validate import Deduplicator, Duplicate, ValidEvent, is_pseudonym
from convtrack.streams.validate.dedup import hour_of
from tests.streams.validate.support import (
    EXAMPLE_TIME,
    RECEIVED,
    at,
    exposure,
    make_validator,
    run,
)

LATER = RECEIVED + timedelta(days=30)
"""A processing clock far enough ahead that no test event is in the future."""


def test_a_resent_event_is_counted_as_a_duplicate_not_as_a_dead_letter() -> None:
    validator = make_validator()
    assert isinstance(run(validator, exposure()), ValidEvent)
    again = run(validator, exposure())
    assert isinstance(again, Duplicate)
    assert again.event.event_id == UUID(exposure()["event_id"])
    assert is_pseudonym(again.event.user_id), "a duplicate carries the pseudonymized event"
    assert again.payload_bytes == len(orjson.dumps(exposure()))
    assert validator.stats.duplicates == 1
    assert validator.stats.valid == 1 and validator.stats.dead_lettered == 0


def test_the_same_id_with_other_content_is_still_a_duplicate() -> None:
    validator = make_validator()
    run(validator, exposure())
    assert isinstance(run(validator, exposure(relevance=0.1)), Duplicate)


def test_ids_are_forgotten_once_the_horizon_passes_their_hour() -> None:
    validator = make_validator()
    old_id = str(uuid4())
    run(validator, at(EXAMPLE_TIME, event_id=old_id), received_at=LATER)
    run(validator, at(EXAMPLE_TIME + timedelta(days=7, hours=2)), received_at=LATER)
    assert len(validator.dedup) == 1
    # re-sent unchanged it is now too late, not a duplicate ...
    resent = run(validator, at(EXAMPLE_TIME, event_id=old_id), received_at=LATER)
    assert isinstance(resent, DeadLetter) and resent.reason is Reason.TOO_LATE
    # ... and an id reused for a new event passes
    reused = run(
        validator,
        at(EXAMPLE_TIME + timedelta(days=7, hours=3), event_id=old_id),
        received_at=LATER,
    )
    assert isinstance(reused, ValidEvent)
    assert validator.stats.duplicates == 0 and validator.stats.dedup_evictions == 0


def test_memory_stays_bounded_and_early_evictions_are_counted() -> None:
    validator = make_validator(dedup_max_ids=10)
    start = EXAMPLE_TIME - timedelta(days=2)
    for n in range(200):
        run(validator, at(start + timedelta(minutes=15 * n)), received_at=LATER)
        assert len(validator.dedup) <= 10
    assert validator.stats.valid == 200
    assert validator.stats.dedup_evictions == 200 - len(validator.dedup)
    assert validator.stats.dedup_evictions > 0
    assert sum(map(len, validator.dedup.buckets.values())) == len(validator.dedup)


def test_the_oldest_hour_goes_first() -> None:
    dedup = Deduplicator(max_ids=3)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    ids = [uuid4() for _ in range(4)]
    for n, event_id in enumerate(ids[:3]):
        dedup.remember(event_id, base + timedelta(hours=n))
    assert dedup.remember(ids[3], base + timedelta(hours=1, minutes=5)) == 1
    assert not dedup.seen(ids[0])
    assert all(dedup.seen(event_id) for event_id in ids[1:])


def test_an_hour_is_kept_until_the_horizon_passes_its_end() -> None:
    dedup = Deduplicator(max_ids=100)
    base = datetime(2026, 1, 1, 5, 59, tzinfo=UTC)
    event_id = uuid4()
    dedup.remember(event_id, base)
    dedup.forget_before(base + timedelta(seconds=59))
    assert dedup.seen(event_id)
    dedup.forget_before(base + timedelta(minutes=1))
    assert not dedup.seen(event_id)


def test_hours_before_1970_floor() -> None:
    assert hour_of(datetime(1969, 12, 31, 23, 30, tzinfo=UTC)) == -1
