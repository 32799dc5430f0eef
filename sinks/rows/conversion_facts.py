"""The newest version of a conversion fact as a row of `conversion_facts`."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from convtrack.streams.attribute.facts import Change, ConversionFact

_MICRO = Decimal("0.000001")


class ConversionFactRow(NamedTuple):
    tenant_id: str
    conversion_id: str
    version: int
    conversation_id: str
    user_id: str
    converted_at: datetime
    surface: str
    surface_id: str
    currency: str
    value: Decimal
    refunded: Decimal
    net_value: Decimal
    reversed: bool
    reversed_in_window: bool
    model: str
    touch_exposure_ids: tuple[str, ...]
    touch_surfaces: tuple[str, ...]
    touch_surface_ids: tuple[str, ...]
    touch_campaign_ids: tuple[str | None, ...]
    touch_occurred_at: tuple[datetime, ...]
    touch_weights: tuple[float, ...]
    exposure_id: str | None
    exposure_surface: str | None
    exposure_surface_id: str | None
    campaign_id: str | None
    explicit: bool
    reported_exposure_id: str | None
    in_window: bool
    assisted: bool
    intent_category: str | None
    intent_at: datetime | None
    intent_matched: bool
    relevance: float | None
    time_to_convert_seconds: Decimal | None
    negative_feedback: bool
    qualified: bool
    reasons: tuple[str, ...]
    contract_version: int


def conversion_fact_row(change: Change) -> ConversionFactRow | None:
    """None for exposure and conversation facts: they are not stored, since SQL derives them
    from `events`. Feed every Change; keep the ones that return a row."""
    fact = change.fact
    if not isinstance(fact, ConversionFact):
        return None
    touches = fact.touches
    return ConversionFactRow(
        tenant_id=fact.tenant_id,
        conversion_id=fact.conversion_id,
        version=change.version,
        conversation_id=fact.conversation_id,
        user_id=fact.user_id,
        converted_at=fact.converted_at,
        surface=fact.surface,
        surface_id=fact.surface_id,
        currency=fact.currency,
        value=fact.value,
        refunded=fact.refunded,
        net_value=fact.net_value,
        reversed=fact.reversed,
        reversed_in_window=fact.reversed_in_window,
        model=fact.model,
        touch_exposure_ids=tuple(t.exposure_id for t in touches),
        touch_surfaces=tuple(t.surface for t in touches),
        touch_surface_ids=tuple(t.surface_id for t in touches),
        touch_campaign_ids=tuple(t.campaign_id for t in touches),
        touch_occurred_at=tuple(t.occurred_at for t in touches),
        touch_weights=tuple(t.weight for t in touches),
        exposure_id=fact.exposure_id,
        exposure_surface=fact.exposure_surface,
        exposure_surface_id=fact.exposure_surface_id,
        campaign_id=fact.campaign_id,
        explicit=fact.explicit,
        reported_exposure_id=fact.reported_exposure_id,
        in_window=fact.in_window,
        assisted=fact.assisted,
        intent_category=fact.intent_category,
        intent_at=fact.intent_at,
        intent_matched=fact.intent_matched,
        relevance=fact.relevance,
        time_to_convert_seconds=_seconds(fact.time_to_convert),
        negative_feedback=fact.negative_feedback,
        qualified=fact.qualified,
        reasons=tuple(fact.reasons),
        contract_version=fact.contract_version,
    )


def _seconds(duration: timedelta | None) -> Decimal | None:
    """Exact to the microsecond, as timedelta is (a float would not sum exactly in SQL)."""
    if duration is None:
        return None
    whole = duration.days * 86_400 + duration.seconds
    return Decimal(whole) + Decimal(duration.microseconds) * _MICRO
