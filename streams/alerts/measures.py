"""The ratios the alert rules watch, computed from summed counters (None when undefined)."""

from datetime import UTC, datetime, timedelta

from convtrack.streams.metrics.counters import IngestCounters, SurfaceCounters

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def period_start(at: datetime, period: timedelta) -> datetime:
    """The start of the epoch-aligned period holding `at`."""
    return at - (at - _EPOCH) % period


def relevance_at_intent(counters: SurfaceCounters) -> float | None:
    if counters.exposures_at_intent == 0:
        return None
    return float(counters.relevance_sum_at_intent / counters.exposures_at_intent)


def quality_score(counters: SurfaceCounters) -> float | None:
    """Qualified conversions / conversions."""
    if counters.conversions == 0:
        return None
    return counters.qualified_conversions / counters.conversions


def kept_share(counters: SurfaceCounters) -> float | None:
    """1 - regret rate: the share of conversions neither reversed nor followed by negative
    feedback. The volume trap's trust metric: unlike net value per conversion it needs no
    currency, and unlike returning converters it is known within days, not a month."""
    if counters.conversions == 0:
        return None
    return 1 - counters.regretted_conversions / counters.conversions


def dead_letter_rate(counters: IngestCounters) -> float | None:
    if counters.inputs == 0:
        return None
    return counters.dead_letters / counters.inputs


def relative_change(current: float, previous: float) -> float | None:
    """(current - previous) / previous; None when there is nothing to compare against."""
    if previous <= 0:
        return None
    return (current - previous) / previous


def intent_match_rate(counters: SurfaceCounters) -> float | None:
    """Intent-matched exposures / exposures."""
    if counters.exposures == 0:
        return None
    return counters.intent_matched_exposures / counters.exposures
