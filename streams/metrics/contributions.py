"""Which windows a fact counts in, and with what: the counting rules of the metrics stage.

Written down here because a SQL `verify` must recompute the same numbers from stored facts:

- ExposureFact: in the exposure's own minute and surface. What happens to it later (engagement,
  rating, dismissal) restates that minute; it is not counted when the reaction happened.
- ConversionFact: in the minute of the conversion, at the credited exposure's surface and
  surface_id, so a campaign is credited with what it converted; unattributed conversions at the
  surface that reported them. Money per currency (value, net value, refunded), reversals (any,
  not only inside the return window), regret, assisted, time to convert and joinability
  (explicit exposure_id found / missing) go with it. A refund restates this minute.
- Quality-weighted conversions: a qualified conversion's attribution weights, each in the
  conversion's minute at its touch's surface (one touch with weight 1 under last-touch).
- Trust: each conversion is one trust-eligible converter, in its minute at the surface that
  *reported* it, because that is the surface the TrustTracker watches for the user's return;
  a ReturningConverter counts in the same minute and surface. A user converting twice counts
  twice, matching the tracker's one return per conversion. Recent windows are immature: their
  returns may still come within the returning window.
- ConversationFact: in the minute it opened (conversation_started, else its earliest event),
  at its surface; with commercial intent if it ever showed one. Ad surfaces rarely host
  conversations, so the quality-weighted rate of a campaign is read against its tenant's
  conversations in SQL.
- Campaigns: on ad surfaces surface_id is the campaign key. campaign_id stays on the facts
  but is not part of the window key: it would split a surface's rows for no gain.
"""

from collections.abc import Iterator
from datetime import datetime
from typing import NamedTuple

from convtrack.schemas.types import Surface
from convtrack.streams.attribute.facts import (
    ConversationFact,
    ConversionFact,
    ExposureFact,
    Fact,
    Rating,
)
from convtrack.streams.attribute.trust import ReturningConverter
from convtrack.streams.metrics.tally import Part, duration_micros, micros


class SurfaceWindow(NamedTuple):
    tenant_id: str
    surface: Surface
    surface_id: str
    window_start: datetime


def minute(at: datetime) -> datetime:
    """The 1-minute window holding `at` (event times are UTC)."""
    return at.replace(second=0, microsecond=0)


Contribution = tuple[SurfaceWindow, Part]
"""A window and what the fact adds to it (see `tally` for the units)."""


def contributions(fact: Fact | ReturningConverter) -> Iterator[Contribution]:
    if isinstance(fact, ExposureFact):
        yield _exposure(fact)
    elif isinstance(fact, ConversionFact):
        yield from _conversion(fact)
    elif isinstance(fact, ConversationFact):
        if fact.surface is not None and fact.surface_id is not None:
            window = SurfaceWindow(
                fact.tenant_id, fact.surface, fact.surface_id, minute(fact.opened_at)
            )
            commercial = int(fact.commercial_intent_at is not None)
            counts = {"conversations": 1, "conversations_with_commercial_intent": commercial}
            yield window, Part(counts)
    else:
        window = SurfaceWindow(
            fact.tenant_id, fact.surface, fact.surface_id, minute(fact.converted_at)
        )
        yield window, Part({"returning_converters": 1})


def _exposure(fact: ExposureFact) -> Contribution:
    at_intent = fact.at_commercial_intent
    window = SurfaceWindow(fact.tenant_id, fact.surface, fact.surface_id, minute(fact.occurred_at))
    return window, Part(
        {
            "exposures": 1,
            "intent_matched_exposures": int(fact.intent_matched),
            "exposures_at_intent": int(at_intent),
            "relevance_sum_at_intent": micros(fact.relevance) if at_intent else 0,
            "engaged_exposures": int(fact.engaged),
            "deep_engaged_exposures": int(fact.deep_engaged),
            "task_completed_exposures": int(fact.task_completed),
            "feedback_up": int(fact.rating is Rating.UP),
            "feedback_down": int(fact.rating is Rating.DOWN),
            "feedback_rated": int(fact.rating is not None),
            "dismissals": int(fact.dismissed),
            "reports": int(fact.reported),
        }
    )


def _conversion(fact: ConversionFact) -> Iterator[Contribution]:
    at = minute(fact.converted_at)
    credited = SurfaceWindow(
        fact.tenant_id,
        fact.exposure_surface or fact.surface,
        fact.exposure_surface_id or fact.surface_id,
        at,
    )
    named = fact.reported_exposure_id is not None
    ttc = fact.time_to_convert
    currency = fact.currency
    yield (
        credited,
        Part(
            {
                "conversions": 1,
                "attributed_conversions": int(fact.attributed),
                "unattributed_conversions": int(not fact.attributed),
                "qualified_conversions": int(fact.qualified),
                "assisted_conversions": int(fact.assisted),
                "reversals": int(fact.reversed),
                "regretted_conversions": int(fact.regretted),
                "time_to_convert_seconds": duration_micros(ttc) if ttc is not None else 0,
                "time_to_convert_count": int(ttc is not None),
                "explicit_exposure_joined": int(named and fact.explicit),
                "explicit_exposure_missing": int(named and not fact.explicit),
            },
            (
                ("value", currency, fact.value),
                ("net_value", currency, fact.net_value),
                ("refunded", currency, fact.refunded),
            ),
        ),
    )
    yield (
        SurfaceWindow(fact.tenant_id, fact.surface, fact.surface_id, at),
        Part({"converters": 1}),
    )
    if fact.qualified:
        for touch in fact.touches:
            window = SurfaceWindow(fact.tenant_id, touch.surface, touch.surface_id, at)
            yield window, Part({"quality_weighted_conversions": micros(touch.weight)})
