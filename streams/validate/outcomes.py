"""What the validate stage returns for one input (exactly one of three values, never an
exception) and the counts it keeps."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from convtrack.schemas.dead_letter import DeadLetter, Reason, SourcePosition
from convtrack.schemas.envelope import Event


@dataclass(frozen=True, slots=True)
class ValidEvent:
    """A parsed event whose user_id is already the pseudonym."""

    event: Event
    source: SourcePosition
    received_at: datetime


@dataclass(frozen=True, slots=True)
class Duplicate:
    """An event_id accepted before, inside the deduplication horizon: counted as a duplicate,
    and stored only as a dead letter with reason `duplicate` (the pipeline writes it)."""

    event: Event
    """As validated: its user_id is already the pseudonym, so it can be stored as it is."""
    source: SourcePosition
    received_at: datetime
    payload_bytes: int
    """The size of the input as received."""


Outcome = ValidEvent | Duplicate | DeadLetter


@dataclass(slots=True)
class ValidateStats:
    valid: int = 0
    duplicates: int = 0
    dead_letters: Counter[Reason] = field(default_factory=Counter)
    """Rejected inputs by reason; a duplicate counts in `duplicates` only."""
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
