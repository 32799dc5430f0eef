"""Builders of validated test events for one hotel conversation, timed in minutes from T0."""

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from convtrack.schemas.envelope import Event
from convtrack.schemas.examples import example
from convtrack.schemas.registry import REGISTRY

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
_serial = itertools.count(100)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def event(event_type: str, minutes: float, conv: str = "c1", **fields: Any) -> Event:
    """Parsed the way the validate stage parses (JSON, strict), with a fresh event id."""
    payload = example(
        event_type,
        1,
        next(_serial),
        occurred_at=at(minutes).isoformat(),
        conversation_id=conv,
        turn_index=fields.pop("turn", None),
        **fields,
    )
    return REGISTRY.adapter.validate_json(orjson.dumps(payload))


def start(minutes: float, conv: str = "c1", **fields: Any) -> Event:
    return event("conversation_started", minutes, conv, **fields)


def intent(minutes: float, category: str = "hotels", conv: str = "c1", **fields: Any) -> Event:
    fields.setdefault("confidence", 0.9)
    fields.setdefault("stage", "decide")
    return event("intent_detected", minutes, conv, category=category, **fields)


def exposure(
    minutes: float,
    exposure_id: str,
    category: str = "hotels",
    relevance: float = 0.8,
    conv: str = "c1",
    **fields: Any,
) -> Event:
    fields.setdefault("kind", "recommendation")
    fields.setdefault("placement", "inline")
    fields.setdefault("position", 1)
    fields.setdefault("sponsored", False)
    return event(
        "exposure",
        minutes,
        conv,
        exposure_id=exposure_id,
        offer_id=f"offer-{exposure_id}",
        offer_category=category,
        relevance=relevance,
        **fields,
    )


def ad(minutes: float, exposure_id: str, conv: str = "c1", **fields: Any) -> Event:
    fields.setdefault("campaign_id", "spring-sale-2026")
    return exposure(
        minutes,
        exposure_id,
        conv=conv,
        surface="ad",
        surface_id="spring-sale",
        kind="ad",
        sponsored=True,
        **fields,
    )


def conversion(
    minutes: float, conversion_id: str = "order-1", value: str = "100.00", **fields: Any
) -> Event:
    fields.setdefault("currency", "EUR")
    fields.setdefault("offer_id", "offer-x")
    return event("conversion", minutes, conversion_id=conversion_id, value=value, **fields)


def adjusted(
    minutes: float, kind: str, amount: str, conversion_id: str = "order-1", **fields: Any
) -> Event:
    fields.setdefault("currency", "EUR")
    return event(
        "conversion_adjusted",
        minutes,
        conversion_id=conversion_id,
        kind=kind,
        amount=amount,
        **fields,
    )


def feedback(minutes: float, **fields: Any) -> Event:
    fields.setdefault("target", "exposure" if "exposure_id" in fields else "turn")
    return event("feedback", minutes, **fields)


def engagement(minutes: float, exposure_id: str, action: str = "click", **fields: Any) -> Event:
    return event("engagement", minutes, exposure_id=exposure_id, action=action, **fields)


def dismissed(minutes: float, exposure_id: str, action: str = "hide", conv: str = "c1") -> Event:
    return event("exposure_dismissed", minutes, conv, exposure_id=exposure_id, action=action)


def app_invoked(minutes: float, exposure_id: str | None = None, conv: str = "c1") -> Event:
    return event(
        "app_invoked",
        minutes,
        conv,
        surface="app",
        surface_id="booking-app",
        app_id="booking-app",
        invoked_by="user",
        exposure_id=exposure_id,
    )


def task_completed(minutes: float, success: bool = True, conv: str = "c1") -> Event:
    return event(
        "app_task_completed",
        minutes,
        conv,
        surface="app",
        surface_id="booking-app",
        app_id="booking-app",
        task="book-room",
        success=success,
    )
