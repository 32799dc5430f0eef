"""Finds partitions where faust lost records on their way to the agent, so the worker can seek
back to them instead of missing them or standing still.

faust 0.15.3 keeps a per-partition "read offset" and drops every fetched record at or below it,
and around a restart (recovery, then a seek back to the committed offsets) records fetched
meanwhile can be dropped (seen on Tansu: `DROPPED MESSAGE ROFF` for a whole fetched backlog).
Three signs show it from outside, each once it has lasted a while with no batch of the
partition in the agent's hands:
- *stalled*: something past the committed offset was read, and the commit does not move (the
  dropped records were never acknowledged, so faust cannot commit past them);
- *skipped*: the commit moved past records the stage's saved state does not hold (faust counts
  a jump in delivered offsets as a gap it may commit over; the worker's consumer holds such
  gaps back, see `repairs`, but a restart can restore a state that lost its last writes);
- *idle*: the broker holds records past the committed offset, and nothing is read (seen after
  restarts: partitions never fetched, records waiting; faust fetches only the partitions it
  counts as active, and drops one from that set while its stream buffer is full, until the
  buffer drains).
Each time the fix is to seek back: to the committed offset, or to the first record the state
lacks; an idle partition is also made active again. Redelivered records the state holds are
skipped (`Shards.unprocessed`). A sign still there at the same offset after one seek back means
offsets that hold no records (offsets a transactional producer spent on markers, or a log that
starts later): a skipped gap is closed in the state, a stalled commit is let past the gap the
consumer held back, and an idle partition is left alone until something moves (its log ends in
such offsets).
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
    end: int | None = None
    """The partition's log end offset as the broker last reported it; None until asked. Tansu
    can report it low (INFRA.md), never high."""


class Remedy(StrEnum):
    SEEK = "seek"
    RESUME = "resume"
    """Fetch the partition again, from the committed offset."""
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
        self._since: dict[tuple[str, int], tuple[tuple[str, int] | None, float]] = {}
        """Per partition: the symptom last seen, and since when it has lasted."""
        self._sought: dict[tuple[str, int], tuple[str, int]] = {}
        """Per partition: the sign it was last sought back for, and to which offset."""
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
            if (finding := self._remedy(reading, symptom)) is not None:
                found.append(finding)
        for gone in set(self._since) - seen:
            del self._since[gone]
            self._sought.pop(gone, None)
        return found

    def _remedy(self, reading: PartitionReading, symptom: tuple[str, int]) -> Finding | None:
        """A seek back first; the same sign at the same offset after it means the offsets
        hold no records, so the gap is closed (state) or released (commit), or an idle
        partition is left alone."""
        key = reading.partition
        sign, offset = symptom
        if self._sought.get(key) == symptom:
            if sign == _IDLE:
                return None
            del self._sought[key]
            return Finding(
                reading, Remedy.CLOSE_GAP if sign == _SKIPPED else Remedy.RELEASE_GAP, offset
            )
        self._sought[key] = symptom
        return Finding(reading, Remedy.RESUME if sign == _IDLE else Remedy.SEEK, offset)


_SKIPPED, _STALLED, _IDLE = "skipped", "stalled", "idle"


def _symptom(reading: PartitionReading) -> tuple[str, int] | None:
    """The sign a reading shows, if any, and the offset to seek back to."""
    if reading.missing is not None:
        return _SKIPPED, reading.missing[0]
    committed = reading.committed or 0
    if reading.read is not None and reading.read > committed:
        return _STALLED, committed
    # Not `read + 1`: a seek sets faust's read offset to the offset sought, not yet read.
    if reading.end is not None and reading.end > committed:
        return _IDLE, committed
    return None
