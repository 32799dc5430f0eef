"""Bytes per live conversation, measured the way core.py's docstring reports it."""

import gc
import tracemalloc

from convtrack.contracts import ContractBook
from convtrack.schemas.envelope import Event
from convtrack.streams.attribute import Attributor
from convtrack.streams.attribute.core import Limits
from tests.streams.attribute.events import (
    conversion,
    engagement,
    exposure,
    feedback,
    intent,
    start,
)

CONVERSATIONS = 500


def typical_conversation(n: int) -> list[Event]:
    """Ten events: a start, two intents, three exposures, two engagements, a conversion and
    a rating, with ids as unique as real ones."""
    conv = f"conv-{n:08d}"
    ids = [f"exp-{n:08d}-{k}" for k in range(3)]
    return [
        start(0, conv),
        intent(1, "hotels", conv, turn=1),
        exposure(2, ids[0], conv=conv, turn=1),
        exposure(2, ids[1], conv=conv, turn=1),
        intent(3, "hotels", conv, turn=2, stage="decide"),
        exposure(4, ids[2], conv=conv, turn=2),
        engagement(5, ids[0], "click", conv=conv),
        engagement(6, ids[2], "follow_up", conv=conv),
        conversion(9, f"order-{n:08d}", conv=conv),
        feedback(10, exposure_id=ids[2], thumb="up", conv=conv),
    ]


def bytes_per_conversation(conversations: int = CONVERSATIONS, *, hot: bool = False) -> float:
    """Retained bytes per live conversation in the Attributor (no expiry), ten events each with
    unique ids; `make bench` reports the same measurement over more conversations.

    Packed (idle) conversations, or with `hot` unpacked ones with their facts (`Limits.hot`)."""
    limits = Limits(hot=conversations + 1 if hot else 0)
    attributor = Attributor(ContractBook.from_tables({}, []), limits)
    attributor.apply(typical_conversation(-1)[0])  # warm caches (contract resolution, interning)
    # Built before tracing: pydantic's JSON string cache would otherwise count as state.
    events = [item for n in range(conversations) for item in typical_conversation(n)]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for item in events:
        attributor.apply(item)
    gc.collect()
    retained = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert len(attributor) == conversations + 1
    return retained / conversations


def test_a_typical_conversation_stays_within_its_documented_footprint() -> None:
    # core.py documents the measured figure; this guards it against regressions.
    assert bytes_per_conversation() < 300


def test_an_unpacked_conversation_costs_what_the_hot_limit_documents() -> None:
    # core.Limits.hot documents ~5 KB each: what an operator sizes the hot set by.
    assert 2_000 < bytes_per_conversation(hot=True) < 6_000


if __name__ == "__main__":
    print(f"{bytes_per_conversation():.0f} bytes per idle conversation")
    print(f"{bytes_per_conversation(hot=True):.0f} bytes per unpacked conversation")
