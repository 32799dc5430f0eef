"""One line per alert that says what happened in numbers a growth lead reads, for terminals,
reports and annotations. The full evidence stays on the record."""

from collections.abc import Mapping

from convtrack.streams.alerts.records import Alert, AlertRule

_VOLUMES = ("exposures", "conversions")
_QUALITIES = ("quality_score", "kept_share", "intent_match_rate")


def describe(alert: Alert) -> str:
    evidence = dict(alert.evidence)
    if alert.rule is AlertRule.RELEVANCE_DROP:
        return _relevance(evidence)
    if alert.rule is AlertRule.VOLUME_TRAP:
        return _volume_trap(evidence)
    return _dead_letters(evidence)


def _relevance(e: Mapping[str, float]) -> str:
    return (
        f"relevance at intent {e['relevance_at_intent']:.2f} vs baseline "
        f"{e['baseline_mean']:.2f} (alerts below {e.get('threshold', 0):.2f}; "
        f"{e['exposures_at_intent']:.0f} exposures)"
    )


def _volume_trap(e: Mapping[str, float]) -> str:
    parts = [
        f"{name.replace('_', ' ')} {e[f'previous_{name}']:,.0f} -> {e[name]:,.0f}"
        for name in _VOLUMES
        if name in e and f"previous_{name}" in e
    ]
    parts += [
        f"{name.replace('_', ' ')} {e[f'previous_{name}']:.0%} -> {e[name]:.0%}"
        for name in _QUALITIES
        if name in e and f"previous_{name}" in e
    ]
    return "; ".join(parts)


def _dead_letters(e: Mapping[str, float]) -> str:
    reasons = ", ".join(
        f"{name.removeprefix('reason_')} {count:.0f}"
        for name, count in sorted(e.items())
        if name.startswith("reason_")
    )
    return (
        f"{e['dead_letters']:.0f} of {e['inputs']:.0f} inputs dead-lettered "
        f"({e['dead_letter_rate']:.1%}, limit {e['max_rate']:.0%}): {reasons}"
    )
