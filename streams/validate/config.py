"""The validate stage's limits, taken from settings so the core never reads the environment."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Self

from convtrack.settings import Settings


@dataclass(frozen=True, slots=True)
class ValidateConfig:
    max_payload_bytes: int
    future_skew: timedelta
    """How far occurred_at may be ahead of received_at."""
    lateness: timedelta
    """How far occurred_at may be behind the watermark; also the deduplication horizon."""
    dedup_max_ids: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(
            max_payload_bytes=settings.max_payload_bytes,
            future_skew=settings.future_skew,
            lateness=settings.lateness,
            dedup_max_ids=settings.dedup_max_ids,
        )
