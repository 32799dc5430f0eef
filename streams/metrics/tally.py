"""What the aggregator adds up per window: plain ints and a few Decimals in mutable dicts.

`SurfaceCounters` is the published, immutable form; adding two of them builds a new object of
thirty-odd fields, which made the metrics stage the pipeline's bottleneck. Contributions are
instead sparse dicts of the fields they touch and windows sum them in place; a window becomes
`SurfaceCounters` only when it is flushed. The fixed-point fields are kept in millionths as
ints, which is exact: every contribution to them is already rounded to that scale.

The conversion keeps what the Decimal arithmetic it replaces produced, exponents included: a
fixed-point field any contribution named has 6 places, one none named is `Decimal(0)`, and a
money entry that sums to zero disappears, as `Keyed` drops it.
"""

from collections.abc import Iterable, Mapping
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from convtrack.streams.metrics.counters import Amounts, SurfaceCounters, fixed

MONEY_FIELDS = ("value", "net_value", "refunded")
FIXED_FIELDS = frozenset(
    {"relevance_sum_at_intent", "time_to_convert_seconds", "quality_weighted_conversions"}
)
_MICROS = 6
_ONE_MICROSECOND = timedelta(microseconds=1)

Counts = Mapping[str, int]
"""SurfaceCounters field -> amount, fixed-point fields in millionths."""
Money = tuple[tuple[str, str, Decimal], ...]
"""(money field, currency, amount)."""


class Part(NamedTuple):
    """What one fact adds to one window."""

    counts: Counts
    money: Money = ()


@lru_cache(maxsize=1 << 16)
def micros(value: float) -> int:
    """`fixed(value)` in millionths (relevances and weights repeat, hence the cache)."""
    return int(fixed(value).scaleb(_MICROS))


def duration_micros(duration: timedelta) -> int:
    """`seconds(duration)` in millionths: exact, as timedelta counts microseconds."""
    return duration // _ONE_MICROSECOND


class Tally:
    __slots__ = ("counts", "money")

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.money: dict[tuple[str, str], Decimal] = {}

    def add(self, part: Part, sign: int = 1) -> None:
        counts = self.counts
        for name, amount in part.counts.items():
            counts[name] = counts.get(name, 0) + sign * amount
        self._add_money(
            ((field, currency), amount if sign > 0 else -amount)
            for field, currency, amount in part.money
        )

    def absorb(self, other: "Tally") -> "Tally":
        """Adds `other` in place; returns self (the window store's merge)."""
        counts = self.counts
        for name, amount in other.counts.items():
            counts[name] = counts.get(name, 0) + amount
        self._add_money(other.money.items())
        return self

    @property
    def is_zero(self) -> bool:
        return not self.money and not any(self.counts.values())

    def counters(self) -> SurfaceCounters:
        values: dict[str, object] = {
            name: Decimal(amount).scaleb(-_MICROS) if name in FIXED_FIELDS else amount
            for name, amount in self.counts.items()
        }
        if self.money:  # most windows hold none: the defaults are already empty
            for name in MONEY_FIELDS:
                entries = [
                    (cur, amount) for (field, cur), amount in self.money.items() if field == name
                ]
                values[name] = Amounts(tuple(sorted(entries)))
        return SurfaceCounters(**values)  # type: ignore[arg-type]

    def _add_money(self, entries: Iterable[tuple[tuple[str, str], Decimal]]) -> None:
        money = self.money
        for slot, amount in entries:
            if not amount:
                continue
            total = money[slot] + amount if slot in money else amount
            if total:
                money[slot] = total
            else:
                del money[slot]
