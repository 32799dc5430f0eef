"""How simulated users react to what they are shown.

Every probability rises or falls with relevance, so relevance is the hidden variable the
metrics should recover: engagement, conversion and durable trust go up with it; refunds,
negative feedback and dismissals go down.
"""

from convtrack.schemas.events.conversation_ended_v1 import EndReason
from convtrack.schemas.events.conversation_started_v1 import EntryPoint
from convtrack.schemas.events.conversion_adjusted_v1 import AdjustmentKind
from convtrack.schemas.events.engagement_v1 import EngagementAction
from convtrack.schemas.events.exposure_dismissed_v1 import DismissAction
from convtrack.schemas.events.feedback_v1 import FeedbackReason
from convtrack.schemas.events.intent_detected_v1 import IntentStage
from convtrack.schemas.types import Surface
from convtrack.simulator.draws import Weighted

COMMERCIAL_SHARE = 0.85
OFFTOPIC_RELEVANCE = 0.6
"""Offers shown at an informational intent are this much less relevant."""

STAGES: Weighted[IntentStage] = Weighted(
    [(IntentStage.EXPLORE, 0.45), (IntentStage.COMPARE, 0.35), (IntentStage.DECIDE, 0.2)]
)
RETURNING_STAGES: Weighted[IntentStage] = Weighted(
    [(IntentStage.EXPLORE, 0.2), (IntentStage.COMPARE, 0.35), (IntentStage.DECIDE, 0.45)]
)
_STAGE_ENGAGEMENT = {IntentStage.EXPLORE: 0.8, IntentStage.COMPARE: 1.0, IntentStage.DECIDE: 1.2}
_STAGE_CONVERSION = {IntentStage.EXPLORE: 0.1, IntentStage.COMPARE: 0.24, IntentStage.DECIDE: 0.45}

ENTRY_POINTS: Weighted[EntryPoint] = Weighted(
    [
        (EntryPoint.DIRECT, 0.55),
        (EntryPoint.SEARCH, 0.25),
        (EntryPoint.DEEP_LINK, 0.1),
        (EntryPoint.NOTIFICATION, 0.05),
        (EntryPoint.OTHER, 0.05),
    ]
)
RETURNING_ENTRY_POINTS: Weighted[EntryPoint] = Weighted(
    [(EntryPoint.DEEP_LINK, 0.4), (EntryPoint.NOTIFICATION, 0.3), (EntryPoint.DIRECT, 0.3)]
)

ACTIONS: dict[Surface, Weighted[EngagementAction]] = {
    Surface.VERTICAL: Weighted(
        [
            (EngagementAction.FOLLOW_UP, 0.3),
            (EngagementAction.CLICK, 0.25),
            (EngagementAction.EXPAND, 0.15),
            (EngagementAction.COMPARE, 0.12),
            (EngagementAction.SAVE, 0.08),
            (EngagementAction.ADD_TO_CART, 0.07),
            (EngagementAction.SHARE, 0.03),
        ]
    ),
    Surface.APP: Weighted([(EngagementAction.APP_OPEN, 0.85), (EngagementAction.FOLLOW_UP, 0.15)]),
    Surface.AD: Weighted(
        [
            (EngagementAction.CLICK, 0.6),
            (EngagementAction.FOLLOW_UP, 0.2),
            (EngagementAction.EXPAND, 0.1),
            (EngagementAction.SAVE, 0.1),
        ]
    ),
}

