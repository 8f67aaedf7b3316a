"""A film's planned shots and their render records (one row each), written by the worker holding
the film; every change appends the shot's event."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from filmstudio.errors import NotFound
from filmstudio.names import film_name, shot_name
from filmstudio.v1 import film_pb2
from orchestrator.db.engine import line_seconds_column, shot_record
from orchestrator.db.leases import Leases
from orchestrator.db.records import ShotRecord
from orchestrator.db.schema import shots
from orchestrator.db.webhooks import SHOT_FAILED, WebhookRows


class ShotRows(Leases, WebhookRows):
    """The shots table; a failed shot writes its shot.failed webhooks."""

    async def put_shots(
        self, film_id: str, worker: str, planned: Sequence[tuple[str, int]]
    ) -> list[ShotRecord]:
        """Record the planned shots as (shot_id, position); shots already there keep their state and
        take (only their position follows the plan), so planning twice is harmless. LeaseLost if
        `worker` does not hold the film."""

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
        return await self._read_sync(lambda conn: shots_by_film(conn, [film_id]).get(film_id, []))

    async def _shots(self, conn: AsyncConnection, film_id: str) -> list[ShotRecord]:
        return [shot_record(row) for row in await conn.execute(_SHOTS_OF_FILMS, {"film_ids": [film_id]})]

    async def set_shot(
        self,
        film_id: str,
        shot_id: str,
        worker: str,
        state: int,
        *,
        image_key: str | None = None,
        audio_key: str | None = None,
        motion_key: str | None = None,
        line_seconds: tuple[float, ...] | None = None,
        cached: bool | None = None,
        error: str | None = None,
        progress: float | None = None,
    ) -> film_pb2.FilmEvent:
        """Update one shot (None leaves a field as it is) and append its shot event, while `worker`
        holds the film. RENDERING marks the shot as the worker's until the film lease ends; SUCCEEDED
        clears any old error. `line_seconds` are its lines' true lengths, recorded when they are voiced.
        `progress` also sets the film's progress."""
        fields = {"image_key": image_key, "audio_key": audio_key, "motion_key": motion_key, "cached": cached,
                  "error": error,
                  "line_seconds": None if line_seconds is None else line_seconds_column(line_seconds)}

        async def work(conn: AsyncConnection) -> film_pb2.FilmEvent:
            film = await self._leased_film(conn, film_id, worker)
            values: dict[str, Any] = {"state": state, "updated_at": self.clock()}
            values |= {name: value for name, value in fields.items() if value is not None}
            if error is None and state == film_pb2.SHOT_STATE_SUCCEEDED:
                values["error"] = ""
            rendering = state == film_pb2.SHOT_STATE_RENDERING
            values["lease_owner"] = worker if rendering else None
            values["lease_expires_at"] = film.lease_expires_at if rendering else None
            row = await self._update_shot(conn, film_id, shot_id, values)
            if state == film_pb2.SHOT_STATE_FAILED:
                public_id = film.public_id or film_id
                data = {"film": film_name(public_id), "shot": shot_name(public_id, shot_id),
                        "error": {"message": error or ""}}
                enqueued.append(await self._enqueue(conn, film.owner, SHOT_FAILED, film_name(public_id), data))
            event = film_pb2.FilmEvent(shot=shot_record(row).to_proto(self.object_uri), progress=progress or 0.0)
            return await self._append(conn, film_id, event)

        enqueued: list[int] = []
        event = await self._write(work)
        self._notify(film_id)
        if any(enqueued):
            self._outbox_written()
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


# Built once, like the other hot reads' statements: building and keying a statement costs SQLAlchemy
# more than SQLite takes to run it.
_SHOTS_OF_FILMS = (
    sa.select(shots)
    .where(shots.c.film_id.in_(sa.bindparam("film_ids", expanding=True)))
    .order_by(shots.c.film_id, shots.c.position, shots.c.shot_id)
)


def shots_by_film(conn: sa.Connection, film_ids: Sequence[str]) -> dict[str, list[ShotRecord]]:
    """The shots of these films, each film's in film order, in one query (films without shots are absent)."""
    return {film_id: [shot_record(row) for row in rows] for film_id, rows in shot_rows_by_film(conn, film_ids).items()}


def shot_rows_by_film(conn: sa.Connection, film_ids: Sequence[str]) -> dict[str, list[sa.Row]]:
    """shots_by_film's rows, unmapped."""
    found: dict[str, list[sa.Row]] = {}
    if film_ids:
        for row in conn.execute(_SHOTS_OF_FILMS, {"film_ids": list(film_ids)}):
            found.setdefault(row.film_id, []).append(row)
    return found
