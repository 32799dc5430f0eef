"""The output is valid v1 traffic with the shape the design describes."""

from collections import Counter, defaultdict
from typing import Any
from uuid import UUID

from convtrack.schemas.registry import REGISTRY
from tests.simulator.helpers import Run, is_schema_valid, malformed_kind


def test_every_line_that_is_not_a_deliberate_fault_validates(default_run: Run) -> None:
    for line in default_run.lines:
        kind = malformed_kind(line)
        if kind is None:
            assert is_schema_valid(line), line[:300]
        elif kind != "future_timestamp":  # a valid shape; only the clock check rejects it
            assert not is_schema_valid(line), (kind, line[:300])


def test_event_ids_are_unique_version_4_uuids(default_run: Run) -> None:
    ids = [UUID(e["event_id"]) for e in default_run.valid()]
    assert len(set(ids)) == len(ids)
    assert {i.version for i in ids} == {4}


def test_every_event_type_appears(default_run: Run) -> None:
    seen = {event["event_type"] for event in default_run.valid()}
    assert seen == REGISTRY.event_types


def test_summary_counts_match_the_output(default_run: Run) -> None:
    summary = default_run.summary
    lines = default_run.lines
    valid = default_run.valid()
    assert summary.payloads == len(lines)
    assert Counter(e["event_type"] for e in valid) == summary.events_by_type
    kinds = Counter(k for k in map(malformed_kind, lines) if k is not None)
    assert kinds == summary.malformed_by_kind
    assert sum(n - 1 for n in Counter(lines).values()) == summary.duplicates
    started = summary.events_by_type["conversation_started"]
    assert started == summary.conversations + summary.stale_conversations


def test_app_events_come_only_from_app_surfaces(default_run: Run) -> None:
    app_events = [e for e in default_run.valid() if e["event_type"].startswith("app_")]
    assert app_events
    assert {e["surface"] for e in app_events} == {"app"}
    assert {e["app_id"] for e in app_events} <= {e["surface_id"] for e in app_events}


def test_ads_are_sponsored_and_name_their_campaign(default_run: Run) -> None:
    exposures = [e for e in default_run.valid() if e["event_type"] == "exposure"]
    for exposure in exposures:
        is_ad = exposure["surface"] == "ad"
        assert exposure["sponsored"] is is_ad
        assert ("campaign_id" in exposure) is is_ad
        assert (exposure["kind"] == "ad") is is_ad


def test_conversations_move_forward_in_time_and_turns(clean_run: Run) -> None:
    by_conversation: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in clean_run.valid():
        by_conversation[event["conversation_id"]].append(event)
    assert len(by_conversation) == clean_run.summary.conversations
    for events in by_conversation.values():
        times = [e["occurred_at"] for e in events]
        assert times == sorted(times)
        turns = [e["turn_index"] for e in events if "turn_index" in e]
        assert turns == sorted(turns)
        assert events[0]["event_type"] == "conversation_started"
        assert events[0]["turn_index"] == 0


def test_a_clean_run_is_sent_in_time_order_with_no_faults(clean_run: Run) -> None:
    times = [e["occurred_at"] for e in clean_run.valid()]
    assert times == sorted(times)
    assert len(clean_run.valid()) == len(clean_run.lines)
    summary = clean_run.summary
    assert (summary.late, summary.too_late, summary.duplicates, summary.malformed) == (0, 0, 0, 0)


def test_conversions_carry_exact_money_and_sometimes_an_exposure(default_run: Run) -> None:
    conversions = [e for e in default_run.valid() if e["event_type"] == "conversion"]
    assert all(isinstance(c["value"], str) for c in conversions)
    with_exposure = sum("exposure_id" in c for c in conversions)
    assert 0 < with_exposure < len(conversions)
    reversals = [e for e in default_run.valid() if e["event_type"] == "conversion_adjusted"]
    converted = {c["conversion_id"]: c for c in conversions}
    for reversal in reversals:
        original = converted[reversal["conversion_id"]]
        assert reversal["occurred_at"] > original["occurred_at"]
        assert float(reversal["amount"]) <= float(original["value"])
        assert reversal["currency"] == original["currency"]


def test_converters_come_back_to_the_same_surface(default_run: Run) -> None:
    assert default_run.summary.returning_conversations > 0
    converted_at: dict[tuple[str, str], str] = {}
    came_back = 0
    for event in sorted(default_run.valid(), key=lambda e: e["occurred_at"]):
        key = (event["user_id"], event["surface_id"])
        if event["event_type"] == "conversion":
            converted_at.setdefault(key, event["occurred_at"])
        elif event["event_type"] == "conversation_started" and key in converted_at:
            came_back += 1
    assert came_back >= default_run.summary.returning_conversations


def test_traffic_follows_a_daily_rhythm(default_run: Run) -> None:
    hours = Counter(
        int(e["occurred_at"][11:13])
        for e in default_run.valid()
        if e["event_type"] == "conversation_started"
    )
    assert hours[20] > 4 * hours[3]
