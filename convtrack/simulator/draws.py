"""Random draws the simulator needs, all from an explicit seeded `Random` so runs repeat.

(`random.Random` is not a cryptographic generator; nothing here is a secret, hence the S311
exemptions.)
"""

import bisect
import itertools
import math
from collections.abc import Sequence
from random import Random
from typing import Generic, TypeVar

T = TypeVar("T")

_UUID_VERSION_MASK = ~(0xF << 76) & ~(0x3 << 62)
_UUID_V4_BITS = (0x4 << 76) | (0x2 << 62)


def uuid4(rng: Random) -> str:
    """A version-4 UUID string whose bits come from `rng` (uuid.uuid4 reads the OS entropy)."""
    value = f"{rng.getrandbits(128) & _UUID_VERSION_MASK | _UUID_V4_BITS:032x}"
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def token(rng: Random, prefix: str, hex_digits: int = 12) -> str:
    """An opaque id such as `exp-3f9a1c2b7d0e`."""
    return f"{prefix}-{rng.getrandbits(hex_digits * 4):0{hex_digits}x}"


def around(rng: Random, mean: float, concentration: float = 9.0) -> float:
    """A score in (0, 1) scattered around `mean` (a beta draw), rounded to 3 places."""
    mean = min(max(mean, 0.02), 0.98)
    return round(rng.betavariate(mean * concentration, (1.0 - mean) * concentration), 3)


def log_uniform(rng: Random, low: float, high: float) -> float:
    """Spread evenly over orders of magnitude: as many 1-10 minute delays as 1-10 hour ones."""
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def chance(rng: Random, probability: float) -> bool:
    return rng.random() < probability


class Weighted(Generic[T]):
    """Items with relative weights, drawn in O(log n) from precomputed cumulative weights."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self._items = [item for item, _ in pairs]
        self._cumulative = list(itertools.accumulate(weight for _, weight in pairs))

    def draw(self, rng: Random) -> T:
        position = rng.random() * self._cumulative[-1]
        return self._items[bisect.bisect_right(self._cumulative, position)]
