"""Each scenario leaves the trace the metrics and alerts are meant to find."""

from collections import Counter, defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from statistics import mean

from convtrack.simulator import TRAP_SURFACE_ID, MalformedKind, Scenarios, SimulationConfig
from convtrack.simulator.clock import format_ms
from tests.simulator.helpers import Run, run

_CLEAN_CAMPAIGNS = ("city-breaks-promo", "winter-coats-promo", "savings-boost-promo")


def test_the_volume_trap_campaign_has_more_ads_and_less_relevance(default_run: Run) -> None:
    relevance: dict[str, list[float]] = defaultdict(list)
    for event in default_run.valid():
        if event["event_type"] == "exposure" and event["surface"] == "ad":
            relevance[event["surface_id"]].append(event["relevance"])
    trap = relevance[TRAP_SURFACE_ID]
    for clean in _CLEAN_CAMPAIGNS:
        assert len(trap) > 5 * len(relevance[clean])
        assert mean(trap) < mean(relevance[clean]) - 0.2


def test_the_volume_trap_brings_refunds_dismissals_and_negative_feedback(default_run: Run) -> None:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for event in default_run.valid():
        kind = event["event_type"]
        if kind == "feedback" and (event.get("thumb") == "down" or event.get("stars", 5) <= 2):
            kind = "negative_feedback"
        counts[event["surface_id"]][kind] += 1
    trap = counts[TRAP_SURFACE_ID]
    clean = sum((counts[c] for c in _CLEAN_CAMPAIGNS), Counter[str]())
    for signal in ("exposure_dismissed", "negative_feedback"):
        assert trap[signal] / trap["exposure"] > 2 * clean[signal] / clean["exposure"]
    rest = sum((n for surface, n in counts.items() if surface != TRAP_SURFACE_ID), Counter[str]())
    reversed_share = trap["conversion_adjusted"] / trap["conversion"]
    assert reversed_share > 3 * rest["conversion_adjusted"] / rest["conversion"]


def test_the_volume_trap_switches_off_alone() -> None:
    config = SimulationConfig(
        seed=7, duration=timedelta(hours=12), conversations=1_000,
        scenarios=Scenarios(volume_trap=False),
    )  # fmt: skip
    exposures = Counter(
        e["surface_id"] for e in run(config).valid() if e["event_type"] == "exposure"
    )
    assert exposures[TRAP_SURFACE_ID] < 2 * exposures["city-breaks-promo"]


def test_relevance_drops_on_one_surface_after_the_drop_time(default_run: Run) -> None:
    knobs = default_run.config.scenarios
    drop = format_ms(default_run.config.at(knobs.drop_at))
    before: list[float] = []
    after: list[float] = []
    for event in default_run.valid():
        if event["event_type"] == "exposure" and event["surface_id"] == knobs.drop_surface:
            (after if event["occurred_at"] >= drop else before).append(event["relevance"])
    assert mean(after) < mean(before) - 0.2


def test_a_refund_wave_reverses_more_conversions_inside_its_window() -> None:
    scenarios = replace(
        Scenarios.clean(), refund_wave=True, refund_wave_at=0.05, refund_wave_length=0.4
    )
    config = SimulationConfig(
        seed=11, duration=timedelta(days=2), conversations=5_000, scenarios=scenarios
    )
    window = (format_ms(config.at(0.05)), format_ms(config.at(0.45)))
    converted: dict[str, bool] = {}
    reversed_ids = set()
    for event in run(config).valid():
        if event["surface_id"] != scenarios.refund_wave_surface:
            continue
        if event["event_type"] == "conversion":
            converted[event["conversion_id"]] = window[0] <= event["occurred_at"] < window[1]
        elif event["event_type"] == "conversion_adjusted":
            reversed_ids.add(event["conversion_id"])
    inside = [cid in reversed_ids for cid, in_window in converted.items() if in_window]
    outside = [cid in reversed_ids for cid, in_window in converted.items() if not in_window]
    assert len(inside) >= 20
    assert mean(inside) > 0.25
    assert mean(inside) > 3 * mean(outside)


def test_late_events_arrive_after_later_events_and_stale_ones_beyond_a_week(
    default_run: Run,
) -> None:
    newest = ""
    behind, beyond_a_week = 0, 0
    for event in default_run.valid():
        occurred = event["occurred_at"]
        if occurred < newest:
            behind += 1
            newest_ms = _ms(newest)
            beyond_a_week += _ms(occurred) < newest_ms - 7 * 86_400_000
        newest = max(newest, occurred)
    summary = default_run.summary
    assert summary.late > 0
    assert summary.too_late > 0
    assert beyond_a_week == summary.too_late
    assert 0.9 * (summary.late + summary.too_late) <= behind <= summary.late + summary.too_late


def _ms(stamp: str) -> int:
    return round(datetime.fromisoformat(stamp).timestamp() * 1000)


def test_duplicates_are_byte_identical_resends_sent_later(default_run: Run) -> None:
    first_seen: dict[bytes, int] = {}
    resends = 0
    for position, line in enumerate(default_run.lines):
        if line in first_seen:
            resends += 1
            assert position > first_seen[line]
        else:
            first_seen[line] = position
    assert resends == default_run.summary.duplicates > 0


def test_about_one_percent_is_malformed_and_every_kind_appears(default_run: Run) -> None:
    summary = default_run.summary
    assert set(summary.malformed_by_kind) == {kind.value for kind in MalformedKind}
    assert 0.007 < summary.malformed / summary.payloads < 0.013
