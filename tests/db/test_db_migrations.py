"""Migrations: from empty to head on both backends, idempotent, concurrent, and matching schema.py."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from filmstudio.config import ConfigError
from orchestrator.db import Database, async_url
from orchestrator.db.schema import metadata
from tests.db.films import new_film


async def test_migrate_builds_every_table_from_empty(backend):
    db = await backend.open(migrate=False)
    await db.migrate()

    def inspect(conn):
        return set(sa.inspect(conn).get_table_names()), MigrationContext.configure(conn).get_current_revision()

    async with db.engine.connect() as conn:
        tables, revision = await conn.run_sync(inspect)
    assert tables == {"alembic_version", "users", "films", "shots", "assets", "film_assets", "events"}
    assert revision == "0001"
    await db.migrate()  # at head already: nothing to do
    assert (await new_film(db)).created


async def test_replicas_starting_together_migrate_once(backend):
    replicas = [await backend.open(migrate=False) for _ in range(3)]
    await asyncio.gather(*(db.migrate() for db in replicas))
    assert (await new_film(replicas[2])).created


async def test_the_migrations_create_exactly_the_schema_the_code_queries(db):
    def diff(conn):
        return compare_metadata(MigrationContext.configure(conn), metadata)

    async with db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


def test_urls_get_their_async_driver_and_others_are_refused():
    assert async_url("sqlite:///x.db").drivername == "sqlite+aiosqlite"
    assert async_url("postgresql://u@h/d").drivername == "postgresql+asyncpg"
    with pytest.raises(ConfigError, match="FILMSTUDIO_DATABASE_URL='mysql://h/d'"):
        Database("mysql://h/d")
