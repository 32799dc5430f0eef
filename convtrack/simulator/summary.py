"""What a run produced and injected, so a test or a demo can check the pipeline found it all."""

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Summary:
    conversations: int = 0
    """Conversations inside the period (new and returning)."""
    returning_conversations: int = 0
    """Of those, opened by a converter coming back to the same surface."""
    stale_conversations: int = 0
    """Old conversations flushed by an offline client, arriving too late."""
    events_by_type: dict[str, int] = field(default_factory=dict)
    """Valid, distinct events (stale ones included, re-sends not)."""
    late: int = 0
    """Events sent minutes to hours after they occurred (still accepted)."""
    too_late: int = 0
    """Events of stale conversations: older than the 7-day lateness bound when they arrive."""
    duplicates: int = 0
    """Byte-identical re-sends of an event already sent."""
    malformed_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def events(self) -> int:
        return sum(self.events_by_type.values())

    @property
    def malformed(self) -> int:
        return sum(self.malformed_by_kind.values())

    @property
    def payloads(self) -> int:
        """Every line written: events, re-sends and malformed payloads."""
        return self.events + self.duplicates + self.malformed

    def to_dict(self) -> dict[str, Any]:
        """Plain, key-sorted data for JSON output and tables."""
        return {
            "conversations": self.conversations,
            "returning_conversations": self.returning_conversations,
            "stale_conversations": self.stale_conversations,
            "payloads": self.payloads,
            "events": self.events,
            "events_by_type": dict(sorted(self.events_by_type.items())),
            "late": self.late,
            "too_late": self.too_late,
            "duplicates": self.duplicates,
            "malformed": self.malformed,
            "malformed_by_kind": dict(sorted(self.malformed_by_kind.items())),
        }
