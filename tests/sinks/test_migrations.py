"""Migrations: applied in order and recorded, a no-op the second time, and a database ahead of
the code (or migrated by an edited migration) is refused before anything changes."""

from dataclasses import replace

import pytest
from clickhouse_connect.driver.client import Client

from convtrack.sinks import MIGRATIONS, Migration, MigrationError, StoreError, migrate, status


def _tables(client: Client) -> set[str]:
    result = client.query("SELECT name FROM system.tables WHERE database = currentDatabase()")
    return {str(name) for (name,) in result.result_rows}


def test_a_fresh_store_gets_every_migration_once(bare_store: Client) -> None:
    before = status(bare_store)
    assert before.pending == MIGRATIONS
    assert before.applied == ()

    assert migrate(bare_store) == MIGRATIONS
    assert migrate(bare_store) == ()

    after = status(bare_store)
    assert [(a.number, a.name) for a in after.applied] == [(m.number, m.name) for m in MIGRATIONS]
    assert after.pending == ()
    assert after.usable
    assert {"events", "dead_letters", "conversion_facts", "schema_migrations"} <= _tables(
        bare_store
    )


def test_numbers_are_unique_and_increasing() -> None:
    numbers = [m.number for m in MIGRATIONS]
    assert numbers == sorted(set(numbers))
    assert numbers[0] == 1


def test_only_the_new_migration_runs_after_an_upgrade(bare_store: Client) -> None:
    migrate(bare_store, MIGRATIONS[:1])
    assert migrate(bare_store) == MIGRATIONS[1:]


def test_a_database_ahead_of_the_code_is_refused(store: Client) -> None:
    with pytest.raises(MigrationError) as raised:
        migrate(store, MIGRATIONS[:1])
    message = str(raised.value)
    assert f"{MIGRATIONS[-1].label}, newer than this convtrack knows" in message
    assert "upgrade convtrack" in message
    assert [m.number for m in status(store, MIGRATIONS[:1]).unknown] == [
        m.number for m in MIGRATIONS[1:]
    ]


def test_an_edited_migration_is_refused(store: Client) -> None:
    edited = replace(MIGRATIONS[0], statements=("SELECT 1",))
    with pytest.raises(MigrationError, match="0001_events was edited"):
        migrate(store, (edited, *MIGRATIONS[1:]))


def test_reindenting_a_statement_is_not_an_edit() -> None:
    migration = MIGRATIONS[0]
    reindented = replace(
        migration, statements=tuple(" " + s.replace("\n", "\n  ") for s in migration.statements)
    )
    assert reindented.checksum == migration.checksum


def test_a_failing_migration_is_not_recorded_and_can_be_rerun(bare_store: Client) -> None:
    broken = Migration(
        9, "broken", ("CREATE TABLE IF NOT EXISTS x (a UInt8) ENGINE = Memory", "SELEC")
    )
    with pytest.raises(StoreError, match="migrating failed"):
        migrate(bare_store, (*MIGRATIONS, broken))
    assert [m.number for m in status(bare_store, (*MIGRATIONS, broken)).pending] == [9]
    fixed = replace(broken, statements=broken.statements[:1])
    assert migrate(bare_store, (*MIGRATIONS, fixed)) == (fixed,)
