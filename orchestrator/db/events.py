"""Each film's event log: appended in the same transaction as the change it reports, read by
sequence, and waited on — woken at once by this process's appends, and by every replica's on
PostgreSQL (LISTEN/NOTIFY); otherwise polled."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from filmstudio.errors import NotFound
from filmstudio.names import film_name, shot_name
from filmstudio.v1 import film_pb2
from orchestrator.db.engine import Engine
from orchestrator.db.records import timestamp
from orchestrator.db.schema import events, films

log = logging.getLogger(__name__)

EVENTS_CHANNEL = "filmstudio_events"


class EventLog(Engine):
    """Appending to and waiting on films' event logs."""

    def __init__(self, url: str, **options: Any) -> None:
        super().__init__(url, **options)
        self._signals: dict[str, asyncio.Event] = {}
        self._listener: AsyncConnection | None = None
        self._listener_lock = asyncio.Lock()

    async def close(self) -> None:
        if self._listener is not None:
            await self._listener.close()
            self._listener = None
        await super().close()

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
                .returning(films.c.last_sequence, films.c.progress, films.c.public_id)
            )
        ).first()
        if row is None:
            raise NotFound(f"film {film_name(film_id)} not found")
        now = self.clock()
        appended = film_pb2.FilmEvent()
        appended.CopyFrom(event)
        appended.sequence = row.last_sequence
        public_id = row.public_id or film_id  # events name the film as its owner does (records.FilmRecord)
        appended.film = film_name(public_id)
        if appended.HasField("shot"):
            appended.shot.name = shot_name(public_id, appended.shot.shot_id)
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
        """Wake this process's waiters on the film (call after the appending transaction commits)."""
        signal = self._signals.pop(film_id, None)
        if signal is not None:
            signal.set()

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
        once the film is gone (purged while watched).

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
