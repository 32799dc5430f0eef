"""Which offsets of one partition the saved state holds, so that records Kafka delivers again
are skipped and records it skipped are not.

Not a single "processed up to" offset: faust can drop fetched records and hand over later ones
(see `watchdog`), and when the watchdog seeks back, the dropped records arrive after records
beyond them were processed. A high-water mark would then skip them as done; these ranges know
the gap is still open.
"""

import bisect
from collections.abc import Iterable

import orjson

MAX_RANGES = 1_000
"""Gaps that never fill (offsets a transactional producer spent on markers, say) are closed,
oldest first, beyond this many ranges; a dropped record is sought back within seconds."""


class ProcessedOffsets:
    def __init__(self, low: int = 0, ranges: Iterable[tuple[int, int]] = ()) -> None:
        self.low = low
        """Every offset below it is processed."""
        self._ranges: list[list[int]] = [[start, end] for start, end in ranges]
        """Processed [start, end) above `low`, sorted, apart from each other and from `low`."""

    def __contains__(self, offset: int) -> bool:
        if offset < self.low:
            return True
        at = bisect.bisect_right(self._ranges, offset, key=_start) - 1
        return at >= 0 and self._ranges[at][0] <= offset < self._ranges[at][1]

    def __repr__(self) -> str:
        above = ", ".join(f"{start}-{end - 1}" for start, end in self._ranges)
        return f"offsets below {self.low}" + (f", and {above}" if above else "")

    @property
    def ranges(self) -> list[tuple[int, int]]:
        return [(start, end) for start, end in self._ranges]

    def add(self, offsets: Iterable[int]) -> None:
        for offset in sorted(offsets):
            if offset not in self:
                self._add_one(offset)
        while len(self._ranges) > MAX_RANGES:
            self.low = self._ranges.pop(0)[1]
        self._absorb()

    def first_gap(self, below: int) -> tuple[int, int] | None:
        """The first offsets [start, end) under `below` that are not processed, if any."""
        if self.low >= below:
            return None
        end = self._ranges[0][0] if self._ranges else below
        return self.low, min(end, below)

    def close(self, start: int, end: int) -> None:
        """Counts [start, end) as processed: a gap no record will ever fill."""
        if start <= self.low:
            self.low = max(self.low, end)
        else:
            kept = [r for r in self._ranges if r[1] < start or r[0] > end]
            merged = [r for r in self._ranges if not (r[1] < start or r[0] > end)]
            low_end = min([start, *(r[0] for r in merged)]), max([end, *(r[1] for r in merged)])
            self._ranges = sorted([*kept, list(low_end)])
        self._absorb()

    def encode(self) -> bytes:
        return orjson.dumps({"low": self.low, "ranges": self._ranges})

    @classmethod
    def decode(cls, value: bytes) -> "ProcessedOffsets":
        document = orjson.loads(value)
        return cls(document["low"], (tuple(r) for r in document["ranges"]))

    def _add_one(self, offset: int) -> None:
        ranges = self._ranges
        at = bisect.bisect_right(ranges, offset, key=_start)
        joins_left = at > 0 and ranges[at - 1][1] == offset
        joins_right = at < len(ranges) and ranges[at][0] == offset + 1
        if joins_left and joins_right:
            ranges[at - 1][1] = ranges.pop(at)[1]
        elif joins_left:
            ranges[at - 1][1] = offset + 1
        elif joins_right:
            ranges[at][0] = offset
        else:
            ranges.insert(at, [offset, offset + 1])
        self._absorb()

    def _absorb(self) -> None:
        while self._ranges and self._ranges[0][0] <= self.low:
            self.low = max(self.low, self._ranges.pop(0)[1])


def _start(processed: list[int]) -> int:
    return processed[0]
