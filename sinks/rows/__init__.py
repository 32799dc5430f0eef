"""One typed row per table, in the table's column order, and the function that builds it from
the domain value. A drift test holds each row's fields equal to its table's columns."""

from convtrack.sinks.rows.conversion_facts import ConversionFactRow, conversion_fact_row
from convtrack.sinks.rows.dead_letters import (
    QUERY_FORMATS,
    DeadLetterRow,
    dead_letter_from_row,
    dead_letter_row,
)
from convtrack.sinks.rows.events import EventRow, UnmappedFieldError, event_row

__all__ = [
    "QUERY_FORMATS",
    "ConversionFactRow",
    "DeadLetterRow",
    "EventRow",
    "UnmappedFieldError",
    "conversion_fact_row",
    "dead_letter_from_row",
    "dead_letter_row",
    "event_row",
]
