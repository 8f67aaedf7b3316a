"""The database engine: connections and transactions on SQLite or PostgreSQL, migrations, and rows
mapped to records. Every table module (events, leases, shots, films, assets) builds on `Engine`.

Writes on SQLite are serialized by an in-process lock and BEGIN IMMEDIATE (so several coroutines, or
several processes, never meet 'database is locked'); on PostgreSQL, row locks do it and claims use
FOR UPDATE SKIP LOCKED, so replicas share the work. Deadlocks and serialization failures are retried.

Reads on a SQLite file written as plain functions (`_read_sync`) run on a synchronous engine, in
the event loop's own thread. Through aiosqlite every DBAPI call is its own hop to the connection's
thread and back (nine for one SELECT in a transaction): ~1.5 ms of a GetFilm on the 2-core machine.
One hop to a reader thread for the whole transaction still cost ~0.5 ms of its ~0.85 ms: waking the
other vCPU, and the read's Python (row mapping, most of its time) running there at half speed on
cold caches (0.47 ms against 0.25 ms inline). The loop lost nothing to the thread's absence: the
read holds the GIL for all but SQLite's own steps. A WAL reader waits for nobody but in rare moments
(recovery, a connection closing the file): the loop's connections do not wait (busy_timeout 0),
and a read they find busy runs again on a reader thread, which waits as writers do.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import pathlib
import re
import secrets
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from filmstudio.config import Config, ConfigError
from filmstudio.v1 import film_pb2, script_pb2
from orchestrator.db.clock import Clock, utc_now
from orchestrator.db.records import FilmRecord, ShotRecord, same_key

T = TypeVar("T")

MIGRATIONS_DIR = pathlib.Path(__file__).parent / "migrations"
_MIGRATION_LOCK = 0x46494C4D  # pg_advisory_xact_lock key: replicas starting together migrate one at a time
_RETRIES = 5
_RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock
_SQLITE_BUSY_S = 30  # how long a SQLite connection waits for another's lock
_SQLITE_READERS = 4  # reader threads (and their connections) per SQLite Database
_FILMS_REMEMBERED = 512  # films read with their shots whose records are kept for the next read (FilmReads)


def async_url(url: str) -> sa.URL:
    """The URL with its async driver: sqlite -> sqlite+aiosqlite, postgresql -> postgresql+asyncpg."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise ConfigError(f"FILMSTUDIO_DATABASE_URL={url!r}: not a database URL") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg")
    raise ConfigError(
        f"FILMSTUDIO_DATABASE_URL={url!r}: expected sqlite+aiosqlite:///path or postgresql+asyncpg://..."
    )


