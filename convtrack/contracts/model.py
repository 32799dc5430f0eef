"""The quality contract: what counts as a good conversion on one surface, as typed, versioned data.

Every field has a default, so a contract file only states what differs; defaults follow
DESIGN.md's "Conversion quality" section. Durations accept seconds, ISO 8601 (`P7D`) or the
shorthand `90s`, `30m`, `12h`, `7d`, `2w` that reads best in a hand-written file.
"""

import re
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from convtrack.schemas.events.feedback_v1 import FeedbackReason
from convtrack.schemas.types import Slug

_SHORTHAND = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}


def _shorthand_duration(value: Any) -> Any:
    if isinstance(value, str) and (match := _SHORTHAND.match(value)):
        return timedelta(seconds=float(match[1]) * _UNIT_SECONDS[match[2]])
    return value


def format_duration(value: timedelta) -> str:
    """The shorthand a contract file would use: `7d`, `36h`, `90s` (never weeks: people think
    of these windows in days)."""
    seconds = value.total_seconds()
    for unit in ("d", "h", "m"):
        if seconds % _UNIT_SECONDS[unit] == 0:
            return f"{int(seconds // _UNIT_SECONDS[unit])}{unit}"
    return f"{seconds:g}s"


Duration = Annotated[timedelta, BeforeValidator(_shorthand_duration), Field(gt=timedelta(0))]
"""A positive duration: `7d`, `12h`, `P7D` or seconds."""

Percent = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AttributionModel(StrEnum):
    LAST_TOUCH = "last_touch"
    FIRST_TOUCH = "first_touch"
    LINEAR = "linear"
    TIME_DECAY = "time_decay"


class AttributionRule(_Rule):
    window: Duration = timedelta(days=7)
    """Exposures up to this long before a conversion may get credit for it."""
    model: AttributionModel = AttributionModel.LAST_TOUCH
    half_life: Duration = timedelta(days=1)
    """Used by `time_decay` only: a touch this much older gets half the weight."""


class IntentMatch(StrEnum):
    EQUALITY = "equality"
    MAPPING = "mapping"


class IntentMatchRule(_Rule):
    rule: IntentMatch = IntentMatch.EQUALITY
    categories: dict[Slug, tuple[Slug, ...]] = Field(default_factory=dict)
    """For `mapping`: intent category -> offer categories that answer it. An intent category
    missing from the table falls back to equality, so the table lists only the exceptions."""

    def matches(self, intent_category: str, offer_category: str) -> bool:
        if self.rule is IntentMatch.MAPPING and intent_category in self.categories:
            return offer_category in self.categories[intent_category]
        return intent_category == offer_category


class FeedbackRule(_Rule):
    """Which feedback on the credited exposure disqualifies a conversion."""

    thumbs_down: bool = True
    max_stars: Annotated[int, Field(ge=0, le=5)] = 2
    """Star ratings at or below this disqualify; 0 means stars never do."""
    reasons: frozenset[FeedbackReason] = frozenset({FeedbackReason.MISLEADING})
    """Feedback giving one of these reasons disqualifies whatever its rating."""

    def is_negative(
        self, thumb_down: bool, stars: int | None, reason: FeedbackReason | None
    ) -> bool:
        return (
            (self.thumbs_down and thumb_down)
            or (stars is not None and stars <= self.max_stars)
            or (reason is not None and reason in self.reasons)
        )


class VolumeTrapRule(_Rule):
    """Alert when volume grows while quality or trust shrinks, period over period."""

    period: Duration = timedelta(days=1)
    volume_up_pct: Percent = 50.0
    quality_down_pct: Percent = 20.0


class RelevanceDropRule(_Rule):
    """Alert when relevance@intent falls below mean - k*sigma of its trailing baseline."""

    k_sigma: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 3.0
    baseline_period: Duration = timedelta(days=7)
    min_sample: Annotated[int, Field(ge=2)] = 30
    """Fewer exposures than this in the baseline or the window raise nothing."""
    min_drop: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = 0.1
    """The smallest fall below the baseline mean that alerts, whatever sigma says: a baseline
    of a few quiet periods can have a sigma so small that sampling noise would fire."""


class DeadLetterSpikeRule(_Rule):
    """Alert when a tenant's dead-letter share of its inputs exceeds `max_rate`."""

    max_rate: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 0.05
    min_inputs: Annotated[int, Field(ge=1)] = 500
    """Fewer inputs than this in a window raise nothing: a handful of bad events in a quiet
    hour is noise, not a spike."""


class QualityContract(_Rule):
    """What a qualified conversion is on one surface, and when its metrics should alert."""

    contract_version: Annotated[int, Field(ge=1)] = 1
    """Bump when the definition changes; every fact records the version that judged it."""
    attribution: AttributionRule = AttributionRule()
    intent_match: IntentMatchRule = IntentMatchRule()
    min_relevance: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = 0.5
    return_window: Duration = timedelta(days=30)
    """A reversal (full refund/return, cancel, chargeback) inside it disqualifies."""
    disqualifying_feedback: FeedbackRule = FeedbackRule()
    returning_window: Duration = timedelta(days=30)
    """Durable trust: a converter counts as returning if they start a new conversation on the
    same surface within this long."""
    volume_trap: VolumeTrapRule = VolumeTrapRule()
    relevance_drop: RelevanceDropRule = RelevanceDropRule()
    dead_letter_spike: DeadLetterSpikeRule = DeadLetterSpikeRule()


DEFAULT_CONTRACT = QualityContract()
