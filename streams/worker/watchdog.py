"""Finds partitions whose records faust read but never handed to the agent, so the worker can
seek them back instead of standing still.

faust 0.15.3 keeps a per-partition "read offset" and drops every fetched record at or below
it. Around a restart (recovery, then a seek back to the committed offsets) that offset can end
up past records the agent never received (seen on Tansu: `DROPPED MESSAGE ROFF` for a whole
fetched backlog). Nothing is then acknowledged on that partition, so its commit never moves and,
without new records, it never will. The sign is plain from outside: something past the
committed offset was read, nothing of it is waiting in the agent, and the commit has not moved
for a while. Seeking back to the committed offset is safe because the stages skip what their
saved state already holds (`Shards.unprocessed`).
"""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PartitionReading:
    partition: tuple[str, int]
    """(topic, partition)"""
    read: int | None
    """The consumer's last read offset; None before anything was read or after a seek reset."""
    committed: int | None
    """The next offset the group resumes from; None before the first commit."""
    in_flight: bool
    """An agent is handling a batch with records of the partition (a slow store, say)."""


class StallDetector:
    def __init__(self, after_seconds: float) -> None:
        self.after_seconds = after_seconds
        self._since: dict[tuple[str, int], tuple[int | None, float]] = {}
        """Per partition: the committed offset last seen and since when it has not moved."""

    def stalled(self, readings: Iterable[PartitionReading], now: float) -> list[PartitionReading]:
        """The partitions to seek back to their committed offsets; each is reported once per
        stall (its clock restarts)."""
        found = []
        seen = set()
        for reading in readings:
            seen.add(reading.partition)
            committed = reading.committed or 0
            last = self._since.get(reading.partition)
            if last is None or last[0] != reading.committed or reading.in_flight:
                self._since[reading.partition] = (reading.committed, now)
                continue
            waiting = reading.read is not None and reading.read > committed
            if waiting and now - last[1] >= self.after_seconds:
                found.append(reading)
                self._since[reading.partition] = (reading.committed, now)
        for gone in set(self._since) - seen:
            del self._since[gone]
        return found
