"""The additive counters of one metric window: numerators and denominators kept apart.

Every field only ever adds up, so a window is the sum of its facts' contributions, a restated
fact is "minus the old contribution, plus the new one", and SQL can sum any range or rollup
exactly. Nothing here is a float: relevance and attribution weights are fixed-point Decimals
(6 places, far finer than any alert threshold), so sums do not depend on the order in which
facts arrive or are restated, and the same numbers come out of ClickHouse's Decimal columns.
"""

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Any, Generic, Self, TypeVar

SCALE = Decimal("0.000001")
N = TypeVar("N", int, Decimal)


def fixed(value: float | Decimal) -> Decimal:
    """A contribution rounded to the shared fixed-point scale (floats via their shortest repr,
    so 0.1 stays 0.1)."""
    return Decimal(repr(value) if isinstance(value, float) else value).quantize(SCALE)


def seconds(duration: timedelta) -> Decimal:
    """A duration in seconds, exact to the microsecond as timedelta is."""
    return (
        Decimal(duration.days * 86_400 + duration.seconds) + Decimal(duration.microseconds) * SCALE
    )


@dataclass(frozen=True, slots=True)
class Keyed(Generic[N]):
    """Sums per key (money per currency, dead letters per reason) as sorted (key, sum) pairs
    without zero entries, so equal totals compare equal however they were reached."""

    items: tuple[tuple[str, N], ...] = ()

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, N]]) -> Self:
        totals: dict[str, N] = {}
        for key, amount in pairs:
            before = totals.get(key)
            totals[key] = amount if before is None else before + amount
        return cls(tuple(sorted((k, a) for k, a in totals.items() if a != 0)))

    def __add__(self, other: Self) -> Self:
        # Most windows hold no money or reasons at all: skip the regrouping for them.
        if not other.items:
            return self
        if not self.items:
            return other
        return self.of(self.items + other.items)

    def __neg__(self) -> Self:
        return type(self)(tuple((key, -amount) for key, amount in self.items))

    def __sub__(self, other: Self) -> Self:
        return self + -other if other.items else self

    def as_dict(self) -> dict[str, N]:
        return dict(self.items)


@dataclass(frozen=True, slots=True)
class Amounts(Keyed[Decimal]):
    """Money per currency. Currencies are never converted: rates are not an event, and a
    rollup across currencies would not be exact."""


@dataclass(frozen=True, slots=True)
class ReasonCounts(Keyed[int]):
    """Dead letters per reason code."""


_VALUES: dict[type, Callable[[object], tuple[Any, ...]]] = {}


def field_values(record: Any) -> tuple[Any, ...]:  # a dataclass below, mypy cannot see here
    """A counter record's field values in order, read in one C call: `dataclasses.fields()`
    and per-field getattr made these sums the metrics stage's bottleneck."""
    getter = _VALUES.get(type(record))
    if getter is None:
        getter = _VALUES[type(record)] = attrgetter(*(f.name for f in fields(record)))
    return getter(record)


class _Additive:
    """Field-wise `+`, `-` and unary `-` for the counter records below."""

    __slots__ = ()

    def __add__(self, other: Self) -> Self:
        return type(self)(*map(operator.add, field_values(self), field_values(other)))

    def __neg__(self) -> Self:
        return type(self)(*map(operator.neg, field_values(self)))

    def __sub__(self, other: Self) -> Self:
        return type(self)(*map(operator.sub, field_values(self), field_values(other)))

    @property
    def is_zero(self) -> bool:
        return self == type(self)()


@dataclass(frozen=True, slots=True)
class SurfaceCounters(_Additive):
    """One (tenant, surface, surface_id, minute) window; see `contributions` for which window
    each fact counts in."""

    # Exposures (ExposureFact, in the exposure's minute and surface)
    exposures: int = 0
    intent_matched_exposures: int = 0
    exposures_at_intent: int = 0
    """Shown at a detected commercial intent: the denominator of relevance@intent."""
    relevance_sum_at_intent: Decimal = Decimal(0)
    engaged_exposures: int = 0
    deep_engaged_exposures: int = 0
    task_completed_exposures: int = 0
    feedback_up: int = 0
    feedback_down: int = 0
    feedback_rated: int = 0
    """Exposures with a rating (up, neutral or down): the feedback score's denominator."""
    dismissals: int = 0
    reports: int = 0
    # Conversions (ConversionFact, in the conversion's minute, at the credited surface)
    conversions: int = 0
    attributed_conversions: int = 0
    unattributed_conversions: int = 0
    qualified_conversions: int = 0
    assisted_conversions: int = 0
    reversals: int = 0
    regretted_conversions: int = 0
    time_to_convert_seconds: Decimal = Decimal(0)
    time_to_convert_count: int = 0
    explicit_exposure_joined: int = 0
    """Conversions naming an exposure_id that the conversation knew (joinability)."""
    explicit_exposure_missing: int = 0
    """Conversions naming an exposure_id that never arrived in the conversation."""
    value: Amounts = Amounts()
    net_value: Amounts = Amounts()
    refunded: Amounts = Amounts()
    # Qualified conversions' attribution weights, at each touch's surface
    quality_weighted_conversions: Decimal = Decimal(0)
    # Durable trust (ConversionFact and ReturningConverter, at the reported surface)
    converters: int = 0
    returning_converters: int = 0
    # Conversations (ConversationFact, in the minute it opened, at its surface)
    conversations: int = 0
    conversations_with_commercial_intent: int = 0


@dataclass(frozen=True, slots=True)
class IngestCounters(_Additive):
    """One (tenant, minute) window of the validate stage's outcomes (instrumentation health)."""

    inputs: int = 0
    valid: int = 0
    duplicates: int = 0
    late_accepted: int = 0
    """Valid but behind the validate stage's watermark: the late-event share's numerator."""
    dead_letters: int = 0
    dead_letters_by_reason: ReasonCounts = ReasonCounts()

    @classmethod
    def of(
        cls,
        valid: int = 0,
        duplicates: int = 0,
        late_accepted: int = 0,
        dead_letters: Mapping[str, int] | None = None,
    ) -> Self:
        """Counts as the validate stage reports them; `inputs` is their total."""
        by_reason = dead_letters or {}
        total_dead = sum(by_reason.values())
        return cls(
            inputs=valid + duplicates + total_dead,
            valid=valid,
            duplicates=duplicates,
            late_accepted=late_accepted,
            dead_letters=total_dead,
            dead_letters_by_reason=ReasonCounts.of(by_reason.items()),
        )
