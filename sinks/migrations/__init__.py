"""Numbered migrations in code, applied in order by `convtrack db migrate` and recorded in
`schema_migrations`.

Add a schema change as the next `mNNNN_<name>.py` with a `MIGRATION`, and list it below.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import ClickHouseError

from convtrack import __version__
from convtrack.sinks.errors import MigrationError, StoreError, clickhouse_message
from convtrack.sinks.migrations import (
    m0001_events,
    m0002_dead_letters,
    m0003_conversion_facts,
    m0004_surface_metrics,
    m0005_ingest_metrics,
    m0006_alerts,
    m0007_event_properties,
)
from convtrack.sinks.migrations.migration import Migration

MIGRATIONS: tuple[Migration, ...] = (
    m0001_events.MIGRATION,
    m0002_dead_letters.MIGRATION,
    m0003_conversion_facts.MIGRATION,
    m0004_surface_metrics.MIGRATION,
    m0005_ingest_metrics.MIGRATION,
    m0006_alerts.MIGRATION,
    m0007_event_properties.MIGRATION,
)

_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations
(
    number UInt32,
    name String,
    checksum String,
    applied_at DateTime64(3, 'UTC'),
    convtrack_version String
)
ENGINE = ReplacingMergeTree(applied_at)
ORDER BY number
"""


@dataclass(frozen=True, slots=True)
class Applied:
    number: int
    name: str
    checksum: str
    applied_at: datetime


@dataclass(frozen=True, slots=True)
class Status:
    applied: tuple[Applied, ...]
    pending: tuple[Migration, ...]
    unknown: tuple[Applied, ...]
    """Recorded by a newer convtrack: this code must not write to that database."""
    edited: tuple[Migration, ...]
    """Applied, but the code's statements differ from what was applied."""

    @property
    def usable(self) -> bool:
        return not (self.unknown or self.edited)


def status(client: Client, migrations: tuple[Migration, ...] = MIGRATIONS) -> Status:
    recorded = {row.number: row for row in _recorded(client)}
    known = {m.number: m for m in migrations}
    return Status(
        applied=tuple(row for number, row in sorted(recorded.items()) if number in known),
        pending=tuple(m for m in migrations if m.number not in recorded),
        unknown=tuple(row for number, row in sorted(recorded.items()) if number not in known),
        edited=tuple(
            m
            for m in migrations
            if m.number in recorded and recorded[m.number].checksum != m.checksum
        ),
    )


def migrate(
    client: Client,
    migrations: tuple[Migration, ...] = MIGRATIONS,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> tuple[Migration, ...]:
    """Applies the pending migrations in order and returns them; a no-op when none is pending.
    Refuses (MigrationError) a database that is ahead of this code or was migrated by an
    edited migration, before changing anything."""
    _run(client, _LEDGER)
    current = status(client, migrations)
    if current.unknown:
        newest = current.unknown[-1]
        raise MigrationError(
            f"the database has migration {newest.number:04d}_{newest.name}, newer than this "
            f"convtrack knows (up to {migrations[-1].label}); upgrade convtrack or point "
            "CONVTRACK_CLICKHOUSE_DSN at another database"
        )
    if current.edited:
        raise MigrationError(
            f"migration {current.edited[0].label} was edited after it was applied; restore it "
            "and add the change as a new migration"
        )
    for migration in current.pending:
        for statement in migration.statements:
            _run(client, statement)
        _record(client, migration, now())
    return current.pending


def _recorded(client: Client) -> list[Applied]:
    exists = client.command("EXISTS TABLE schema_migrations")
    if not exists:
        return []
    result = client.query(
        "SELECT number, name, checksum, applied_at FROM schema_migrations FINAL ORDER BY number"
    )
    return [Applied(int(n), str(name), str(c), at) for n, name, c, at in result.result_rows]


def _record(client: Client, migration: Migration, at: datetime) -> None:
    try:
        client.insert(
            "schema_migrations",
            [[migration.number, migration.name, migration.checksum, at, __version__]],
            column_names=["number", "name", "checksum", "applied_at", "convtrack_version"],
        )
    except ClickHouseError as error:
        raise StoreError(
            f"migration {migration.label} ran but could not be recorded: "
            f"{clickhouse_message(error)}"
        ) from None


def _run(client: Client, statement: str) -> None:
    try:
        client.command(statement)
    except ClickHouseError as error:
        raise StoreError(f"migrating failed: {clickhouse_message(error)}") from None


__all__ = ["MIGRATIONS", "Applied", "Migration", "Status", "migrate", "status"]