POSITIVE_REASONS: Weighted[FeedbackReason | None] = Weighted(
    [(FeedbackReason.HELPFUL, 0.55), (FeedbackReason.ACCURATE, 0.3), (None, 0.15)]
)
NEGATIVE_REASONS: Weighted[FeedbackReason | None] = Weighted(
    [
        (FeedbackReason.IRRELEVANT, 0.45),
        (FeedbackReason.MISLEADING, 0.12),
        (FeedbackReason.TOO_PUSHY, 0.1),
        (FeedbackReason.WRONG_TIMING, 0.13),
        (FeedbackReason.OTHER, 0.05),
        (None, 0.15),
    ]
)
PUSHY_REASONS: Weighted[FeedbackReason | None] = Weighted(
    [
        (FeedbackReason.TOO_PUSHY, 0.4),
        (FeedbackReason.IRRELEVANT, 0.3),
        (FeedbackReason.MISLEADING, 0.2),
        (None, 0.1),
    ]
)
DISMISS_REASONS: dict[DismissAction, Weighted[str | None]] = {
    DismissAction.HIDE: Weighted(
        [("not-relevant", 0.5), ("seen-before", 0.2), ("too-many-offers", 0.15), (None, 0.15)]
    ),
    DismissAction.REPORT: Weighted([("misleading", 0.6), ("inappropriate", 0.25), (None, 0.15)]),
}
ADJUSTMENT_REASONS: Weighted[str | None] = Weighted(
    [
        ("changed-mind", 0.3),
        ("not-as-described", 0.25),
        ("found-cheaper", 0.15),
        ("defective", 0.1),
        ("unauthorised", 0.05),
        (None, 0.15),
    ]
)
_HOUR_MS = 3_600_000
_DAY_MS = 24 * _HOUR_MS
ADJUSTMENT_DELAY_MS: dict[AdjustmentKind, tuple[float, float]] = {
    AdjustmentKind.CANCEL: (_HOUR_MS, 3 * _DAY_MS),
    AdjustmentKind.REFUND: (6 * _HOUR_MS, 10 * _DAY_MS),
    AdjustmentKind.RETURN: (_DAY_MS, 14 * _DAY_MS),
    AdjustmentKind.CHARGEBACK: (5 * _DAY_MS, 40 * _DAY_MS),
}
"""How long after the sale each kind of reversal arrives (cancellations quickly, chargebacks
weeks later)."""
WAVE_DELAY_MS = (_HOUR_MS, 3 * _DAY_MS)
"""A refund wave (a recall, a strike) reverses sales within days."""

END_REASONS: Weighted[EndReason] = Weighted(
    [(EndReason.USER_LEFT, 0.7), (EndReason.TIMEOUT, 0.26), (EndReason.HANDOFF, 0.04)]
)


def match_chance(intent_match: float, relevance: float) -> float:
    """A relevant offer is usually in the category the user asked about; a poor one is not."""
    return intent_match * (0.35 + 0.65 * relevance)


def engage_chance(relevance: float, matched: bool, stage: IntentStage) -> float:
    return (0.04 + 0.5 * relevance**2 * (1.2 if matched else 0.6)) * _STAGE_ENGAGEMENT[stage]


def convert_chance(relevance: float, matched: bool, stage: IntentStage, returning: bool) -> float:
    """Chance the user buys the best offer they engaged with."""
    chance = _STAGE_CONVERSION[stage] * (0.15 + 0.85 * relevance**2) * (1.0 if matched else 0.4)
    return chance * (1.3 if returning else 1.0)


def unassisted_convert_chance(relevance: float) -> float:
    """Chance the user buys without having engaged (the merchant cannot name an exposure)."""
    return 0.015 * relevance


def task_success_chance(relevance: float) -> float:
    return 0.45 + 0.5 * relevance


def dismiss_chance(relevance: float, surface: Surface) -> float:
    return (0.01 + 0.35 * (1.0 - relevance) ** 3) * (1.6 if surface is Surface.AD else 1.0)


def report_chance(relevance: float) -> float:
    """Given a dismissal, the chance it is a report rather than a hide."""
    return 0.5 * (1.0 - relevance) ** 2


def feedback_chance(engaged: bool, relevance: float) -> float:
    """Users who engaged rate more often, and an irrelevant offer provokes a rating."""
    return (0.14 if engaged else 0.06) + 0.15 * (1.0 - relevance) ** 2


def negative_chance(relevance: float) -> float:
    return 0.05 + 0.85 * (1.0 - relevance) ** 2


def adjust_chance(relevance: float, negative_feedback: bool) -> float:
    """Chance a conversion is later reversed: users regret what did not fit what they asked."""
    return 0.04 + 0.4 * (1.0 - relevance) ** 2 + (0.1 if negative_feedback else 0.0)


def return_chance(good_experience: bool) -> float:
    """Chance a converter comes back to the same surface: trust earned lasts."""
    return 0.5 if good_experience else 0.12
