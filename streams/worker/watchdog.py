"""Finds partitions where faust lost records on their way to the agent, so the worker can seek
back to them instead of missing them or standing still.

faust 0.15.3 keeps a per-partition "read offset" and drops every fetched record at or below it,
and around a restart (recovery, then a seek back to the committed offsets) records fetched
meanwhile can be dropped (seen on Tansu: `DROPPED MESSAGE ROFF` for a whole fetched backlog).
Two signs show it from outside, each once it has lasted a while with no batch of the partition
in the agent's hands:
- *stalled*: something past the committed offset was read, and the commit does not move (the
  dropped records were never acknowledged, so faust cannot commit past them);
- *skipped*: the commit moved past records the stage's saved state does not hold (faust counts
  a jump in delivered offsets as a gap it may commit over; the worker's consumer holds such
  gaps back, see `repairs`, but a restart can restore a state that lost its last writes).
Either way the fix is to seek back: to the committed offset, or to the first record the state
lacks. Redelivered records the state holds are skipped (`Shards.unprocessed`). A sign still
there at the same offset after one seek back means offsets that hold no records (offsets a
transactional producer spent on markers, or a log that starts later): a skipped gap is closed
in the state, a stalled commit is let past the gap the consumer held back.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class PartitionReading:
    partition: tuple[str, int]
    """(topic, partition)"""
    read: int | None
    """The consumer's last read offset; None before anything was read."""
    committed: int | None
    """The next offset the group resumes from; None before the first commit."""
    in_flight: bool
    """An agent is handling a batch with records of the partition (a slow store, say)."""
    missing: tuple[int, int] | None = None
    """The first offsets [start, end) below `committed` that the stage's state lacks."""


class Remedy(StrEnum):
    SEEK = "seek"
    CLOSE_GAP = "close_gap"
    """Count offsets below the commit as processed in the stage's state."""
    RELEASE_GAP = "release_gap"
    """Let the consumer commit over offsets it holds back (see `repairs`)."""


@dataclass(frozen=True, slots=True)
class Finding:
    reading: PartitionReading
    remedy: Remedy
    offset: int
    """Where to seek, or where the gap to close starts (it ends at `reading.missing[1]`)."""


class StallDetector:
    def __init__(self, after_seconds: float) -> None:
        self.after_seconds = after_seconds
        self._since: dict[tuple[str, int], tuple[object, float]] = {}
        """Per partition: the symptom last seen, and since when it has lasted."""
        self._sought: dict[tuple[str, int], tuple[bool, int]] = {}
        """Per partition: the offset it was last sought back to, and whether for a skip."""
        self._last_check: float | None = None

    def check(self, readings: Iterable[PartitionReading], now: float) -> list[Finding]:
        """What to do about each partition whose symptom lasted `after_seconds`; each finding
        is reported once (its clock restarts)."""
        found = []
        seen = set()
        # Checks that come late (the event loop was busy, say with a big batch's state) have not
        # watched the time between: a sign counts only from a check that saw it begin.
        if self._last_check is not None and now - self._last_check > self.after_seconds / 2:
            self._since.clear()
        self._last_check = now
        for reading in readings:
            key = reading.partition
            seen.add(key)
            symptom = None if reading.in_flight else _symptom(reading)
            last = self._since.get(key)
            if symptom is None or last is None or last[0] != symptom:
                self._since[key] = (symptom, now)
                continue
            if now - last[1] < self.after_seconds:
                continue
            self._since[key] = (symptom, now)
            found.append(self._remedy(reading))
        for gone in set(self._since) - seen:
            del self._since[gone]
            self._sought.pop(gone, None)
        return found

    def _remedy(self, reading: PartitionReading) -> Finding:
        """A seek back first; the same sign at the same offset after it means the offsets
        hold no records, so the gap is closed (state) or released (commit)."""
        key = reading.partition
        skipped = reading.missing is not None
        offset = reading.missing[0] if reading.missing is not None else reading.committed or 0
        if self._sought.get(key) == (skipped, offset):
            del self._sought[key]
            return Finding(reading, Remedy.CLOSE_GAP if skipped else Remedy.RELEASE_GAP, offset)
        self._sought[key] = (skipped, offset)
        return Finding(reading, Remedy.SEEK, offset)


def _symptom(reading: PartitionReading) -> object:
    if reading.missing is not None:
        return ("skipped", reading.missing)
    committed = reading.committed or 0
    if reading.read is not None and reading.read > committed:
        return ("stalled", reading.committed)
    return None
