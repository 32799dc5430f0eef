"""One conversation, start to end: intent, exposures, the user's reactions, maybe an app task,
maybe a conversion that is later reversed, feedback, dismissals."""

from dataclasses import dataclass
from random import Random

from convtrack.schemas.events.app_invoked_v1 import InvokedBy
from convtrack.schemas.events.conversation_ended_v1 import EndReason
from convtrack.schemas.events.engagement_v1 import EngagementAction
from convtrack.schemas.events.exposure_dismissed_v1 import DismissAction
from convtrack.schemas.events.feedback_v1 import FeedbackTarget, Thumb
from convtrack.schemas.events.intent_detected_v1 import IntentStage
from convtrack.schemas.types import Surface
from convtrack.simulator import behaviour as b
from convtrack.simulator.draws import Weighted, around, chance, token
from convtrack.simulator.purchase import Checkout
from convtrack.simulator.scenarios import Conditions
from convtrack.simulator.transcript import Shown, Timed, Transcript, User


@dataclass(frozen=True, slots=True)
class Story:
    events: list[Timed]
    """In-conversation events, in time order."""
    adjustment: Timed | None
    """The reversal of the conversion, days later, when there is one inside the horizon."""
    converted: bool
    good_experience: bool
    """Converted, not reversed, no negative feedback: the kind of visit users come back after."""
    ended_ms: int


