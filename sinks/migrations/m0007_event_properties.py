"""`events.properties`: the fields of event types that have no typed column of their own.

Adding an event type is one schema file and one test; its new fields land here (strings as
they are, other values as JSON) until a dashboard needs one as a typed column, which is then
a migration of its own. Frozen once applied.
"""

from convtrack.sinks.migrations.migration import Migration

MIGRATION = Migration(
    7,
    "event_properties",
    (
        """
        ALTER TABLE events
        ADD COLUMN IF NOT EXISTS properties Map(LowCardinality(String), String) CODEC(ZSTD(1))
        """,
    ),
)