class Engine:
    """Connections, transactions and migrations. `await migrate()` once at start, `await close()` at the end."""

    def __init__(
        self,
        url: str,
        *,
        clock: Clock = utc_now,
        schema: str | None = None,
        object_uri: Callable[[str], str] = same_key,
        poll_interval_s: float = 0.2,
        monthly_grant_s: float = Config.monthly_credit_s,
    ) -> None:
        """`schema` (PostgreSQL only) puts every table in that schema (tests use one per test).
        `object_uri` turns a shot's asset key into the URI shot events carry (ObjectStore.uri).
        `monthly_grant_s` is the credit each user's balance is topped up to once a month (db.credits)."""
        self.url = async_url(url)
        self.dialect = self.url.get_backend_name()
        self.clock = clock
        self.schema = schema
        self.object_uri = object_uri
        self.poll_interval_s = poll_interval_s
        self.monthly_grant_s = monthly_grant_s
        self._write_lock = asyncio.Lock()
        self._film_reads = FilmReads()
        self.engine: AsyncEngine
        # A SQLite file's synchronous engines for _read_sync (None elsewhere): the loop's own, which
        # never waits for a lock, and the reader threads', which do.
        self._inline_reader: sa.Engine | None = None
        self._reader: sa.Engine | None = None
        self._reader_threads: concurrent.futures.ThreadPoolExecutor | None = None
        if self.dialect == "sqlite":
            self.engine = create_async_engine(self.url)
            _sqlite_listen(self.engine.sync_engine)
            if self.url.database and self.url.database != ":memory:":  # :memory: is one connection's own
                pathlib.Path(self.url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
                self._reader = sa.create_engine(self.url.set(drivername="sqlite"), pool_size=_SQLITE_READERS)
                _sqlite_listen(self._reader)
                self._inline_reader = sa.create_engine(self.url.set(drivername="sqlite"), pool_size=1)
                _sqlite_listen(self._inline_reader)
                sa_event.listen(self._inline_reader, "connect", _sqlite_never_wait)
                self._reader_threads = concurrent.futures.ThreadPoolExecutor(
                    _SQLITE_READERS, thread_name_prefix="sqlite-read")
        else:
            if schema is not None and not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
                raise ConfigError(f"database schema {schema!r}: expected a lowercase SQL identifier")
            connect_args = {"server_settings": {"search_path": schema}} if schema else {}
            self.engine = create_async_engine(self.url, pool_pre_ping=True, connect_args=connect_args)

    async def migrate(self) -> None:
        """Bring the schema to the newest revision (Alembic `upgrade head`); safe from many replicas."""

        def upgrade(sync_conn: sa.Connection) -> None:
            from alembic import command
            from alembic.config import Config

            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS_DIR))
            config.attributes["connection"] = sync_conn
            command.upgrade(config, "head")

        async def work(conn: AsyncConnection) -> None:
            if self.dialect == "postgresql":
                await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
                if self.schema:
                    await conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
            await conn.run_sync(upgrade)

        await self._write(work)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader_threads.shutdown()  # waits for reads in flight: milliseconds
            self._reader.dispose()
            self._inline_reader.dispose()
        await self.engine.dispose()

    async def _write(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run `work` in one write transaction, retrying PostgreSQL deadlocks and serialization failures.

        Shielded: a caller cancelled mid-transaction (a job stopped by CancelFilm or DeleteFilm) gets its
        CancelledError at once, while the transaction itself runs to its commit or rollback. Cancelling
        it inside the driver could leave a SQLite connection holding the file's write lock, so every
        later write waited out busy_timeout and failed ('database is locked')."""
        return await asyncio.shield(asyncio.ensure_future(self._write_now(work)))

    async def _write_now(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        for attempt in range(_RETRIES):
            try:
                if self.dialect == "sqlite":
                    async with self._write_lock:
                        return await self._transact(work, write=True)
                return await self._transact(work, write=True)
            except sa.exc.DBAPIError as exc:
                sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
                if sqlstate not in _RETRYABLE_SQLSTATES or attempt == _RETRIES - 1:
                    raise
                await asyncio.sleep(0.01 * 2**attempt + secrets.randbelow(10) / 1000)
        raise AssertionError("unreachable")

    async def _read(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        return await self._transact(work, write=False)

    async def _read_sync(self, work: Callable[[sa.Connection], T]) -> T:
        """Run `work`, a plain function, in one read transaction that sees one snapshot. On a SQLite
        file it runs here, in the loop's thread, or on a reader thread when SQLite is busy (see the
        module's docstring); elsewhere on the async engine through AsyncConnection.run_sync, on
        PostgreSQL REPEATABLE READ READ ONLY (under the default READ COMMITTED every statement would
        see its own snapshot; asyncpg says so in the BEGIN)."""
        if self._reader is None:
            async with self.engine.connect() as conn:
                if self.dialect == "postgresql":
                    await conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
                async with conn.begin():
                    return await conn.run_sync(work)

        def transact(engine: sa.Engine) -> T:
            with engine.connect() as conn, conn.begin():
                return work(conn)

        try:
            return transact(self._inline_reader)
        except sa.exc.OperationalError as exc:
            if not _sqlite_busy(exc):
                raise
        return await asyncio.get_running_loop().run_in_executor(self._reader_threads, transact, self._reader)

    async def _transact(self, work: Callable[[AsyncConnection], Awaitable[T]], *, write: bool) -> T:
        async with self.engine.connect() as conn:
            if write:
                await conn.execution_options(filmstudio_write=True)
            async with conn.begin():
                return await work(conn)

    def _insert(self, table: sa.Table) -> Any:
        """INSERT with this dialect's ON CONFLICT clauses."""
        return (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(table)


# --- rows to records -----------------------------------------------------------------------------------

def film_record(row: Any, created: bool = False, shots: Iterable[ShotRecord] | None = None) -> FilmRecord:
    m = row._mapping
    return FilmRecord(
        id=m["id"],
        public_id=m["public_id"] or m["id"],
        owner=m["owner"],
        request_id=m["request_id"] or "",
        display_name=m["display_name"],
        state=m["state"],
        progress=m["progress"],
        script=m["script"],
        settings=film_pb2.FilmSettings.FromString(m["settings"]),
        scene_graph=None if m["scene_graph"] is None else script_pb2.SceneGraph.FromString(m["scene_graph"]),
        outputs=None if m["outputs"] is None else film_pb2.FilmOutputs.FromString(m["outputs"]),
        error_code=m["error_code"],
        error_message=m["error_message"],
        cancel_requested=m["cancel_requested"],
        attempts=m["attempts"],
        not_before=m["not_before"],
        lease_owner=m["lease_owner"],
        lease_expires_at=m["lease_expires_at"],
        seconds=m["seconds"],
        last_sequence=m["last_sequence"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        deleted_at=m["deleted_at"],
        traceparent=m["traceparent"] or "",
        shots=None if shots is None else tuple(shots),
        created=created,
    )


class FilmReads:
    """The records last built for films read with their shots, each with the very rows (the film's
    and its shots') it was built from. A read whose rows are equal, value for value, to the ones
    kept gets the kept record back, unbuilt: nothing is parsed or mapped for a film that did not
    change, and no write can make a read stale, since any change is a different row. Records are
    immutable but for their messages, which a caller must not change. Bounded; cleared whole when
    full. Safe from the reader threads too: one dict get or set each."""

    def __init__(self, size: int = _FILMS_REMEMBERED) -> None:
        self.size = size
        self._records: dict[str, tuple[tuple[Any, ...], FilmRecord]] = {}

    def record(self, row: Any, shot_rows: Sequence[Any]) -> FilmRecord:
        rows = (row, *shot_rows)
        known = self._records.get(row.id)
        if known is not None and known[0] == rows:
            return known[1]
        record = film_record(row, shots=[shot_record(shot_row) for shot_row in shot_rows])
        if len(self._records) >= self.size:
            self._records.clear()
        self._records[row.id] = (rows, record)
        return record


def shot_record(row: Any) -> ShotRecord:
    m = row._mapping
    values = {field: m[field] for field in ShotRecord.__dataclass_fields__ if field != "line_seconds"}
    line_seconds = m["line_seconds"]
    return ShotRecord(**values, line_seconds=None if line_seconds is None else tuple(json.loads(line_seconds)))


def line_seconds_column(line_seconds: tuple[float, ...]) -> str:
    """How a shot's line lengths are stored (JSON; shortest repr round-trips every float exactly)."""
    return json.dumps(list(line_seconds))


# --- SQLite connection settings ------------------------------------------------------------------------

def _sqlite_listen(engine: sa.Engine) -> None:
    sa_event.listen(engine, "connect", _sqlite_connect)
    sa_event.listen(engine, "begin", _sqlite_begin)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transactions out of the driver's hands so BEGIN is ours (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_S * 1000}")
    _use_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_never_wait(dbapi_connection: Any, _record: Any) -> None:
    # After _sqlite_connect: this connection is refused at once where it would wait for a lock.
    dbapi_connection.execute("PRAGMA busy_timeout=0")


def _sqlite_busy(exc: sa.exc.OperationalError) -> bool:
    """Whether SQLite refused for a lock someone else holds (SQLITE_BUSY, 'database is locked')."""
    code = getattr(exc.orig, "sqlite_errorcode", 0) & 0xFF  # the primary code of an extended one
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in str(exc.orig)


def _use_wal(cursor: Any) -> None:
    """Put the database file in WAL mode (it stays so). Switching needs the file to itself, and SQLite
    answers 'database is locked' at once, without waiting out busy_timeout, when replicas that start
    together open a new file: try again for as long as busy_timeout would have waited. The short
    sleeps block the event loop, but only in that race, only at connect."""
    deadline = time.monotonic() + _SQLITE_BUSY_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(0.005 + secrets.randbelow(20) / 1000)


def _sqlite_begin(conn: sa.Connection) -> None:
    # Writers take the write lock up front: a deferred transaction that reads and then writes can
    # fail with 'database is locked' whatever the busy timeout when another process wrote meanwhile.
    write = conn.get_execution_options().get("filmstudio_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
