"""The compact records a conversation keeps, one small named tuple per meaningful event.

Records keep only what attribution and the metrics need, never the event object. Categorical
strings (tenant, surface ids, categories, placements ...) are interned so thousands of
conversations share one copy. Records carry no event id: two deliveries of one event give equal
records, which is what makes the state idempotent without remembering ids.
"""

import sys
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from convtrack.schemas.envelope import Event
from convtrack.schemas.events.app_invoked_v1 import AppInvokedV1
from convtrack.schemas.events.app_task_completed_v1 import AppTaskCompletedV1
from convtrack.schemas.events.conversation_started_v1 import ConversationStartedV1
from convtrack.schemas.events.conversion_adjusted_v1 import AdjustmentKind, ConversionAdjustedV1
from convtrack.schemas.events.conversion_v1 import ConversionV1
from convtrack.schemas.events.engagement_v1 import EngagementAction, EngagementV1
from convtrack.schemas.events.exposure_dismissed_v1 import DismissAction, ExposureDismissedV1
from convtrack.schemas.events.exposure_v1 import ExposureKind, ExposureV1
from convtrack.schemas.events.feedback_v1 import FeedbackReason, FeedbackTarget, FeedbackV1, Thumb
from convtrack.schemas.events.intent_detected_v1 import IntentDetectedV1, IntentStage
from convtrack.schemas.types import Surface


def _shared(value: str) -> str:
    return sys.intern(value)


def _shared_or_none(value: str | None) -> str | None:
    return None if value is None else sys.intern(value)


class Start(NamedTuple):
    at: datetime
    surface: Surface
    surface_id: str


class Intent(NamedTuple):
    at: datetime
    turn: int | None
    category: str
    confidence: float
    stage: IntentStage
    commercial: bool


class Exposure(NamedTuple):
    exposure_id: str
    at: datetime
    turn: int | None
    surface: Surface
    surface_id: str
    kind: ExposureKind
    offer_category: str
    relevance: float
    sponsored: bool
    placement: str
    campaign_id: str | None


class Engagement(NamedTuple):
    exposure_id: str
    action: EngagementAction
    at: datetime


class AppInvocation(NamedTuple):
    app_id: str
    at: datetime
    exposure_id: str | None


class TaskCompletion(NamedTuple):
    app_id: str
    task: str
    success: bool
    at: datetime


class Conversion(NamedTuple):
    conversion_id: str
    at: datetime
    surface: Surface
    surface_id: str
    user_id: str
    value: Decimal
    currency: str
    offer_category: str | None
    exposure_id: str | None


class Adjustment(NamedTuple):
    conversion_id: str
    kind: AdjustmentKind
    amount: Decimal
    currency: str
    at: datetime


class Feedback(NamedTuple):
    at: datetime
    exposure_id: str | None
    turn: int | None
    """Set for feedback on a turn: it applies to the exposures shown in that turn."""
    thumb: Thumb | None
    stars: int | None
    reason: FeedbackReason | None


class Dismissal(NamedTuple):
    exposure_id: str
    action: DismissAction
    at: datetime


Record = (
    Start
    | Intent
    | Exposure
    | Engagement
    | AppInvocation
    | TaskCompletion
    | Conversion
    | Adjustment
    | Feedback
    | Dismissal
)


def record_of(event: Event) -> Record | None:  # noqa: PLR0911 (one return per event type)
    """The record an event contributes, or None for events attribution does not keep
    (conversation_ended and types added later still refresh the conversation's idle clock)."""
    at = event.occurred_at
    if isinstance(event, ExposureV1):
        return Exposure(
            event.exposure_id,
            at,
            event.turn_index,
            event.surface,
            _shared(event.surface_id),
            event.kind,
            _shared(event.offer_category),
            event.relevance,
            event.sponsored,
            _shared(event.placement),
            _shared_or_none(event.campaign_id),
        )
    if isinstance(event, IntentDetectedV1):
        category = _shared(event.category)
        return Intent(
            at, event.turn_index, category, event.confidence, event.stage, event.commercial
        )
    if isinstance(event, EngagementV1):
        return Engagement(event.exposure_id, event.action, at)
    if isinstance(event, FeedbackV1):
        on_turn = event.target is FeedbackTarget.TURN
        exposure_id = None if on_turn else event.exposure_id
        turn = event.turn_index if on_turn else None
        return Feedback(at, exposure_id, turn, event.thumb, event.stars, event.reason)
    if isinstance(event, ExposureDismissedV1):
        return Dismissal(event.exposure_id, event.action, at)
    if isinstance(event, ConversionV1):
        return Conversion(
            event.conversion_id,
            at,
            event.surface,
            _shared(event.surface_id),
            event.user_id,
            event.value,
            _shared(event.currency),
            _shared_or_none(event.offer_category),
            event.exposure_id,
        )
    if isinstance(event, ConversionAdjustedV1):
        currency = _shared(event.currency)
        return Adjustment(event.conversion_id, event.kind, event.amount, currency, at)
    if isinstance(event, AppInvokedV1):
        return AppInvocation(_shared(event.app_id), at, event.exposure_id)
    if isinstance(event, AppTaskCompletedV1):
        return TaskCompletion(_shared(event.app_id), _shared(event.task), event.success, at)
    if isinstance(event, ConversationStartedV1):
        return Start(at, event.surface, _shared(event.surface_id))
    return None
