"""The orchestrator's durable state: films, their shots, their event logs, and the assets they use.

One `Database` per process. Every method is one transaction. Writes on SQLite are serialized by an
in-process lock and BEGIN IMMEDIATE (so several coroutines, or several processes, never meet
'database is locked'); on PostgreSQL, row locks do it and claims use FOR UPDATE SKIP LOCKED, so
replicas share the work.

Leases: a worker holds a film while `films.lease_owner` names it. The lease's expiry only says when
*another* worker may take the film over; a worker whose lease ran out but was not taken over still
holds it (renew_lease succeeds). Every write a worker makes (set_state, put_shots, set_shot) checks
the lease in the same transaction and raises LeaseLost if another worker took over.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime
import json
import logging
import pathlib
import re
import secrets
import sqlite3
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import grpc
import sqlalchemy as sa
from google.rpc import code_pb2, status_pb2
from sqlalchemy import event as sa_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from filmstudio.config import ConfigError
from filmstudio.errors import AlreadyExists, FailedPrecondition, FilmStudioError, InvalidArgument, NotFound
from filmstudio.v1 import film_pb2, script_pb2
from orchestrator.db import lifecycle
from orchestrator.db.clock import Clock, utc_now
from orchestrator.db.records import FilmRecord, ShotRecord, film_name, same_key, shot_name, timestamp
from orchestrator.db.schema import assets, events, film_assets, films, shots, users

log = logging.getLogger(__name__)

T = TypeVar("T")

MIGRATIONS_DIR = pathlib.Path(__file__).parent / "migrations"
FILM_ID = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")  # AIP-122 resource id
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
DEFAULT_FILM_SECONDS = 60.0
EVENTS_CHANNEL = "filmstudio_events"
_MIGRATION_LOCK = 0x46494C4D  # pg_advisory_xact_lock key: replicas starting together migrate one at a time
_RETRIES = 5
_RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock


class LeaseLost(FilmStudioError):
    """The worker no longer holds the film: another worker took it over, or the film was deleted.

    The worker must stop working on the film and must not retry the write.
    """

    code = grpc.StatusCode.ABORTED


def _status(error: status_pb2.Status | FilmStudioError | None) -> status_pb2.Status | None:
    if error is None or isinstance(error, status_pb2.Status):
        return error
    return status_pb2.Status(code=error.code.value[0], message=error.message)


def _seconds(duration) -> float:
    return duration.seconds + duration.nanos / 1e9


def _film(row: Any, created: bool = False) -> FilmRecord:
    m = row._mapping
    return FilmRecord(
        id=m["id"],
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
        created=created,
    )


def _shot(row: Any) -> ShotRecord:
    m = row._mapping
    return ShotRecord(**{field: m[field] for field in ShotRecord.__dataclass_fields__})


def _encode_page_token(created_at: datetime.datetime, film_id: str) -> str:
    raw = json.dumps({"c": created_at.isoformat(), "i": film_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_page_token(token: str) -> tuple[datetime.datetime, str]:
    try:
        cursor = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        created_at = datetime.datetime.fromisoformat(cursor["c"])
        if created_at.tzinfo is None or not isinstance(cursor["i"], str):
            raise ValueError
        return created_at, cursor["i"]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidArgument(f"page_token {token[:40]!r} is not one this service issued") from None


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


class Database:
    """The orchestrator's persistence. `await migrate()` once at start, `await close()` at the end."""

    def __init__(
        self,
        url: str,
        *,
        clock: Clock = utc_now,
        schema: str | None = None,
        object_uri: Callable[[str], str] = same_key,
        poll_interval_s: float = 0.2,
    ) -> None:
        """`schema` (PostgreSQL only) puts every table in that schema (tests use one per test).
        `object_uri` turns a shot's asset key into the URI shot events carry (ObjectStore.uri)."""
        self.url = async_url(url)
        self.dialect = self.url.get_backend_name()
        self.clock = clock
        self.schema = schema
        self.object_uri = object_uri
        self.poll_interval_s = poll_interval_s
        self._write_lock = asyncio.Lock()
        self._signals: dict[str, asyncio.Event] = {}
        self._listener: AsyncConnection | None = None
        self._listener_lock = asyncio.Lock()
        if self.dialect == "sqlite":
            if self.url.database and self.url.database != ":memory:":
                pathlib.Path(self.url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_async_engine(self.url)
            sa_event.listen(self.engine.sync_engine, "connect", _sqlite_connect)
            sa_event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        else:
            if schema is not None and not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
                raise ConfigError(f"database schema {schema!r}: expected a lowercase SQL identifier")
            connect_args = {"server_settings": {"search_path": schema}} if schema else {}
            self.engine = create_async_engine(self.url, pool_pre_ping=True, connect_args=connect_args)

    # --- plumbing -------------------------------------------------------------------------------

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
        if self._listener is not None:
            await self._listener.close()
            self._listener = None
        await self.engine.dispose()

    async def _write(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run `work` in one write transaction, retrying PostgreSQL deadlocks and serialization failures."""
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

    async def _transact(self, work: Callable[[AsyncConnection], Awaitable[T]], *, write: bool) -> T:
        async with self.engine.connect() as conn:
            if write:
                await conn.execution_options(filmstudio_write=True)
            async with conn.begin():
                return await work(conn)

    def _insert(self, table: sa.Table):
        return (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(table)

    async def _append(self, conn: AsyncConnection, film_id: str, event: film_pb2.FilmEvent) -> film_pb2.FilmEvent:
        """Append `event` to the film's log in the caller's transaction: the next sequence, now, and
        the film's progress (event.progress > 0 also sets the film's progress)."""
        values: dict[str, Any] = {"last_sequence": films.c.last_sequence + 1}
        if event.progress > 0:
            values["progress"] = event.progress
        # The UPDATE row-locks the film until commit, so concurrent appends queue and never leave a gap.
        row = (
            await conn.execute(
                sa.update(films)
                .where(films.c.id == film_id)
                .values(**values)
                .returning(films.c.last_sequence, films.c.progress)
            )
        ).first()
        if row is None:
            raise NotFound(f"film {film_name(film_id)} not found")
        now = self.clock()
        appended = film_pb2.FilmEvent()
        appended.CopyFrom(event)
        appended.sequence = row.last_sequence
        appended.film = film_name(film_id)
        appended.create_time.CopyFrom(timestamp(now))
        appended.progress = row.progress
        await conn.execute(
            sa.insert(events).values(
                film_id=film_id, sequence=row.last_sequence, payload=appended.SerializeToString(), created_at=now
            )
        )
        if self.dialect == "postgresql":
            await conn.execute(sa.select(sa.func.pg_notify(EVENTS_CHANNEL, film_id)))
        return appended

    def _notify(self, film_id: str) -> None:
        signal = self._signals.pop(film_id, None)
        if signal is not None:
            signal.set()

    async def _leased_film(self, conn: AsyncConnection, film_id: str, worker: str) -> Any:
        """The film's row, locked, if `worker` holds its lease; else LeaseLost."""
        row = (await conn.execute(sa.select(films).where(films.c.id == film_id).with_for_update())).first()
        if row is None:
            raise LeaseLost(f"film {film_name(film_id)} no longer exists; worker {worker} must stop")
        if row.lease_owner != worker:
            raise LeaseLost(
                f"worker {worker} no longer holds the lease on film {film_name(film_id)}"
                f" (held by {row.lease_owner or 'nobody'})"
            )
        return row

    # --- films ----------------------------------------------------------------------------------

    async def create_film(
        self,
        owner: str,
        script: str,
        settings: film_pb2.FilmSettings,
        display_name: str = "",
        film_id: str | None = None,
        request_id: str = "",
    ) -> FilmRecord:
        """Queue a new film (and its first event, QUEUED). The same owner and non-empty request_id
        again returns the first film with `created=False`. A film_id already taken: AlreadyExists."""
        _check_owner(owner)
        if film_id and not FILM_ID.match(film_id):
            raise InvalidArgument(
                f"film_id {film_id!r}: use 1-63 lowercase letters, digits and hyphens, starting with a letter"
            )
        if len(request_id) > 128:
            raise InvalidArgument(f"request_id is {len(request_id)} characters; at most 128 are allowed")
        new_id = film_id or "f" + secrets.token_hex(8)
        target = _seconds(settings.target_duration) if settings.HasField("target_duration") else 0.0

        async def existing(conn: AsyncConnection) -> FilmRecord | None:
            if not request_id:
                return None
            row = (
                await conn.execute(
                    sa.select(films).where(films.c.owner == owner, films.c.request_id == request_id)
                )
            ).first()
            return None if row is None else _film(row)

        async def work(conn: AsyncConnection) -> FilmRecord:
            found = await existing(conn)
            if found is not None:
                return found
            if (await conn.execute(sa.select(films.c.id).where(films.c.id == new_id))).first():
                raise AlreadyExists(f"film {film_name(new_id)} already exists")
            now = self.clock()
            await conn.execute(self._insert(users).values(id=owner, created_at=now).on_conflict_do_nothing())
            await conn.execute(
                sa.insert(films).values(
                    id=new_id,
                    owner=owner,
                    request_id=request_id or None,
                    display_name=display_name,
                    state=lifecycle.QUEUED,
                    progress=0.0,
                    script=script,
                    settings=settings.SerializeToString(),
                    seconds=target or DEFAULT_FILM_SECONDS,
                    created_at=now,
                    updated_at=now,
                )
            )
            await self._append(
                conn, new_id, film_pb2.FilmEvent(state_change=film_pb2.StateChange(state=lifecycle.QUEUED))
            )
            row = (await conn.execute(sa.select(films).where(films.c.id == new_id))).one()
            return _film(row, created=True)

        try:
            return await self._write(work)
        except sa.exc.IntegrityError:
            # Another replica created the film with this request_id (or this id) between our read and
            # our insert; its film is the answer.
            found = await self._read(existing)
            if found is None:
                raise AlreadyExists(f"film {film_name(new_id)} already exists") from None
            return found

    async def find_by_request_id(self, owner: str, request_id: str) -> FilmRecord | None:
        """The owner's film created with this idempotency key, if any."""

        async def work(conn: AsyncConnection) -> FilmRecord | None:
            row = (
                await conn.execute(
                    sa.select(films).where(films.c.owner == owner, films.c.request_id == request_id)
                )
            ).first()
            return None if row is None else _film(row)

        return await self._read(work) if request_id else None

    async def get_film(self, owner: str, film_id: str) -> FilmRecord:
        """The owner's film; NotFound for a missing film and for another owner's film alike."""

        async def work(conn: AsyncConnection) -> FilmRecord:
            return _film(await _owned_film(conn, owner, film_id))

        return await self._read(work)

    async def load_film(self, film_id: str) -> FilmRecord:
        """Any owner's film, for workers (never for callers: use get_film)."""

        async def work(conn: AsyncConnection) -> FilmRecord:
            row = (await conn.execute(sa.select(films).where(films.c.id == film_id))).first()
            if row is None:
                raise NotFound(f"film {film_name(film_id)} not found")
            return _film(row)

        return await self._read(work)

    async def list_films(
        self, owner: str, page_size: int = 0, page_token: str = ""
    ) -> tuple[list[FilmRecord], str]:
        """One page of the owner's films, newest first, and the token of the next page ("" on the last).
        page_size 0 means 20; more than 100 means 100."""
        if page_size < 0:
            raise InvalidArgument(f"page_size must not be negative, got {page_size}")
        size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        query = sa.select(films).where(films.c.owner == owner)
        if page_token:
            created_at, after_id = _decode_page_token(page_token)
            query = query.where(
                sa.or_(
                    films.c.created_at < created_at,
                    sa.and_(films.c.created_at == created_at, films.c.id < after_id),
                )
            )
        query = query.order_by(films.c.created_at.desc(), films.c.id.desc()).limit(size + 1)

        async def work(conn: AsyncConnection) -> list[FilmRecord]:
            return [_film(row) for row in await conn.execute(query)]

        page = await self._read(work)
        if len(page) <= size:
            return page, ""
        page = page[:size]
        return page, _encode_page_token(page[-1].created_at, page[-1].id)

    async def count_active_films(self, owner: str) -> int:
        """How many of the owner's films are not finished (queued, planning, generating, composing)."""

        async def work(conn: AsyncConnection) -> int:
            query = sa.select(sa.func.count()).where(
                films.c.owner == owner, films.c.state.in_(lifecycle.ACTIVE_STATES)
            )
            return (await conn.execute(query)).scalar_one()

        return await self._read(work)

    async def seconds_rendered_since(self, owner: str, since: datetime.datetime) -> float:
        """Running time charged to the owner for films created at or after `since`: each film's
        target duration (60 s if unset) until it is cut, then its real duration. Failed films are
        not charged (the failure was ours, or the input was refused before rendering)."""

        async def work(conn: AsyncConnection) -> float:
            query = sa.select(sa.func.coalesce(sa.func.sum(films.c.seconds), 0.0)).where(
                films.c.owner == owner,
                films.c.created_at >= since,
                films.c.state != lifecycle.FAILED,
            )
            return float((await conn.execute(query)).scalar_one())

        return await self._read(work)

    async def request_cancel(self, owner: str, film_id: str) -> FilmRecord:
        """Ask for the film to stop. A film no worker holds is cancelled at once (with its event); a
        held one gets `cancel_requested`, which its worker sees (is_cancel_requested) and answers with
        set_state(CANCELLED). A finished film is returned unchanged."""

        async def work(conn: AsyncConnection) -> FilmRecord:
            row = await _owned_film(conn, owner, film_id, for_update=True)
            if lifecycle.is_terminal(row.state):
                return _film(row)
            now = self.clock()
            held = row.lease_owner is not None and row.lease_expires_at > now
            values: dict[str, Any] = {"cancel_requested": True, "updated_at": now}
            if not held:
                message = f"film {film_name(film_id)} was cancelled by its owner"
                values |= {
                    "state": lifecycle.CANCELLED,
                    "error_code": code_pb2.CANCELLED,
                    "error_message": message,
                    "lease_owner": None,
                    "lease_expires_at": None,
                    "not_before": None,
                }
                await self._cancel_unfinished_shots(conn, film_id, now)
                await self._append(
                    conn,
                    film_id,
                    film_pb2.FilmEvent(
                        state_change=film_pb2.StateChange(state=lifecycle.CANCELLED, message=message)
                    ),
                )
            await conn.execute(sa.update(films).where(films.c.id == film_id).values(**values))
            return _film((await conn.execute(sa.select(films).where(films.c.id == film_id))).one())

        film = await self._write(work)
        self._notify(film_id)
        return film

    async def is_cancel_requested(self, film_id: str) -> bool:
        """Whether the owner asked the film to stop (False for a deleted film: its worker gets LeaseLost)."""

        async def work(conn: AsyncConnection) -> bool:
            query = sa.select(films.c.cancel_requested).where(films.c.id == film_id)
            return bool((await conn.execute(query)).scalar())

        return await self._read(work)

    async def delete_film(self, owner: str, film_id: str) -> list[str]:
        """Delete the film, its shots, events and asset references. Returns the asset keys no other
        film uses (their rows are gone too): the caller deletes those objects from the store."""

        async def work(conn: AsyncConnection) -> list[str]:
            await _owned_film(conn, owner, film_id, for_update=True)
            keys = list(
                (await conn.execute(sa.select(film_assets.c.asset_key).where(film_assets.c.film_id == film_id)))
                .scalars()
                .all()
            )
            await conn.execute(sa.delete(films).where(films.c.id == film_id))  # cascades
            if not keys:
                return []
            still_used = sa.exists().where(film_assets.c.asset_key == assets.c.key)
            result = await conn.execute(
                sa.delete(assets).where(assets.c.key.in_(keys), ~still_used).returning(assets.c.key)
            )
            return sorted(result.scalars().all())

        keys = await self._write(work)
        self._notify(film_id)
        return keys

    # --- leases ---------------------------------------------------------------------------------

    async def claim_film(self, worker: str, lease_s: float) -> FilmRecord | None:
        """Take the oldest film that needs work (not finished, past its not_before, lease free or
        expired) and lease it to `worker` for `lease_s` seconds; None when there is nothing to do.
        Concurrent claimers, in this process or other replicas, never get the same film."""
        _check_worker(worker)

        async def work(conn: AsyncConnection) -> FilmRecord | None:
            now = self.clock()
            claimable = sa.and_(
                films.c.state.in_(lifecycle.ACTIVE_STATES),
                sa.or_(films.c.not_before.is_(None), films.c.not_before <= now),
                sa.or_(films.c.lease_owner.is_(None), films.c.lease_expires_at <= now),
            )
            query = sa.select(films.c.id).where(claimable).order_by(films.c.created_at, films.c.id).limit(1)
            if self.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            film_id = (await conn.execute(query)).scalar()
            if film_id is None:
                return None
            row = (
                await conn.execute(
                    sa.update(films)
                    .where(films.c.id == film_id, claimable)
                    .values(
                        lease_owner=worker,
                        lease_expires_at=now + datetime.timedelta(seconds=lease_s),
                        attempts=films.c.attempts + 1,
                    )
                    .returning(*films.c)
                )
            ).first()
            return None if row is None else _film(row)

        return await self._write(work)

    async def renew_lease(self, film_id: str, worker: str, lease_s: float) -> bool:
        """Extend the worker's lease to now + lease_s; False if the worker no longer holds the film."""

        async def work(conn: AsyncConnection) -> bool:
            result = await conn.execute(
                sa.update(films)
                .where(films.c.id == film_id, films.c.lease_owner == worker)
                .values(lease_expires_at=self.clock() + datetime.timedelta(seconds=lease_s))
            )
            return result.rowcount == 1

        return await self._write(work)

    async def release_film(
        self, film_id: str, worker: str, not_before: datetime.datetime | None = None
    ) -> bool:
        """Give the film back unfinished (e.g. Triton is down); no worker claims it before `not_before`.
        False if the worker did not hold it."""

        async def work(conn: AsyncConnection) -> bool:
            result = await conn.execute(
                sa.update(films)
                .where(films.c.id == film_id, films.c.lease_owner == worker)
                .values(lease_owner=None, lease_expires_at=None, not_before=not_before)
            )
            return result.rowcount == 1

        return await self._write(work)

    # --- transitions ----------------------------------------------------------------------------

    async def set_state(
        self,
        film_id: str,
        worker: str,
        state: int,
        *,
        progress: float | None = None,
        scene_graph: script_pb2.SceneGraph | None = None,
        outputs: film_pb2.FilmOutputs | None = None,
        error: status_pb2.Status | FilmStudioError | None = None,
    ) -> film_pb2.FilmEvent:
        """Move the film to `state` and append its state-change event, in one transaction, while
        `worker` holds the lease (else LeaseLost). Moves only forward (else FailedPrecondition).

        `outputs` is stored and also appended as an outputs event just before the state change.
        A terminal state ends the lease; SUCCEEDED sets progress to 1; CANCELLED marks unfinished
        shots cancelled. Returns the state-change event.
        """
        error_status = _status(error)

        async def work(conn: AsyncConnection) -> film_pb2.FilmEvent:
            row = await self._leased_film(conn, film_id, worker)
            lifecycle.check_move(film_name(film_id), row.state, state)
            now = self.clock()
            values: dict[str, Any] = {"state": state, "updated_at": now}
            if state == lifecycle.SUCCEEDED:
                progress_after = 1.0
            else:
                progress_after = progress
            if progress_after is not None:
                values["progress"] = progress_after
            if scene_graph is not None:
                values["scene_graph"] = scene_graph.SerializeToString()
            if outputs is not None:
                values["outputs"] = outputs.SerializeToString()
                if outputs.HasField("duration"):
                    values["seconds"] = _seconds(outputs.duration)
            status = error_status
            if status is None and state == lifecycle.CANCELLED:
                status = status_pb2.Status(
                    code=code_pb2.CANCELLED, message=f"film {film_name(film_id)} was cancelled"
                )
            if status is not None:
                values |= {"error_code": status.code, "error_message": status.message}
            if lifecycle.is_terminal(state):
                values |= {"lease_owner": None, "lease_expires_at": None, "not_before": None}
            await conn.execute(sa.update(films).where(films.c.id == film_id).values(**values))
            if state == lifecycle.CANCELLED:
                await self._cancel_unfinished_shots(conn, film_id, now)
            if outputs is not None:
                await self._append(conn, film_id, film_pb2.FilmEvent(outputs=outputs))
            change = film_pb2.StateChange(state=state, message=status.message if status else "")
            return await self._append(conn, film_id, film_pb2.FilmEvent(state_change=change))

        event = await self._write(work)
        self._notify(film_id)
        return event

    async def reopen_for_shot(
        self, owner: str, film_id: str, shot_id: str, seed: int | None = None, prompt: str | None = None
    ) -> FilmRecord:
        """RegenerateShot: take a SUCCEEDED film back to GENERATING for one shot and queue it.

        The shot gets a new take, loses its image (its voice is kept), and records the new seed
        (None: the renderer derives one from the take) and prompt (None keeps the current one).
        The film keeps its previous outputs until the new cut replaces them. Appends the shot's
        PENDING event and the film's GENERATING event.
        """

        async def work(conn: AsyncConnection) -> FilmRecord:
            row = await _owned_film(conn, owner, film_id, for_update=True)
            if row.state != lifecycle.SUCCEEDED:
                raise FailedPrecondition(
                    f"film {film_name(film_id)} is {lifecycle.state_name(row.state)};"
                    " a shot can be regenerated once the film has succeeded"
                )
            now = self.clock()
            shot_values: dict[str, Any] = {
                "take": shots.c.take + 1,
                "state": film_pb2.SHOT_STATE_PENDING,
                "seed_override": seed,
                "image_key": None,
                "cached": False,
                "error": "",
                "lease_owner": None,
                "lease_expires_at": None,
                "updated_at": now,
            }
            if prompt is not None:
                shot_values["prompt_override"] = prompt
            shot_row = await self._update_shot(conn, film_id, shot_id, shot_values)
            await conn.execute(
                sa.update(films)
                .where(films.c.id == film_id)
                .values(
                    state=lifecycle.GENERATING,
                    progress=0.0,
                    cancel_requested=False,
                    error_code=0,
                    error_message="",
                    attempts=0,
                    not_before=None,
                    lease_owner=None,
                    lease_expires_at=None,
                    updated_at=now,
                )
            )
            await self._append(conn, film_id, film_pb2.FilmEvent(shot=_shot(shot_row).to_proto(self.object_uri)))
            await self._append(
                conn,
                film_id,
                film_pb2.FilmEvent(state_change=film_pb2.StateChange(state=lifecycle.GENERATING)),
            )
            return _film((await conn.execute(sa.select(films).where(films.c.id == film_id))).one())

        film = await self._write(work)
        self._notify(film_id)
        return film

    # --- shots ----------------------------------------------------------------------------------

    async def put_shots(
        self, film_id: str, worker: str, planned: Sequence[tuple[str, int]]
    ) -> list[ShotRecord]:
        """Record the planned shots as (shot_id, position); shots already there keep their state and
        take (only their position follows the plan), so planning twice is harmless. LeaseLost if
        `worker` does not hold the film."""
        for shot_id, _ in planned:
            if not shot_id or len(shot_id) > 128:
                raise InvalidArgument(f"shot id {shot_id!r}: expected 1-128 characters")

        async def work(conn: AsyncConnection) -> list[ShotRecord]:
            await self._leased_film(conn, film_id, worker)
            now = self.clock()
            for shot_id, position in planned:
                insert = self._insert(shots).values(
                    film_id=film_id,
                    shot_id=shot_id,
                    position=position,
                    state=film_pb2.SHOT_STATE_PENDING,
                    take=1,
                    cached=False,
                    error="",
                    updated_at=now,
                )
                await conn.execute(
                    insert.on_conflict_do_update(
                        index_elements=[shots.c.film_id, shots.c.shot_id],
                        set_={"position": insert.excluded.position},
                    )
                )
            return await self._shots(conn, film_id)

        return await self._write(work)

    async def get_shots(self, film_id: str) -> list[ShotRecord]:
        """The film's shots in film order (empty before planning)."""
        return await self._read(lambda conn: self._shots(conn, film_id))

    async def _shots(self, conn: AsyncConnection, film_id: str) -> list[ShotRecord]:
        query = sa.select(shots).where(shots.c.film_id == film_id).order_by(shots.c.position, shots.c.shot_id)
        return [_shot(row) for row in await conn.execute(query)]

    async def set_shot(
        self,
        film_id: str,
        shot_id: str,
        worker: str,
        state: int,
        *,
        image_key: str | None = None,
        audio_key: str | None = None,
        cached: bool | None = None,
        error: str | None = None,
        progress: float | None = None,
    ) -> film_pb2.FilmEvent:
        """Update one shot (None leaves a field as it is) and append its shot event, while `worker`
        holds the film. RENDERING marks the shot as the worker's until the film lease ends; SUCCEEDED
        clears any old error. `progress` also sets the film's progress."""

        async def work(conn: AsyncConnection) -> film_pb2.FilmEvent:
            film = await self._leased_film(conn, film_id, worker)
            values: dict[str, Any] = {"state": state, "updated_at": self.clock()}
            if image_key is not None:
                values["image_key"] = image_key
            if audio_key is not None:
                values["audio_key"] = audio_key
            if cached is not None:
                values["cached"] = cached
            if error is not None:
                values["error"] = error
            elif state == film_pb2.SHOT_STATE_SUCCEEDED:
                values["error"] = ""
            rendering = state == film_pb2.SHOT_STATE_RENDERING
            values["lease_owner"] = worker if rendering else None
            values["lease_expires_at"] = film.lease_expires_at if rendering else None
            row = await self._update_shot(conn, film_id, shot_id, values)
            event = film_pb2.FilmEvent(shot=_shot(row).to_proto(self.object_uri), progress=progress or 0.0)
            return await self._append(conn, film_id, event)

        event = await self._write(work)
        self._notify(film_id)
        return event

    async def _update_shot(self, conn: AsyncConnection, film_id: str, shot_id: str, values: dict[str, Any]) -> Any:
        """Update one shot's row and return it; NotFound naming the shot if the film has no such shot."""
        row = (
            await conn.execute(
                sa.update(shots)
                .where(shots.c.film_id == film_id, shots.c.shot_id == shot_id)
                .values(**values)
                .returning(*shots.c)
            )
        ).first()
        if row is None:
            raise NotFound(f"shot {shot_name(film_id, shot_id)} not found")
        return row

    async def _cancel_unfinished_shots(self, conn: AsyncConnection, film_id: str, now: datetime.datetime) -> None:
        await conn.execute(
            sa.update(shots)
            .where(
                shots.c.film_id == film_id,
                shots.c.state.in_((film_pb2.SHOT_STATE_PENDING, film_pb2.SHOT_STATE_RENDERING)),
            )
            .values(state=film_pb2.SHOT_STATE_CANCELLED, lease_owner=None, lease_expires_at=None, updated_at=now)
        )

    # --- assets ---------------------------------------------------------------------------------

    async def record_asset(
        self, key: str, kind: str, model: str, model_version: str, size: int, film_id: str
    ) -> bool:
        """Note that an asset is in the store and that `film_id` uses it (both idempotent). Returns
        False if the film is gone: then nothing references the asset and `collect_orphan_assets`
        reports it later."""

        async def work(conn: AsyncConnection) -> bool:
            now = self.clock()
            # Lock the film against a concurrent delete_film until the reference is in.
            film = (
                await conn.execute(sa.select(films.c.id).where(films.c.id == film_id).with_for_update(read=True))
            ).first()
            await conn.execute(
                self._insert(assets)
                .values(key=key, kind=kind, model=model, model_version=model_version, size=size, created_at=now)
                .on_conflict_do_nothing()
            )
            if film is None:
                return False
            await conn.execute(
                self._insert(film_assets).values(film_id=film_id, asset_key=key).on_conflict_do_nothing()
            )
            return True

        return await self._write(work)

    async def asset_exists(self, key: str) -> bool:
        """Whether the content-addressed store has the asset (per the database)."""

        async def work(conn: AsyncConnection) -> bool:
            return (await conn.execute(sa.select(assets.c.key).where(assets.c.key == key))).first() is not None

        return await self._read(work)

    async def collect_orphan_assets(self, created_before: datetime.datetime) -> list[str]:
        """Forget assets no film uses that were recorded before `created_before`; returns their keys
        for the caller to delete from the store."""

        async def work(conn: AsyncConnection) -> list[str]:
            used = sa.exists().where(film_assets.c.asset_key == assets.c.key)
            result = await conn.execute(
                sa.delete(assets).where(assets.c.created_at < created_before, ~used).returning(assets.c.key)
            )
            return sorted(result.scalars().all())

        return await self._write(work)

    # --- events ---------------------------------------------------------------------------------

    async def append_event(self, film_id: str, event: film_pb2.FilmEvent) -> film_pb2.FilmEvent:
        """Append an event (e.g. compose progress) to the film's log; returns it with its sequence,
        film name, create_time and the film's progress filled in. NotFound for a missing film."""
        appended = await self._write(lambda conn: self._append(conn, film_id, event))
        self._notify(film_id)
        return appended

    async def events_after(self, film_id: str, after_sequence: int, limit: int = 500) -> list[film_pb2.FilmEvent]:
        """The film's events with sequence > after_sequence, oldest first, at most `limit`."""

        async def work(conn: AsyncConnection) -> list[film_pb2.FilmEvent]:
            query = (
                sa.select(events.c.payload)
                .where(events.c.film_id == film_id, events.c.sequence > after_sequence)
                .order_by(events.c.sequence)
                .limit(limit)
            )
            return [film_pb2.FilmEvent.FromString(payload) for payload in (await conn.execute(query)).scalars()]

        return await self._read(work)

    async def wait_for_events(
        self, film_id: str, after_sequence: int, timeout_s: float, limit: int = 500
    ) -> list[film_pb2.FilmEvent]:
        """events_after, but waits up to `timeout_s` for at least one; [] if none came. NotFound
        once the film is gone (deleted while watched).

        Wakes at once for events appended through this Database, and for any replica's events on
        PostgreSQL (LISTEN/NOTIFY); otherwise (SQLite written by another process) it polls every
        poll_interval_s, each poll one primary-key lookup.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        if self.dialect == "postgresql":
            await self._listen()
        while True:
            signal = self._signals.setdefault(film_id, asyncio.Event())
            last = await self._last_sequence(film_id)
            if last is None:
                raise NotFound(f"film {film_name(film_id)} not found")
            if last > after_sequence:
                return await self.events_after(film_id, after_sequence, limit)
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            try:
                await asyncio.wait_for(signal.wait(), min(self.poll_interval_s, remaining))
            except TimeoutError:
                pass

    async def _last_sequence(self, film_id: str) -> int | None:
        async def work(conn: AsyncConnection) -> int | None:
            query = sa.select(films.c.last_sequence).where(films.c.id == film_id)
            return (await conn.execute(query)).scalar()

        return await self._read(work)

    async def _listen(self) -> None:
        """LISTEN for every replica's appends on one held connection (PostgreSQL)."""
        if self._listener is not None:
            return
        async with self._listener_lock:
            if self._listener is not None:
                return
            conn = await self.engine.connect()
            try:
                raw = (await conn.get_raw_connection()).driver_connection
                await raw.add_listener(EVENTS_CHANNEL, lambda _c, _pid, _channel, film_id: self._notify(film_id))
                raw.add_termination_listener(lambda _c: self._listener_lost(conn))
            except Exception:
                await conn.close()
                log.warning("LISTEN %s failed; WatchFilm falls back to polling", EVENTS_CHANNEL, exc_info=True)
                return
            self._listener = conn

    def _listener_lost(self, conn: AsyncConnection) -> None:
        # The server dropped the connection: the next wait_for_events listens again; polling covers the gap.
        if self._listener is conn:
            self._listener = None
            log.warning("LISTEN connection lost; listening again on the next wait")


async def _owned_film(conn: AsyncConnection, owner: str, film_id: str, for_update: bool = False) -> Any:
    """The owner's film row; NotFound for a missing film and for another owner's film alike (a caller
    never learns that someone else's film exists). for_update locks the row for the transaction."""
    query = sa.select(films).where(films.c.id == film_id, films.c.owner == owner)
    row = (await conn.execute(query.with_for_update() if for_update else query)).first()
    if row is None:
        raise NotFound(f"film {film_name(film_id)} not found")
    return row


def _check_owner(owner: str) -> None:
    if not owner or len(owner) > 128 or "/" in owner:
        raise InvalidArgument(f"owner {owner!r}: expected a user id of 1-128 characters without '/'")


def _check_worker(worker: str) -> None:
    if not worker or len(worker) > 128:
        raise InvalidArgument(f"worker {worker!r}: expected a name of 1-128 characters")


_SQLITE_BUSY_S = 30  # how long a SQLite connection waits for another's lock


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transactions out of the driver's hands so BEGIN is ours (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_S * 1000}")
    _use_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


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
