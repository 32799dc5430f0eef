"""One typed row per table, in the table's column order, and the function that builds it from
the domain value. A drift test holds each row's fields equal to its table's columns."""

from convtrack.sinks.rows.alerts import ALERT_VERSIONS, AlertRow, alert_row
from convtrack.sinks.rows.conversion_facts import ConversionFactRow, conversion_fact_row
from convtrack.sinks.rows.dead_letters import (
    QUERY_FORMATS,
    DeadLetterRow,
    dead_letter_from_row,
    dead_letter_row,
)
from convtrack.sinks.rows.events import EventRow, UnmappedFieldError, event_row
from convtrack.sinks.rows.metrics import (
    IngestMetricRow,
    SurfaceMetricRow,
    ingest_metric_row,
    surface_metric_row,
)

__all__ = [
    "ALERT_VERSIONS",
    "QUERY_FORMATS",
    "AlertRow",
    "ConversionFactRow",
    "DeadLetterRow",
    "EventRow",
    "IngestMetricRow",
    "SurfaceMetricRow",
    "UnmappedFieldError",
    "alert_row",
    "conversion_fact_row",
    "dead_letter_from_row",
    "dead_letter_row",
    "event_row",
    "ingest_metric_row",
    "surface_metric_row",
]
