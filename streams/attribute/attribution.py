"""Which exposures get credit for a conversion, and how much: the attribution models.

Candidates are the conversation's exposures at or before the conversion and no older than the
window (both ends inclusive), ordered by (time, turn, exposure_id) so ties resolve the same way
on every replay. An explicit `conversion.exposure_id` that the conversation knows takes all the
credit, even outside the window (the fact then says it was not in the window).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from convtrack.contracts.model import AttributionModel, AttributionRule
from convtrack.streams.attribute.records import Conversion, Exposure


class Attribution(NamedTuple):
    touches: tuple[Exposure, ...]
    weights: tuple[float, ...]
    credited: Exposure | None
    explicit: bool
    in_window: bool
    assisted: bool


UNATTRIBUTED = Attribution((), (), None, explicit=False, in_window=False, assisted=False)


def touch_order(exposure: Exposure) -> tuple[datetime, int, str]:
    return (exposure.at, -1 if exposure.turn is None else exposure.turn, exposure.exposure_id)


def attribute(
    conversion: Conversion, exposures: Sequence[Exposure], rule: AttributionRule
) -> Attribution:
    """`exposures` must be sorted by `touch_order`."""
    candidates = tuple(
        e for e in exposures if e.at <= conversion.at and conversion.at - e.at <= rule.window
    )
    explicit = next((e for e in exposures if e.exposure_id == conversion.exposure_id), None)
    if explicit is not None:
        earlier = any(touch_order(e) < touch_order(explicit) for e in candidates)
        in_window = conversion.at - explicit.at <= rule.window
        return Attribution((explicit,), (1.0,), explicit, True, in_window, earlier)
    if not candidates:
        return UNATTRIBUTED
    shares = weights(rule, [e.at for e in candidates], conversion.at)
    heaviest = max(range(len(candidates)), key=lambda i: (shares[i], i))
    kept = [i for i, share in enumerate(shares) if share > 0]
    return Attribution(
        touches=tuple(candidates[i] for i in kept),
        weights=tuple(shares[i] for i in kept),
        credited=candidates[heaviest],
        explicit=False,
        in_window=True,
        assisted=len(candidates) > 1,
    )


def weights(
    rule: AttributionRule, times: Sequence[datetime], converted_at: datetime
) -> list[float]:
    """Credit per touch (in the given order) under the rule's model; sums to 1."""
    count = len(times)
    if rule.model is AttributionModel.LAST_TOUCH:
        return [0.0] * (count - 1) + [1.0]
    if rule.model is AttributionModel.FIRST_TOUCH:
        return [1.0] + [0.0] * (count - 1)
    if rule.model is AttributionModel.LINEAR:
        return [1.0 / count] * count
    half_life = rule.half_life.total_seconds()
    raw = [0.5 ** ((converted_at - at).total_seconds() / half_life) for at in times]
    total = sum(raw)
    return [share / total for share in raw]
