"""Each stored table: its name, its row type, and the natural key (+ version) of a row, which
is what makes a batch's insert_deduplication_token deterministic."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from convtrack.sinks.rows import (
    AlertRow,
    ConversionFactRow,
    DeadLetterRow,
    EventRow,
    IngestMetricRow,
    SurfaceMetricRow,
)

R = TypeVar("R", bound=tuple[Any, ...])


@dataclass(frozen=True, slots=True)
class Table(Generic[R]):
    name: str
    row_type: type[R]
    key: Callable[[R], tuple[object, ...]]

    @property
    def columns(self) -> tuple[str, ...]:
        fields: tuple[str, ...] = getattr(self.row_type, "_fields", ())
        return fields


def _event_key(row: EventRow) -> tuple[object, ...]:
    return (row.event_id,)


def _dead_letter_key(row: DeadLetterRow) -> tuple[object, ...]:
    return (row.dead_letter_id,)


def _conversion_fact_key(row: ConversionFactRow) -> tuple[object, ...]:
    return (row.tenant_id, row.conversion_id, row.version)


def _surface_metric_key(row: SurfaceMetricRow) -> tuple[object, ...]:
    return (
        row.tenant_id,
        row.surface,
        row.surface_id,
        row.window_start,
        row.shard,
        row.part,
        row.version,
    )


def _ingest_metric_key(row: IngestMetricRow) -> tuple[object, ...]:
    return (row.tenant_id, row.window_start, row.shard, row.part, row.version)


def _alert_key(row: AlertRow) -> tuple[object, ...]:
    return (row.alert_id, row.version)


EVENTS = Table("events", EventRow, _event_key)
DEAD_LETTERS = Table("dead_letters", DeadLetterRow, _dead_letter_key)
CONVERSION_FACTS = Table("conversion_facts", ConversionFactRow, _conversion_fact_key)
SURFACE_METRICS = Table("surface_metrics", SurfaceMetricRow, _surface_metric_key)
INGEST_METRICS = Table("ingest_metrics", IngestMetricRow, _ingest_metric_key)
ALERTS = Table("alerts", AlertRow, _alert_key)
TABLES: tuple[Table[Any], ...] = (
    EVENTS,
    DEAD_LETTERS,
    CONVERSION_FACTS,
    SURFACE_METRICS,
    INGEST_METRICS,
    ALERTS,
)

__all__ = [
    "ALERTS",
    "CONVERSION_FACTS",
    "DEAD_LETTERS",
    "EVENTS",
    "INGEST_METRICS",
    "SURFACE_METRICS",
    "TABLES",
    "Table",
]
