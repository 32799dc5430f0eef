"""Computes a conversation's facts from its records and the quality contracts.

Which contract judges what:
- attribution window and model come from the contract of the conversion's own scope (where it
  was reported), because the credited exposure is not known before attributing;
- everything else (intent match, minimum relevance, return window, feedback) comes from the
  contract of the credited exposure's scope, so a campaign is judged by its own definition.
An exposure fact is judged by the contract of the exposure's scope.
"""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from convtrack.contracts.book import ContractBook
from convtrack.contracts.model import FeedbackRule, QualityContract
from convtrack.schemas.events.conversion_adjusted_v1 import AdjustmentKind
from convtrack.schemas.events.engagement_v1 import EngagementAction
from convtrack.schemas.events.exposure_dismissed_v1 import DismissAction
from convtrack.schemas.events.feedback_v1 import Thumb
from convtrack.streams.attribute.attribution import attribute, touch_order
from convtrack.streams.attribute.facts import (
    ConversationFact,
    ConversionFact,
    ExposureFact,
    Fact,
    Rating,
    Reason,
    Touch,
)
from convtrack.streams.attribute.records import Adjustment, Conversion, Exposure, Feedback, Intent
from convtrack.streams.attribute.state import ConversationState

_SHALLOW = frozenset({EngagementAction.CLICK, EngagementAction.EXPAND})
_REVERSING = frozenset({AdjustmentKind.CANCEL, AdjustmentKind.CHARGEBACK})


FactId = tuple[str, tuple[str, ...]]
"""(fact class name, fact key): keys of different fact kinds may look alike."""


def facts_of(state: ConversationState, contracts: ContractBook) -> dict[FactId, Fact]:
    """Every current fact of the conversation."""
    exposures = sorted(state.exposures, key=touch_order)
    intents = sorted(state.intents, key=_intent_order)
    found: list[Fact] = [_conversation(state, intents)]
    found += [_exposure(state, e, intents, contracts) for e in exposures]
    found += [_conversion(state, c, exposures, intents, contracts) for c in state.conversions]
    return {(type(fact).__name__, fact.key): fact for fact in found}


def _intent_order(intent: Intent) -> tuple[datetime, int, str, float]:
    turn = -1 if intent.turn is None else intent.turn
    return (intent.at, turn, intent.category, intent.confidence)


def intent_at(intents: list[Intent], at: datetime) -> Intent | None:
    """The latest intent detected at or before `at` (`intents` sorted by `_intent_order`)."""
    before = [intent for intent in intents if intent.at <= at]
    return before[-1] if before else None


def _conversation(state: ConversationState, intents: list[Intent]) -> ConversationFact:
    start = min(state.starts, default=None)
    surface, surface_id = (start.surface, start.surface_id) if start else (None, None)
    opened_at = start.at if start else state.last_seen
    if start is None and state.origin is not None:
        opened_at, surface, surface_id = state.origin
    commercial = next((i.at for i in intents if i.commercial), None)
    return ConversationFact(
        state.tenant_id,
        state.conversation_id,
        state.user_id,
        surface,
        surface_id,
        start.at if start else None,
        opened_at,
        commercial,
        len(state.exposures),
        len(state.conversions),
    )


def _exposure(
    state: ConversationState, exposure: Exposure, intents: list[Intent], contracts: ContractBook
) -> ExposureFact:
    contract = contracts.resolve(state.tenant_id, exposure.surface, exposure.surface_id)
    intent = intent_at(intents, exposure.at)
    actions = {e.action for e in state.engagements if e.exposure_id == exposure.exposure_id}
    apps = {a.app_id for a in state.apps if a.exposure_id == exposure.exposure_id}
    opened = min((a.at for a in state.apps if a.exposure_id == exposure.exposure_id), default=None)
    completed = opened is not None and any(
        t.success and t.app_id in apps and t.at >= opened for t in state.tasks
    )
    feedback = _feedback_on(state.feedback, exposure)
    dismissals = {d.action for d in state.dismissals if d.exposure_id == exposure.exposure_id}
    return ExposureFact(
        tenant_id=state.tenant_id,
        conversation_id=state.conversation_id,
        exposure_id=exposure.exposure_id,
        occurred_at=exposure.at,
        turn=exposure.turn,
        surface=exposure.surface,
        surface_id=exposure.surface_id,
        campaign_id=exposure.campaign_id,
        kind=exposure.kind,
        offer_category=exposure.offer_category,
        placement=exposure.placement,
        sponsored=exposure.sponsored,
        relevance=exposure.relevance,
        intent_category=intent.category if intent else None,
        at_commercial_intent=intent is not None and intent.commercial,
        intent_matched=_matched(contract, intent, exposure),
        engaged=bool(actions or apps),
        deep_engaged=bool(actions - _SHALLOW or apps),
        task_completed=completed,
        rating=_rating(feedback[-1]) if feedback else None,
        negative_feedback=_negative(contract.disqualifying_feedback, feedback),
        dismissed=DismissAction.HIDE in dismissals,
        reported=DismissAction.REPORT in dismissals,
        contract_version=contract.contract_version,
    )


