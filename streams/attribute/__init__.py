"""Attribution: per-conversation state -> conversion, exposure and conversation facts, plus
durable trust per user. A pure core: events in, facts out, time only from the events.

For the metrics stage:
- `Attributor.apply_batch(events) -> list[Change]` (and `apply(event)` for one): each `Change`
  carries a new version of a fact and the `previous` content, so a windowed aggregate
  subtracts `previous` and adds `fact`; a batch yields one change per fact it moved;
- `ExposureFact`: exposures, intent match, relevance at (commercial) intent, engagement,
  ratings, dismissals and reports, per exposure surface;
- `ConversionFact`: attribution, qualification with reasons, value, net value, reversal;
- `ConversationFact`: conversations with a commercial intent (quality-weighted rate);
- `TrustTracker.apply(event) -> list[ReturningConverter]`: durable trust, keyed by user;
- `expire(now)` on both bounds the state in event time.
"""

from convtrack.streams.attribute.attribution import Attribution, attribute, weights
from convtrack.streams.attribute.core import Attributor, Limits
from convtrack.streams.attribute.facts import (
    Change,
    ConversationFact,
    ConversionFact,
    ExposureFact,
    Fact,
    Rating,
    Reason,
    Touch,
)
from convtrack.streams.attribute.state import ConversationKey, ConversationState
from convtrack.streams.attribute.trust import ReturningConverter, TrustTracker, UserKey

__all__ = [
    "Attribution",
    "Attributor",
    "Change",
    "ConversationFact",
    "ConversationKey",
    "ConversationState",
    "ConversionFact",
    "ExposureFact",
    "Fact",
    "Limits",
    "Rating",
    "Reason",
    "ReturningConverter",
    "Touch",
    "TrustTracker",
    "UserKey",
    "attribute",
    "weights",
]
