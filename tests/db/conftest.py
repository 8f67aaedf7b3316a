"""Every persistence test runs on SQLite and on PostgreSQL.

The PostgreSQL variant uses FILMSTUDIO_TEST_POSTGRES_URL (default: postgres@127.0.0.1:5432/test) and
skips, saying why, when that server is unreachable. Each test gets a fresh schema there, dropped
afterwards, so parallel runs never see each other's rows.
"""

from __future__ import annotations

import datetime
import os
import uuid

import asyncpg
import pytest

from orchestrator.db import Database, ManualClock, async_url

POSTGRES_URL = os.environ.get(
    "FILMSTUDIO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
_postgres_unreachable: list[str] = []  # the reason, once found


def _asyncpg_dsn(url: str) -> str:
    return async_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _postgres_skip_reason() -> str | None:
    if _postgres_unreachable:
        return _postgres_unreachable[0] or None
    try:
        conn = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL), timeout=3)
        await conn.close()
        _postgres_unreachable.append("")
        return None
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        reason = f"PostgreSQL at {POSTGRES_URL} is unreachable ({type(exc).__name__}: {exc})"
        _postgres_unreachable.append(reason)
        return reason


class Backend:
    """One database (a SQLite file, or a PostgreSQL schema) and the Database handles opened on it.

    `open()` again gives a second handle with its own engine and pool: a replica.
    """

    def __init__(self, name: str, url: str, schema: str | None, clock: ManualClock) -> None:
        self.name = name
        self.url = url
        self.schema = schema
        self.clock = clock
        self.opened: list[Database] = []

    async def open(self, migrate: bool = True, **options) -> Database:
        db = Database(self.url, clock=self.clock, schema=self.schema, **options)
        self.opened.append(db)
        if migrate:
            await db.migrate()
        return db

    async def close(self) -> None:
        for db in self.opened:
            await db.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.datetime(2030, 1, 1, 12, 0, tzinfo=datetime.UTC))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def backend(request, tmp_path, clock):
    if request.param == "sqlite":
        backend = Backend("sqlite", f"sqlite+aiosqlite:///{tmp_path / 'filmstudio.db'}", None, clock)
        yield backend
        await backend.close()
        return
    reason = await _postgres_skip_reason()
    if reason:
        pytest.skip(reason)
    schema = f"test_{uuid.uuid4().hex[:16]}"
    backend = Backend("postgresql", POSTGRES_URL, schema, clock)
    try:
        yield backend
    finally:
        await backend.close()
        conn = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL))
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()


@pytest.fixture
async def db(backend) -> Database:
    return await backend.open()