def _conversion(
    state: ConversationState,
    conversion: Conversion,
    exposures: list[Exposure],
    intents: list[Intent],
    contracts: ContractBook,
) -> ConversionFact:
    own = contracts.resolve(state.tenant_id, conversion.surface, conversion.surface_id)
    found = attribute(conversion, exposures, own.attribution)
    credited = found.credited
    contract = (
        contracts.resolve(state.tenant_id, credited.surface, credited.surface_id)
        if credited
        else own
    )
    intent = intent_at(intents, credited.at if credited else conversion.at)
    refunded, reversal_at = _reversal(conversion, state.adjustments)
    reversed_in_window = reversal_at is not None and (
        reversal_at - conversion.at <= contract.return_window
    )
    negative = credited is not None and _negative(
        contract.disqualifying_feedback, _feedback_on(state.feedback, credited)
    )
    matched = _matched(contract, intent, credited)
    reasons = [
        reason
        for reason, applies in (
            (Reason.UNATTRIBUTED, credited is None),
            (Reason.OUTSIDE_WINDOW, credited is not None and not found.in_window),
            (Reason.NO_INTENT, credited is not None and intent is None),
            (Reason.INTENT_MISMATCH, intent is not None and credited is not None and not matched),
            (
                Reason.LOW_RELEVANCE,
                credited is not None and credited.relevance < contract.min_relevance,
            ),
            (Reason.REVERSED, reversed_in_window),
            (Reason.NEGATIVE_FEEDBACK, negative),
        )
        if applies
    ]
    return ConversionFact(
        tenant_id=state.tenant_id,
        conversion_id=conversion.conversion_id,
        conversation_id=state.conversation_id,
        user_id=conversion.user_id,
        converted_at=conversion.at,
        surface=conversion.surface,
        surface_id=conversion.surface_id,
        currency=conversion.currency,
        value=conversion.value,
        refunded=refunded,
        net_value=max(conversion.value - refunded, Decimal(0)),
        reversed=reversal_at is not None,
        reversed_in_window=reversed_in_window,
        model=own.attribution.model,
        touches=tuple(
            Touch(e.exposure_id, e.surface, e.surface_id, e.campaign_id, e.at, w)
            for e, w in zip(found.touches, found.weights, strict=True)
        ),
        exposure_id=credited.exposure_id if credited else None,
        exposure_surface=credited.surface if credited else None,
        exposure_surface_id=credited.surface_id if credited else None,
        campaign_id=credited.campaign_id if credited else None,
        explicit=found.explicit,
        reported_exposure_id=conversion.exposure_id,
        in_window=found.in_window,
        assisted=found.assisted,
        intent_category=intent.category if intent else None,
        intent_at=intent.at if intent else None,
        intent_matched=matched,
        relevance=credited.relevance if credited else None,
        time_to_convert=conversion.at - intent.at if intent else None,
        negative_feedback=negative,
        qualified=not reasons,
        reasons=tuple(reasons),
        contract_version=contract.contract_version,
    )


def _matched(contract: QualityContract, intent: Intent | None, exposure: Exposure | None) -> bool:
    if intent is None or exposure is None:
        return False
    return contract.intent_match.matches(intent.category, exposure.offer_category)


def _feedback_on(feedback: Iterable[Feedback], exposure: Exposure) -> list[Feedback]:
    """Feedback on the exposure itself or on the turn that showed it, oldest first."""
    mine = [
        f
        for f in feedback
        if f.exposure_id == exposure.exposure_id or (f.turn is not None and f.turn == exposure.turn)
    ]
    return sorted(mine, key=lambda f: (f.at, repr(f)))


def _negative(rule: FeedbackRule, feedback: Iterable[Feedback]) -> bool:
    return any(rule.is_negative(f.thumb is Thumb.DOWN, f.stars, f.reason) for f in feedback)


def _rating(feedback: Feedback) -> Rating:
    if feedback.thumb is not None:
        return Rating.UP if feedback.thumb is Thumb.UP else Rating.DOWN
    stars = feedback.stars or 3
    return Rating.UP if stars >= 4 else Rating.DOWN if stars <= 2 else Rating.NEUTRAL


def _reversal(
    conversion: Conversion, adjustments: Iterable[Adjustment]
) -> tuple[Decimal, datetime | None]:
    """Money given back in the conversion's currency, and when the conversion became reversed:
    a cancel or chargeback, or refunds/returns adding up to the full value. Amounts in another
    currency cannot be netted without rates, so they only count when they cancel outright."""
    mine = sorted(
        (a for a in adjustments if a.conversion_id == conversion.conversion_id),
        key=lambda a: (a.at, repr(a)),
    )
    refunded = Decimal(0)
    reversal_at: datetime | None = None
    for adjustment in mine:
        if adjustment.currency == conversion.currency:
            refunded += adjustment.amount
        full = conversion.value > 0 and refunded >= conversion.value
        if reversal_at is None and (adjustment.kind in _REVERSING or full):
            reversal_at = adjustment.at
    return refunded, reversal_at
