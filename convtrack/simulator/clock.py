"""Simulated time: when conversations start, and how instants are written.

Time is an int of epoch milliseconds throughout: cheaper than datetime arithmetic in the hot
loop, and exact.
"""

import math
from collections.abc import Iterator
from datetime import UTC, datetime
from random import Random

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS

# Relative traffic by UTC hour of day for European users: quiet nights, a lunch bump and an
# evening peak when people plan trips and purchases.
_HOURLY_RHYTHM = (
    0.22, 0.15, 0.11, 0.09, 0.09, 0.12, 0.25, 0.5, 0.75, 0.88, 0.93, 1.0,
    1.08, 1.02, 0.95, 0.95, 1.0, 1.1, 1.3, 1.48, 1.55, 1.38, 0.98, 0.55,
)  # fmt: skip
_WEEKEND_FACTOR = 1.15

_day_prefixes: dict[int, str] = {}


def format_ms(ms: int) -> str:
    """RFC 3339 UTC with milliseconds, e.g. 2026-11-02T09:15:00.250Z."""
    day, in_day = divmod(ms, DAY_MS)
    prefix = _day_prefixes.get(day)
    if prefix is None:
        prefix = datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%dT")
        _day_prefixes[day] = prefix
    seconds, millis = divmod(in_day, 1000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return f"{prefix}{hour:02d}:{minute:02d}:{second:02d}.{millis:03d}Z"


def _weight(instant_ms: int) -> float:
    weekday = (instant_ms // DAY_MS + 3) % 7  # 1970-01-01 was a Thursday (weekday 3)
    hour = instant_ms % DAY_MS // HOUR_MS
    return _HOURLY_RHYTHM[hour] * (_WEEKEND_FACTOR if weekday >= 5 else 1.0)


def _per_hour(start_ms: int, end_ms: int, total: int) -> list[tuple[int, int, int]]:
    """(slot start, slot end, conversations) per hour, following the daily rhythm and summing
    to exactly `total` (largest remainder), so the volume knob is honoured to the unit."""
    slots = [(s, min(s + HOUR_MS, end_ms)) for s in range(start_ms, end_ms, HOUR_MS)]
    weights = [_weight((a + b) // 2) * (b - a) for a, b in slots]
    scale = total / math.fsum(weights)
    expected = [w * scale for w in weights]
    counts = [math.floor(e) for e in expected]
    by_remainder = sorted(range(len(slots)), key=lambda i: (counts[i] - expected[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return [(a, b, n) for (a, b), n in zip(slots, counts, strict=True)]


def arrivals(rng: Random, start_ms: int, end_ms: int, total: int) -> Iterator[int]:
    """`total` conversation start instants in [start_ms, end_ms), in time order.

    Only one hour's instants are held at a time, so a long period costs no memory.
    """
    for slot_start, slot_end, count in _per_hour(start_ms, end_ms, total):
        span = slot_end - slot_start
        yield from sorted(slot_start + rng.randrange(span) for _ in range(count))
