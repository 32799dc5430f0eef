"""An `AlertEvaluator`'s memory as plain JSON-able values, and back: baselines, open incidents
with their frozen references, the volume trap's running and previous periods.

The worker's alert stage saves it after every judged period so a restarted worker goes on with
the same baselines and hysteresis instead of starting blind (and firing an open incident
again). It lives beside the rules because it reads their private tracks: a field added to a
track must be added here, and tests/streams/alerts/test_state.py (a restored evaluator judges
like the one it came from) fails until it is.

Numbers stay exact: Decimals as strings (exponent included), evidence floats as JSON floats
(orjson writes the shortest repr, which reads back to the same float).
"""

from collections import deque
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from convtrack.schemas.types import Surface
from convtrack.streams.alerts.evaluator import AlertEvaluator
from convtrack.streams.alerts.records import AlertRule, Incident, Severity, Subject
from convtrack.streams.alerts.relevance import _Track as RelevanceTrack
from convtrack.streams.alerts.volume import _Track as VolumeTrack
from convtrack.streams.metrics.counters import Amounts, SurfaceCounters

Document = dict[str, Any]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def export_state(evaluator: AlertEvaluator) -> Document:
    relevance = evaluator._relevance._tracks
    volume = evaluator._volume._tracks
    dead_letters = evaluator._dead_letters._incidents
    return {
        "subjects": sorted(_subject(s) for s in evaluator._subjects),
        "tenants": sorted(evaluator._tenants),
        "relevance": [
            [
                _subject(subject),
                [[_micros(at), str(value), n] for at, value, n in track.history],
                _incident(track.incident),
                str(track.resolve_below),
            ]
            for subject, track in sorted(relevance.items())
        ],
        "volume": [
            [
                _subject(subject),
                None if track.start is None else _micros(track.start),
                _counters(track.totals),
                None if track.previous is None else _counters(track.previous),
                _incident(track.incident),
            ]
            for subject, track in sorted(volume.items())
        ],
        "dead_letters": [_incident(i) for _, i in sorted(dead_letters.items())],
    }


def restore_state(evaluator: AlertEvaluator, document: Document) -> None:
    """Puts `document` (from `export_state`) into a new evaluator built with the same contracts
    and tuning."""
    evaluator._subjects = {_to_subject(s) for s in document["subjects"]}
    evaluator._tenants = set(document["tenants"])
    relevance = evaluator._relevance._tracks
    for subject, history, incident, resolve_below in document["relevance"]:
        relevance[_to_subject(subject)] = RelevanceTrack(
            deque((_at(at), Decimal(value), n) for at, value, n in history),
            _to_incident(incident),
            Decimal(resolve_below),
        )
    volume = evaluator._volume._tracks
    for subject, start, totals, previous, incident in document["volume"]:
        volume[_to_subject(subject)] = VolumeTrack(
            None if start is None else _at(start),
            _to_counters(totals),
            None if previous is None else _to_counters(previous),
            _to_incident(incident),
        )
    dead_letters = evaluator._dead_letters._incidents
    for document_incident in document["dead_letters"]:
        incident = _to_incident(document_incident)
        if incident is not None:
            dead_letters[incident.subject.tenant_id] = incident


def _micros(at: datetime) -> int:
    return (at - _EPOCH) // _US


def _at(micros: int) -> datetime:
    return _EPOCH + micros * _US


def _subject(subject: Subject) -> list[str | None]:
    return [subject.tenant_id, subject.surface, subject.surface_id]


def _to_subject(values: list[str | None]) -> Subject:
    tenant, surface, surface_id = values
    return Subject(str(tenant), None if surface is None else Surface(surface), surface_id)


def _incident(incident: Incident | None) -> Document | None:
    if incident is None:
        return None
    return {
        "rule": incident.rule.value,
        "subject": _subject(incident.subject),
        "severity": incident.severity.value,
        "started": _micros(incident.started_at),
        "fired": _micros(incident.fired_at),
        "reference": [list(pair) for pair in incident.reference],
    }


def _to_incident(document: Document | None) -> Incident | None:
    if document is None:
        return None
    return Incident(
        AlertRule(document["rule"]),
        _to_subject(document["subject"]),
        Severity(document["severity"]),
        _at(document["started"]),
        _at(document["fired"]),
        tuple((str(name), float(value)) for name, value in document["reference"]),
    )


def _counters(counters: SurfaceCounters) -> Document:
    """The fields that differ from their default: ints as ints, Decimals as strings, money as
    [currency, amount] pairs."""
    out: Document = {}
    for field in fields(SurfaceCounters):
        value = getattr(counters, field.name)
        if value == field.default:
            continue
        if isinstance(value, Amounts):
            out[field.name] = [[currency, str(amount)] for currency, amount in value.items]
        elif isinstance(value, Decimal):
            out[field.name] = str(value)
        else:
            out[field.name] = value
    return out


def _to_counters(document: Document) -> SurfaceCounters:
    values: Document = {}
    for field in fields(SurfaceCounters):
        if field.name not in document:
            continue
        value = document[field.name]
        if isinstance(field.default, Amounts):
            values[field.name] = Amounts(tuple((c, Decimal(a)) for c, a in value))
        elif isinstance(field.default, Decimal):
            values[field.name] = Decimal(value)
        else:
            values[field.name] = value
    return SurfaceCounters(**values)