class ConversationBuilder:
    def __init__(self, rng: Random) -> None:
        self._rng = rng
        self._intents: dict[str, Weighted[str]] = {}
        self._checkout = Checkout(rng)

    def build(
        self,
        state: Conditions,
        user: User,
        start_ms: int,
        returning: bool,
        horizon_ms: int,
    ) -> Story:
        """A conversation starting at `start_ms`; a reversal due after `horizon_ms` is left
        out (it has not happened yet)."""
        rng = self._rng
        spec = state.spec
        talk = Transcript(rng, state, user, token(rng, "conv", 16), start_ms)
        entry = (b.RETURNING_ENTRY_POINTS if returning else b.ENTRY_POINTS).draw(rng)
        market_known = chance(rng, 0.9)
        talk.add(
            "conversation_started",
            entry_point=entry.value,
            locale=user.locale if market_known else None,
            country=user.country if market_known else None,
        )
        commercial = chance(rng, b.COMMERCIAL_SHARE)
        category = (
            self._intent_mix(state).draw(rng)
            if commercial
            else rng.choice(spec.tenant.informational)
        )
        stage = (b.RETURNING_STAGES if returning else b.STAGES).draw(rng)
        talk.think()
        talk.add(
            "intent_detected",
            category=category,
            confidence=around(rng, 0.82 if commercial else 0.7, 12.0),
            stage=stage.value,
            commercial=commercial,
        )
        low, high = state.exposures
        mean = state.relevance * (1.0 if commercial else b.OFFTOPIC_RELEVANCE)
        shown = [
            self._expose(talk, category if commercial else None, mean, stage)
            for _ in range(rng.randint(low, high))
        ]
        app_done = any(s.app_succeeded for s in shown)
        opened = any(s.app_succeeded is not None for s in shown)
        if spec.surface is Surface.APP and not opened and chance(rng, 0.12):
            app_done = self._run_app(talk, None, mean)
        best, converted = self._checkout.convert(talk, shown, stage, returning)
        adjustment = None
        if converted and best is not None:
            adjustment = self._checkout.reverse(talk, best, horizon_ms)
        if chance(rng, 0.05):
            self._rate_turn(talk, shown)
        talk.think()
        reason = EndReason.TASK_DONE if converted or app_done else b.END_REASONS.draw(rng)
        talk.add("conversation_ended", reason=reason.value, turns=talk.turn + 1)
        negative = best is not None and best.negative
        good = converted and adjustment is None and not negative
        return Story(talk.events, adjustment, converted, good, talk.t)

    def _intent_mix(self, state: Conditions) -> Weighted[str]:
        spec = state.spec
        if spec.surface_id not in self._intents:
            self._intents[spec.surface_id] = Weighted(spec.intents)
        return self._intents[spec.surface_id]

    def _expose(
        self, talk: Transcript, intent: str | None, mean: float, stage: IntentStage
    ) -> Shown:
        rng = self._rng
        spec = talk.spec
        tenant = spec.tenant
        talk.think()
        relevance = around(rng, mean)
        matched = intent is not None and chance(rng, b.match_chance(spec.intent_match, relevance))
        if matched and intent is not None:
            category = tenant.category(intent)
        else:
            category = rng.choice([c for c in tenant.categories if c.name != intent])
        shown = Shown(
            token(rng, "exp"),
            f"{category.offer_prefix}-{rng.randrange(1000, 10_000)}",
            category.name,
            relevance,
            matched,
        )
        ad = spec.surface is Surface.AD
        talk.add(
            "exposure",
            exposure_id=shown.exposure_id,
            kind=spec.kind.value,
            offer_id=shown.offer_id,
            offer_category=shown.category,
            placement=rng.choice(spec.placements),
            position=0 if ad else min(int(rng.expovariate(1.2)), 9),
            relevance=relevance,
            sponsored=ad,
            campaign_id=spec.campaign_id,
        )
        dismissed = False
        if chance(rng, b.engage_chance(relevance, matched, stage) + talk.state.clickbait):
            shown.engaged = True
            self._engage(talk, shown)
        elif chance(rng, b.dismiss_chance(relevance, spec.surface)):
            dismissed = True
            report = chance(rng, b.report_chance(relevance))
            action = DismissAction.REPORT if report else DismissAction.HIDE
            talk.react()
            talk.add(
                "exposure_dismissed",
                exposure_id=shown.exposure_id,
                action=action.value,
                reason=b.DISMISS_REASONS[action].draw(rng),
            )
        if not dismissed and chance(rng, b.feedback_chance(shown.engaged, relevance)):
            shown.negative = chance(rng, b.negative_chance(relevance))
            self._rate_exposure(talk, shown, pushy=talk.state.trap)
        return shown

    def _engage(self, talk: Transcript, shown: Shown) -> None:
        rng = self._rng
        action = b.ACTIONS[talk.spec.surface].draw(rng)
        talk.react()
        talk.add("engagement", exposure_id=shown.exposure_id, action=action.value)
        if action is EngagementAction.APP_OPEN:
            shown.app_succeeded = self._run_app(talk, shown.exposure_id, shown.relevance)
        elif chance(rng, 0.35 * shown.relevance):
            talk.think()
            talk.add(
                "engagement",
                exposure_id=shown.exposure_id,
                action=EngagementAction.FOLLOW_UP.value,
            )

    def _run_app(self, talk: Transcript, exposure_id: str | None, relevance: float) -> bool:
        rng = self._rng
        app_id = talk.spec.surface_id
        by = InvokedBy.USER if exposure_id is not None else InvokedBy.ASSISTANT
        talk.react()
        talk.add("app_invoked", app_id=app_id, invoked_by=by.value, exposure_id=exposure_id)
        started = talk.t
        talk.react(8_000, 600_000)
        success = chance(rng, b.task_success_chance(relevance))
        talk.add(
            "app_task_completed",
            app_id=app_id,
            task=talk.spec.app_task,
            success=success,
            duration_ms=talk.t - started if chance(rng, 0.9) else None,
        )
        return success

    def _rate_exposure(self, talk: Transcript, shown: Shown, pushy: bool) -> None:
        rng = self._rng
        if shown.negative:
            reason = (b.PUSHY_REASONS if pushy else b.NEGATIVE_REASONS).draw(rng)
        else:
            reason = b.POSITIVE_REASONS.draw(rng)
        thumbs = chance(rng, 0.75)
        thumb = Thumb.DOWN if shown.negative else Thumb.UP
        stars = rng.randint(1, 2) if shown.negative else rng.randint(4, 5)
        talk.react()
        talk.add(
            "feedback",
            target=FeedbackTarget.EXPOSURE.value,
            exposure_id=shown.exposure_id,
            thumb=thumb.value if thumbs else None,
            stars=None if thumbs else stars,
            reason=reason.value if reason is not None else None,
        )

    def _rate_turn(self, talk: Transcript, shown: list[Shown]) -> None:
        mean = sum(s.relevance for s in shown) / len(shown) if shown else 0.5
        stars = min(5, max(1, round(1 + 4 * mean + self._rng.gauss(0.0, 0.7))))
        talk.react()
        talk.add("feedback", target=FeedbackTarget.TURN.value, stars=stars)
