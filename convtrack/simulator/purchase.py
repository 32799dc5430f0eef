"""The sale and its afterlife: whether the user buys the best offer they engaged with, and
whether the sale is reversed days later."""

from random import Random

from convtrack.schemas.events.conversion_adjusted_v1 import AdjustmentKind
from convtrack.schemas.events.intent_detected_v1 import IntentStage
from convtrack.simulator import behaviour as b
from convtrack.simulator.draws import Weighted, chance, log_uniform, token
from convtrack.simulator.transcript import Shown, Timed, Transcript


class Checkout:
    def __init__(self, rng: Random) -> None:
        self._rng = rng
        self._kinds: dict[str, Weighted[AdjustmentKind]] = {}

    def convert(
        self, talk: Transcript, shown: list[Shown], stage: IntentStage, returning: bool
    ) -> tuple[Shown | None, bool]:
        rng = self._rng
        usable = [s for s in shown if s.engaged and s.app_succeeded is not False]
        if usable:
            best = max(usable, key=lambda s: s.relevance)
            boost = 1.5 if best.app_succeeded else 1.0
            odds = b.convert_chance(best.relevance, best.matched, stage, returning) * boost
            odds += talk.state.clickbait / 2
            assisted = True
        elif shown:
            best = max(shown, key=lambda s: s.relevance)
            odds = b.unassisted_convert_chance(best.relevance)
            assisted = False
        else:
            return None, False
        if not chance(rng, odds):
            return best, False
        low, high = talk.spec.tenant.category(best.category).price_range
        talk.think()
        talk.add(
            "conversion",
            conversion_id=token(rng, "ord", 10),
            value=f"{log_uniform(rng, max(low, 1), high):.2f}",
            currency=talk.spec.tenant.currency,
            offer_id=best.offer_id,
            offer_category=best.category if chance(rng, 0.9) else None,
            exposure_id=best.exposure_id if assisted and chance(rng, 0.7) else None,
        )
        return best, True

    def reverse(self, talk: Transcript, best: Shown, horizon_ms: int) -> Timed | None:
        rng = self._rng
        state = talk.state
        odds = b.adjust_chance(best.relevance, best.negative) + state.adjustment_boost
        if not chance(rng, max(odds, state.adjustment_floor)):
            return None
        kind = self._adjustment_kinds(talk).draw(rng)
        low, high = b.WAVE_DELAY_MS if state.adjustment_floor else b.ADJUSTMENT_DELAY_MS[kind]
        at = talk.t + int(log_uniform(rng, low, high))
        if at >= horizon_ms:
            return None
        _, conversion = talk.events[-1]
        value = float(conversion["value"])
        amount = value if chance(rng, 0.8) else value * rng.uniform(0.2, 0.8)
        fields = {
            "conversion_id": conversion["conversion_id"],
            "kind": kind.value,
            "amount": f"{amount:.2f}",
            "currency": conversion["currency"],
            "reason": b.ADJUSTMENT_REASONS.draw(rng),
        }
        return at, talk.payload("conversion_adjusted", at, None, fields)

    def _adjustment_kinds(self, talk: Transcript) -> Weighted[AdjustmentKind]:
        tenant = talk.spec.tenant
        if tenant.tenant_id not in self._kinds:
            self._kinds[tenant.tenant_id] = Weighted(tenant.adjustments)
        return self._kinds[tenant.tenant_id]
