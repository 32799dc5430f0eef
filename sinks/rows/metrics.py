"""Metric snapshots as rows of `surface_metrics` and `ingest_metrics`: the window key, shard,
part and version, then one column per counter field, named as the field.

The converters go over the counters' fields by name rather than spelling each one, so the
metrics stage may change how a counter is held (say, Decimal to fixed-point int) without
touching this module, and a counter without a column is refused instead of dropped.
"""

from collections.abc import Callable
from dataclasses import fields
from datetime import datetime
from decimal import Decimal
from functools import cache
from operator import attrgetter
from typing import NamedTuple

from convtrack.sinks.rows.events import UnmappedFieldError
from convtrack.streams.metrics import (
    IngestCounters,
    IngestSnapshot,
    Keyed,
    SurfaceCounters,
    SurfaceSnapshot,
)


class SurfaceMetricRow(NamedTuple):
    tenant_id: str
    surface: str
    surface_id: str
    window_start: datetime
    shard: int
    part: int
    version: int
    exposures: int
    intent_matched_exposures: int
    exposures_at_intent: int
    relevance_sum_at_intent: Decimal
    engaged_exposures: int
    deep_engaged_exposures: int
    task_completed_exposures: int
    feedback_up: int
    feedback_down: int
    feedback_rated: int
    dismissals: int
    reports: int
    conversions: int
    attributed_conversions: int
    unattributed_conversions: int
    qualified_conversions: int
    assisted_conversions: int
    reversals: int
    regretted_conversions: int
    time_to_convert_seconds: Decimal
    time_to_convert_count: int
    explicit_exposure_joined: int
    explicit_exposure_missing: int
    value: dict[str, Decimal]
    net_value: dict[str, Decimal]
    refunded: dict[str, Decimal]
    quality_weighted_conversions: Decimal
    converters: int
    returning_converters: int
    conversations: int
    conversations_with_commercial_intent: int


class IngestMetricRow(NamedTuple):
    tenant_id: str
    window_start: datetime
    shard: int
    part: int
    version: int
    inputs: int
    valid: int
    duplicates: int
    late_accepted: int
    dead_letters: int
    dead_letters_by_reason: dict[str, int]


SURFACE_KEY_COLUMNS = SurfaceMetricRow._fields[:7]
SURFACE_COUNTER_COLUMNS = SurfaceMetricRow._fields[7:]
INGEST_KEY_COLUMNS = IngestMetricRow._fields[:5]
INGEST_COUNTER_COLUMNS = IngestMetricRow._fields[5:]


def surface_metric_row(snapshot: SurfaceSnapshot) -> SurfaceMetricRow:
    window = snapshot.window
    key = (window.tenant_id, window.surface, window.surface_id, window.window_start)
    return SurfaceMetricRow._make(
        (
            *key,
            snapshot.shard,
            snapshot.part,
            snapshot.version,
            *_values(snapshot.counters, _columns(SurfaceCounters, "surface_metrics")),
        )
    )


def ingest_metric_row(snapshot: IngestSnapshot) -> IngestMetricRow:
    window = snapshot.window
    return IngestMetricRow._make(
        (
            window.tenant_id,
            window.window_start,
            snapshot.shard,
            snapshot.part,
            snapshot.version,
            *_values(snapshot.counters, _columns(IngestCounters, "ingest_metrics")),
        )
    )


@cache
def _columns(counters: type[SurfaceCounters | IngestCounters], table: str) -> tuple[str, ...]:
    """The counter columns in row order, once it is known that every field has one."""
    columns = SURFACE_COUNTER_COLUMNS if counters is SurfaceCounters else INGEST_COUNTER_COLUMNS
    missing = sorted({f.name for f in fields(counters)} - set(columns))
    if missing:
        raise UnmappedFieldError(
            f"{counters.__name__} fields {missing} have no column in `{table}`; add a migration"
        )
    return columns


def _values(counters: SurfaceCounters | IngestCounters, columns: tuple[str, ...]) -> list[object]:
    values: tuple[object, ...] = _getter(columns)(counters)
    return [value.as_dict() if isinstance(value, Keyed) else value for value in values]


@cache
def _getter(columns: tuple[str, ...]) -> Callable[[object], tuple[object, ...]]:
    """Every column's attribute in one C call (the column tuples are long)."""
    return attrgetter(*columns)
