"""What the validate stage returns for one input (exactly one of three values, never an
exception) and the counts it keeps."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from convtrack.schemas.dead_letter import DeadLetterV1, ReasonCode, SourcePosition
from convtrack.schemas.envelope import Event


@dataclass(frozen=True, slots=True)
class ValidEvent:
    """A parsed event whose user_id is already the pseudonym."""

    event: Event
    source: SourcePosition
    received_at: datetime


@dataclass(frozen=True, slots=True)
class Duplicate:
    """An event_id accepted before, inside the deduplication horizon; counted, not stored."""

    event_id: UUID
    event_type: str
    tenant_id: str
    source: SourcePosition
    received_at: datetime


Outcome = ValidEvent | Duplicate | DeadLetterV1


@dataclass(slots=True)
class ValidateStats:
    valid: int = 0
    duplicates: int = 0
    dead_letters: Counter[ReasonCode] = field(default_factory=Counter)
    late_accepted: int = 0
    """Accepted although behind the watermark (but inside the lateness allowance)."""
    dedup_evictions: int = 0
    """Ids forgotten before their horizon because dedup_max_ids was reached."""

    @property
    def dead_lettered(self) -> int:
        return self.dead_letters.total()

    @property
    def processed(self) -> int:
        return self.valid + self.duplicates + self.dead_lettered
