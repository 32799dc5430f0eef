"""What a migration is. Published migrations are never edited: change the schema by adding the
next number (the runner refuses a database whose recorded checksum differs from the code)."""

import hashlib
import re
from dataclasses import dataclass

DEDUP_WINDOW = 1_000
"""Insert tokens remembered per table. Without `non_replicated_deduplication_window` a
non-replicated MergeTree ignores insert_deduplication_token and a re-sent batch lands twice."""


@dataclass(frozen=True, slots=True)
class Migration:
    number: int
    name: str
    statements: tuple[str, ...]
    """Each must be safe to run again (IF NOT EXISTS ...): a migration interrupted halfway is
    simply re-run, since it is recorded only once all its statements have succeeded."""

    @property
    def label(self) -> str:
        return f"{self.number:04d}_{self.name}"

    @property
    def checksum(self) -> str:
        """Over the statements with whitespace collapsed, so re-indenting is not an edit."""
        digest = hashlib.sha256()
        for statement in self.statements:
            digest.update(re.sub(r"\s+", " ", statement).strip().encode())
            digest.update(b"\x00")
        return digest.hexdigest()[:16]
