"""The facts attribution emits, and the change records that carry them to the metrics stage.

Facts are plain frozen values whose content is a pure function of the events seen; versions
live on `Change`, not in the fact, so two replays in different orders produce equal facts.
Every fact has a `key`; a new version of a key replaces the old one everywhere downstream.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from convtrack.contracts.model import AttributionModel
from convtrack.schemas.events.exposure_v1 import ExposureKind
from convtrack.schemas.types import Surface


class Reason(StrEnum):
    """Why a conversion is not qualified."""

    UNATTRIBUTED = "unattributed"
    OUTSIDE_WINDOW = "outside_window"
    """Only an explicit exposure_id can credit a touch older than the attribution window."""
    NO_INTENT = "no_intent"
    INTENT_MISMATCH = "intent_mismatch"
    LOW_RELEVANCE = "low_relevance"
    REVERSED = "reversed"
    """Cancelled, charged back, or refunded/returned in full inside the return window."""
    NEGATIVE_FEEDBACK = "negative_feedback"


class Rating(StrEnum):
    """The latest rating of an exposure: thumbs, or stars 4-5 up, 3 neutral, 1-2 down."""

    UP = "up"
    NEUTRAL = "neutral"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class Touch:
    """An exposure credited for a conversion; the weights of one conversion sum to 1."""

    exposure_id: str
    surface: Surface
    surface_id: str
    campaign_id: str | None
    occurred_at: datetime
    weight: float


@dataclass(frozen=True, slots=True)
class ConversionFact:
    tenant_id: str
    conversion_id: str
    conversation_id: str
    user_id: str
    converted_at: datetime
    surface: Surface
    """Where the conversion was reported (its event's surface), not the credited one."""
    surface_id: str
    currency: str
    value: Decimal
    refunded: Decimal
    """Refunds, returns, cancels and chargebacks in the conversion's currency."""
    net_value: Decimal
    reversed: bool
    reversed_in_window: bool
    model: AttributionModel
    touches: tuple[Touch, ...]
    """Credited exposures by time; empty when unattributed."""
    exposure_id: str | None
    """The credited exposure: an explicit conversion.exposure_id, else the heaviest touch
    (the latest on a tie). Its surface judges the conversion."""
    exposure_surface: Surface | None
    exposure_surface_id: str | None
    campaign_id: str | None
    explicit: bool
    reported_exposure_id: str | None
    """The exposure_id the conversion event named, if any: joinability is whether it was found
    in the conversation (then `explicit`)."""
    in_window: bool
    assisted: bool
    """Another touch in the window came before the credited one (or the last one)."""
    intent_category: str | None
    """The conversation's latest intent at the credited exposure (at the conversion if
    unattributed)."""
    intent_at: datetime | None
    intent_matched: bool
    relevance: float | None
    """Relevance of the credited exposure, shown at `intent_category`."""
    time_to_convert: timedelta | None
    """From the intent turn to the conversion."""
    negative_feedback: bool
    qualified: bool
    reasons: tuple[Reason, ...]
    contract_version: int

    @property
    def key(self) -> tuple[str, str]:
        return (self.tenant_id, self.conversion_id)

    @property
    def attributed(self) -> bool:
        return self.exposure_id is not None

    @property
    def regretted(self) -> bool:
        """Reversed or followed by negative feedback: the regret-rate numerator."""
        return self.reversed or self.negative_feedback


@dataclass(frozen=True, slots=True)
class ExposureFact:
    """One exposure as the metrics see it: intent match, relevance at intent, and what the
    user did with it. Judged by the contract of its own surface."""

    tenant_id: str
    conversation_id: str
    exposure_id: str
    occurred_at: datetime
    turn: int | None
    surface: Surface
    surface_id: str
    campaign_id: str | None
    kind: ExposureKind
    offer_category: str
    placement: str
    sponsored: bool
    relevance: float
    intent_category: str | None
    """The latest intent detected at or before the exposure."""
    at_commercial_intent: bool
    """That intent is commercial: the exposure counts in relevance@intent."""
    intent_matched: bool
    engaged: bool
    """Any engagement, or an app opened from it."""
    deep_engaged: bool
    """Engagement beyond a click or an expand: follow-up, compare, save, app open ..."""
    task_completed: bool
    """An app opened from it later completed a task successfully."""
    rating: Rating | None
    negative_feedback: bool
    dismissed: bool
    reported: bool
    contract_version: int

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.tenant_id, self.conversation_id, self.exposure_id)


@dataclass(frozen=True, slots=True)
class ConversationFact:
    """One conversation: the denominator of the quality-weighted conversion rate."""

    tenant_id: str
    conversation_id: str
    user_id: str
    surface: Surface | None
    """From conversation_started, else the earliest event's surface."""
    surface_id: str | None
    started_at: datetime | None
    opened_at: datetime
    """`started_at`, else the earliest event's time: when the conversation counts."""
    commercial_intent_at: datetime | None
    """First commercial intent; None if the conversation never showed one."""
    exposures: int
    conversions: int

    @property
    def key(self) -> tuple[str, str]:
        return (self.tenant_id, self.conversation_id)


Fact = ConversionFact | ExposureFact | ConversationFact


@dataclass(frozen=True, slots=True)
class Change:
    """A new version of a fact. `previous` is what downstream counted before (None the first
    time), so a metrics stage can subtract it and add `fact` without keeping its own copy."""

    fact: Fact
    version: int
    previous: Fact | None
