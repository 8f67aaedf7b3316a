"""Films: created queued, read by their owner (or any owner, for workers), moved along their
lifecycle by the worker holding them, cancelled, re-opened to regenerate a shot or re-render a changed
character's shots, and deleted: moved to the owner's trash, restored from it, or purged for good.

A film in the trash (deleted_at set) is out of its owner's reach: every read and write on the owner's
behalf answers NotFound for it, as for a missing film, but for listing the trash and undeleting."""

from __future__ import annotations

import datetime
import secrets
from typing import Any, Protocol

import sqlalchemy as sa
from google.rpc import code_pb2, status_pb2
from sqlalchemy.ext.asyncio import AsyncConnection

from filmstudio import telemetry
from filmstudio.errors import Aborted, AlreadyExists, FailedPrecondition, NotFound
from filmstudio.names import film_name
from filmstudio.settings import target_seconds
from filmstudio.v1 import account_pb2, film_pb2, script_pb2
from orchestrator import lifecycle
from orchestrator.db import credits
from orchestrator.db.engine import film_record, shot_record
from orchestrator.db.records import FilmRecord
from orchestrator.db.schema import assets, film_assets, films, shots, users
from orchestrator.db.shots import ShotRows, shot_rows_by_film
from orchestrator.db.webhooks import FILM_FAILED, FILM_SUCCEEDED


def _seconds(duration: Any) -> float:
    return duration.seconds + duration.nanos / 1e9


def _in_trash(trashed: bool) -> sa.ColumnElement[bool]:
    """Films in the trash, or (False) those not in it."""
    return films.c.deleted_at.is_not(None) if trashed else films.c.deleted_at.is_(None)


def _page(trashed: bool) -> sa.Select:
    return (
        sa.select(films)
        .where(films.c.owner == sa.bindparam("owner"), _in_trash(trashed))
        .order_by(films.c.created_at.desc(), films.c.id.desc())
        .limit(sa.bindparam("limit", type_=sa.Integer))
    )


def _page_after(page: sa.Select) -> sa.Select:
    # A row-value comparison, so the (owner, created_at, id) index bounds the scan on both backends
    # (the equivalent OR of two comparisons makes SQLite read every film of the owner).
    return page.where(
        sa.tuple_(films.c.created_at, films.c.id)
        < sa.tuple_(sa.bindparam("created_at", type_=films.c.created_at.type), sa.bindparam("after_id"))
    )


def _named(film_id: Any) -> Any:
    """Where a film is the one an owner's `film_id` names: its public id (as its resource name says), or
    its internal id (as its stored files' keys say: the gateway serves them by it). Put beside the owner:
    either id is only ever looked up among one owner's films."""
    return sa.or_(films.c.public_id == film_id, films.c.id == film_id)


class FilmRows(ShotRows):
    """The films table (and the users it names)."""

    async def create_film(
        self,
        owner: str,
        script: str,
        settings: film_pb2.FilmSettings,
        display_name: str = "",
        film_id: str | None = None,
        request_id: str = "",
        scene_graph: script_pb2.SceneGraph | None = None,
        admit: Admit | None = None,
    ) -> FilmRecord:
        """Queue a new film (and its first event, QUEUED) with normalised settings and, if parsed
        already, its scene graph. The same owner and non-empty request_id again returns the first film
        with `created=False`. A film_id already taken: AlreadyExists.

        `admit` is the owner's quota: called with the owner's films in flight and the seconds charged
        since its `since`, in the same transaction as the insert and serialised per owner (the user's
        row is locked), so concurrent creates cannot all pass one check; it raises to refuse. The
        film's target length is then taken from the owner's credit (db.credits), ResourceExhausted
        if it is short, and held by the film until it ends."""
        # Ids are per owner: a chosen film_id is the film's public id, and its internal id is generated,
        # so another owner's films never collide with it (nor does the caller learn that they exist).
        new_id = "f" + secrets.token_hex(8)
        public_id = film_id or new_id

        async def work(conn: AsyncConnection) -> FilmRecord:
            found = await self._by_request_id(conn, owner, request_id)
            if found is not None:
                return found
            if (await conn.execute(sa.select(films.c.id).where(films.c.owner == owner,
                                                               _named(public_id)))).first():
                raise AlreadyExists(f"film {film_name(public_id)} already exists")
            now = self.clock()
            await self._lock_user(conn, owner, now)
            if admit is not None:
                admit(await _active_films(conn, owner), await _seconds_since(conn, owner, admit.since))
            cost = target_seconds(settings)
            await credits.charge(conn, owner, cost, account_pb2.LEDGER_REASON_FILM, new_id,
                                 f"{cost:g} s film", now, self.monthly_grant_s)
            await conn.execute(sa.insert(films).values(
                id=new_id, public_id=public_id, owner=owner, request_id=request_id or None, display_name=display_name,
                state=lifecycle.QUEUED, progress=0.0, script=script, settings=settings.SerializeToString(),
                scene_graph=None if scene_graph is None else scene_graph.SerializeToString(),
                seconds=cost, credit_held_s=cost, created_at=now, updated_at=now,
                traceparent=telemetry.current_traceparent() or None))
            change = film_pb2.StateChange(state=lifecycle.QUEUED)
            await self._append(conn, new_id, film_pb2.FilmEvent(state_change=change))
            return film_record((await conn.execute(sa.select(films).where(films.c.id == new_id))).one(), created=True)

        try:
            return await self._write(work)
        except sa.exc.IntegrityError:
            # Another replica created the film with this request_id (or this id) between our read and
            # our insert; its film is the answer.
            found = await self._read(lambda conn: self._by_request_id(conn, owner, request_id))
            if found is None:
                raise AlreadyExists(f"film {film_name(public_id)} already exists") from None
            return found

    async def _by_request_id(self, conn: AsyncConnection, owner: str, request_id: str) -> FilmRecord | None:
        if not request_id:
            return None
        query = sa.select(films).where(films.c.owner == owner, films.c.request_id == request_id)
        row = (await conn.execute(query)).first()
        return None if row is None else film_record(row)

    async def _lock_user(self, conn: AsyncConnection, owner: str, now: datetime.datetime) -> None:
        """Make the owner's row if new and lock it until commit: one create per owner at a time (on
        SQLite every write transaction is serialised already)."""
        await conn.execute(self._insert(users).values(id=owner, created_at=now).on_conflict_do_nothing())
        if self.dialect == "postgresql":
            await conn.execute(sa.select(users.c.id).where(users.c.id == owner).with_for_update())

    # The hot reads' statements, built once: building and keying a statement costs SQLAlchemy more
    # than SQLite takes to run it (GetFilm's read in its thread: ~580 us built per call, ~210 us so).
    _FILM = sa.select(films).where(films.c.id == sa.bindparam("film_id"))
    _OWNED_FILM = sa.select(films).where(films.c.owner == sa.bindparam("owner"), _named(sa.bindparam("film_id")),
                                         _in_trash(False))
    # Pages of the owner's films (index 0) and of the owner's trash (index 1), the first and those after one.
    _PAGE = tuple(_page(trashed) for trashed in (False, True))
    _PAGE_AFTER = tuple(_page_after(page) for page in _PAGE)

    async def get_film(self, owner: str, film_id: str, *, with_shots: bool = False) -> FilmRecord:
        """The owner's film; NotFound for a missing film and for another owner's film alike.
        with_shots also reads its shots (FilmRecord.shots) in the same snapshot, and an unchanged
        film's record is the one its last such read built (engine.FilmReads)."""

        def work(conn: sa.Connection) -> FilmRecord:
            row = conn.execute(self._OWNED_FILM, {"film_id": film_id, "owner": owner}).first()
            if row is None:
                raise NotFound(f"film {film_name(film_id)} not found")
            if not with_shots:
                return film_record(row)
            return self._film_reads.record(row, shot_rows_by_film(conn, [row.id]).get(row.id, ()))

        return await self._read_sync(work)

    async def load_film(self, film_id: str) -> FilmRecord:
        """Any owner's film, for workers (never for callers: use get_film)."""

        def work(conn: sa.Connection) -> FilmRecord:
            row = conn.execute(self._FILM, {"film_id": film_id}).first()
            if row is None:
                raise NotFound(f"film {film_name(film_id)} not found")
            return film_record(row)

        return await self._read_sync(work)

    async def list_films(
        self,
        owner: str,
        page_size: int,
        after: tuple[datetime.datetime, str] | None = None,
        *,
        with_shots: bool = False,
        trashed: bool = False,
    ) -> tuple[list[FilmRecord], bool]:
        """Up to `page_size` of the owner's films not in the trash (with `trashed`, of those in it),
        newest first, starting after the (created_at, id) of the last film of the previous page; and
        whether more follow. with_shots also reads their shots (FilmRecord.shots) in the same
        snapshot, in one more query for the whole page, and as get_film does reuses the records of
        films unchanged since they were last read."""
        params: dict[str, Any] = {"owner": owner, "limit": page_size + 1}
        if after is not None:
            params |= {"created_at": after[0], "after_id": after[1]}
        query = (self._PAGE if after is None else self._PAGE_AFTER)[trashed]

        def work(conn: sa.Connection) -> tuple[list[FilmRecord], bool]:
            rows = conn.execute(query, params).all()
            page, more = rows[:page_size], len(rows) > page_size  # the one more row only says more follow
            if not with_shots:
                return [film_record(row) for row in page], more
            by_film = shot_rows_by_film(conn, [row.id for row in page])
            return [self._film_reads.record(row, by_film.get(row.id, ())) for row in page], more

        return await self._read_sync(work)

    async def count_active_films(self, owner: str) -> int:
        """How many of the owner's films are not finished (queued, planning, generating, composing)
        and not in the trash."""
        return await self._read(lambda conn: _active_films(conn, owner))

    async def seconds_rendered_since(self, owner: str, since: datetime.datetime) -> float:
        """Running time charged to the owner for films created at or after `since`: each film's
        target duration until it is cut, then its real duration. Failed films are not charged (the
        failure was ours, or the input was refused before rendering)."""
        return await self._read(lambda conn: _seconds_since(conn, owner, since))

    async def request_cancel(self, owner: str, film_id: str) -> FilmRecord:
        """Ask for the film to stop. A film no worker holds is cancelled at once (with its event); a
        held one gets `cancel_requested`, which its worker sees (is_cancel_requested) and answers with
        set_state(CANCELLED). A finished film is returned unchanged."""

        async def work(conn: AsyncConnection) -> FilmRecord:
            nonlocal film_id
            row = await _owned_film(conn, owner, film_id, for_update=True)
            film_id = row.id  # the internal id from here on
            if lifecycle.is_terminal(row.state):
                return film_record(row)
            now = self.clock()
            values = await self._cancel(conn, row, now)
            await conn.execute(sa.update(films).where(films.c.id == film_id).values(**values))
            return film_record((await conn.execute(sa.select(films).where(films.c.id == film_id))).one())

        film = await self._write(work)
        self._notify(film_id)
        return film

    async def _cancel(self, conn: AsyncConnection, row: Any, now: datetime.datetime) -> dict[str, Any]:
        """Stop an unfinished film (see request_cancel): the film row's new values. A film no worker
        holds gets its shots and its CANCELLED event here; a held one only `cancel_requested`."""
        values: dict[str, Any] = {"cancel_requested": True, "updated_at": now}
        if row.lease_owner is not None and row.lease_expires_at > now:
            return values
        message = f"film {film_name(row.public_id or row.id)} was cancelled by its owner"
        values |= await credits.settle(conn, row, lifecycle.CANCELLED, now)
        await self._cancel_unfinished_shots(conn, row.id, now)
        change = film_pb2.StateChange(state=lifecycle.CANCELLED, message=message)
        await self._append(conn, row.id, film_pb2.FilmEvent(state_change=change))
        return values | {"state": lifecycle.CANCELLED, "error_code": code_pb2.CANCELLED, "error_message": message,
                         "lease_owner": None, "lease_expires_at": None, "not_before": None}

    async def is_cancel_requested(self, film_id: str) -> bool:
        """Whether the owner asked the film to stop (False for a deleted film: its worker gets LeaseLost)."""

        async def work(conn: AsyncConnection) -> bool:
            query = sa.select(films.c.cancel_requested).where(films.c.id == film_id)
            return bool((await conn.execute(query)).scalar())

        return await self._read(work)

    async def trash_film(self, owner: str, film_id: str) -> FilmRecord:
        """DeleteFilm: move the owner's film to the trash (deleted_at), stopping it as request_cancel
        does if it is unfinished. NotFound for a film already in the trash, as for a missing one."""

        async def work(conn: AsyncConnection) -> FilmRecord:
            nonlocal film_id
            row = await _owned_film(conn, owner, film_id, for_update=True)
            film_id = row.id  # the internal id from here on
            now = self.clock()
            values: dict[str, Any] = {"deleted_at": now, "updated_at": now}
            if not lifecycle.is_terminal(row.state):
                values |= await self._cancel(conn, row, now)
            await conn.execute(sa.update(films).where(films.c.id == film_id).values(**values))
            return film_record((await conn.execute(sa.select(films).where(films.c.id == film_id))).one())

        film = await self._write(work)
        self._notify(film_id)
        return film

    async def undelete_film(self, owner: str, film_id: str) -> FilmRecord:
        """UndeleteFilm: take the owner's film out of the trash, as it was. NotFound for a film not in
        the trash (or purged already)."""

        async def work(conn: AsyncConnection) -> FilmRecord:
            nonlocal film_id
            row = await _owned_film(conn, owner, film_id, for_update=True, trashed=True)
            film_id = row.id  # the internal id from here on
            await conn.execute(sa.update(films).where(films.c.id == film_id).values(
                deleted_at=None, updated_at=self.clock()))
            return film_record((await conn.execute(sa.select(films).where(films.c.id == film_id))).one())

        return await self._write(work)

    async def purge_films(self, deleted_before: datetime.datetime, limit: int = 100) -> tuple[list[str], list[str]]:
        """Delete for good up to `limit` films put in the trash before `deleted_before`, with their
        shots, events and asset references. Returns the ids of the films purged and the asset keys no
        other film uses any more (their rows are gone too): the caller deletes those objects, and the
        films' own outputs, from the store.

        Safe when replicas purge at once: each film is deleted, and reported, by one of them. On
        PostgreSQL the films are claimed FOR UPDATE SKIP LOCKED, and the assets they use are locked
        (in key order) before any reference goes, so two replicas purging two films that share an asset
        cannot each still see the other's reference and both keep it; SQLite serialises the writes."""

        async def work(conn: AsyncConnection) -> tuple[list[str], list[str]]:
            due = films.c.deleted_at < deleted_before
            query = sa.select(films.c.id).where(due).order_by(films.c.deleted_at, films.c.id).limit(limit)
            if self.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            candidates = list((await conn.execute(query)).scalars())
            if not candidates:
                return [], []
            uses = sa.select(film_assets.c.film_id, film_assets.c.asset_key).where(film_assets.c.film_id.in_(candidates))
            keys_of: dict[str, set[str]] = {}
            for film_id, key in (await conn.execute(uses)).all():
                keys_of.setdefault(film_id, set()).add(key)
            if self.dialect == "postgresql" and keys_of:
                every_key = sorted(set().union(*keys_of.values()))
                await conn.execute(sa.select(assets.c.key).where(assets.c.key.in_(every_key))
                                   .order_by(assets.c.key).with_for_update())
            # `due` again: an undelete may have come between the read and the lock.
            deleted = await conn.execute(
                sa.delete(films).where(films.c.id.in_(candidates), due).returning(films.c.id))  # cascades
            purged = sorted(deleted.scalars())
            keys = sorted(set().union(*(keys_of.get(film_id, set()) for film_id in purged)))
            if not keys:
                return purged, []
            still_used = sa.exists().where(film_assets.c.asset_key == assets.c.key)
            orphaned = await conn.execute(
                sa.delete(assets).where(assets.c.key.in_(keys), ~still_used).returning(assets.c.key))
            return purged, sorted(orphaned.scalars())

        purged, orphaned = await self._write(work)
        for film_id in purged:
            self._notify(film_id)
        return purged, orphaned

    async def set_state(
        self,
        film_id: str,
        worker: str,
        state: int,
        *,
        progress: float | None = None,
        scene_graph: script_pb2.SceneGraph | None = None,
        outputs: film_pb2.FilmOutputs | None = None,
        error: status_pb2.Status | None = None,
    ) -> film_pb2.FilmEvent:
        """Move the film to `state` and append its state-change event, in one transaction, while
        `worker` holds the lease (else LeaseLost). Moves only forward (else FailedPrecondition).

        `outputs` is stored and also appended as an outputs event just before the state change.
        A terminal state ends the lease; SUCCEEDED sets progress to 1; CANCELLED and FAILED mark
        unfinished shots cancelled. Returns the state-change event.
        """

        async def work(conn: AsyncConnection) -> film_pb2.FilmEvent:
            row = await self._leased_film(conn, film_id, worker)
            lifecycle.check_move(film_name(row.public_id or film_id), row.state, state)
            now = self.clock()
            values = _state_values(row.public_id or film_id, state, progress, scene_graph, outputs, error) \
                | {"updated_at": now}
            if lifecycle.is_terminal(state):
                values |= await credits.settle(conn, row, state, now, values.get("scene_graph"))
            await conn.execute(sa.update(films).where(films.c.id == film_id).values(**values))
            if state in (lifecycle.CANCELLED, lifecycle.FAILED):  # no shot of an ended film stays in flight
                await self._cancel_unfinished_shots(conn, film_id, now)
            if outputs is not None:
                await self._append(conn, film_id, film_pb2.FilmEvent(outputs=outputs))
            if state in (lifecycle.SUCCEEDED, lifecycle.FAILED):
                enqueued.append(await self._film_webhooks(conn, row, state, outputs, error))
            change = film_pb2.StateChange(state=state, message=values.get("error_message", ""))
            return await self._append(conn, film_id, film_pb2.FilmEvent(state_change=change))

        enqueued: list[int] = []
        event = await self._write(work)
        self._notify(film_id)
        if any(enqueued):
            self._outbox_written()
        return event

    async def _film_webhooks(self, conn: AsyncConnection, row: Any, state: int, outputs: film_pb2.FilmOutputs | None,
                             error: status_pb2.Status | None) -> int:
        """Write the film.succeeded or film.failed deliveries of the film's move to `state`."""
        name = film_name(row.public_id or row.id)
        data: dict[str, Any] = {"film": name, "display_name": row.display_name, "state": lifecycle.state_name(state)}
        if state == lifecycle.SUCCEEDED:
            if outputs is None and row.outputs is not None:
                outputs = film_pb2.FilmOutputs.FromString(row.outputs)
            data["duration_seconds"] = round(_seconds(outputs.duration), 3) if outputs is not None else 0.0
            return await self._enqueue(conn, row.owner, FILM_SUCCEEDED, name, data)
        if error is not None:
            data["error"] = {"code": code_pb2.Code.Name(error.code), "message": error.message}
        return await self._enqueue(conn, row.owner, FILM_FAILED, name, data)

    async def reopen_for_shot(
        self, owner: str, film_id: str, shot_id: str, seed: int | None = None, prompt: str | None = None,
        scene_graph: script_pb2.SceneGraph | None = None, before: datetime.datetime | None = None,
    ) -> FilmRecord:
        """RegenerateShot: take a SUCCEEDED film back to GENERATING for one shot and queue it.

        The shot gets a new take, loses its image (its voice is kept), and records the new seed
        (None: the renderer derives one from the take) and prompt (None keeps the current one).
        `scene_graph`, if given, replaces the film's (the shot re-framed, re-moved or re-timed), unless
        the film changed since `before`, its updated_at when the caller read it (Aborted).
        The film keeps its previous outputs until the new cut replaces them. Appends the shot's
        PENDING event and the film's GENERATING event. The shot's new length is charged.
        """

        async def work(conn: AsyncConnection) -> FilmRecord:
            nonlocal film_id
            row = await _owned_film(conn, owner, film_id, for_update=True)
            film_id = row.id  # the internal id from here on
            if row.state != lifecycle.SUCCEEDED:
                raise FailedPrecondition(
                    f"film {film_name(row.public_id or row.id)} is {lifecycle.state_name(row.state)};"
                    " a shot can be regenerated once the film has succeeded"
                )
            if scene_graph is not None and row.updated_at != before:
                raise Aborted(f"film {film_name(row.public_id or row.id)} changed meanwhile; read it again and retry")
            now = self.clock()
            graph = row.scene_graph if scene_graph is None else scene_graph.SerializeToString()
            cost = credits.shot_seconds(graph).get(shot_id, 0.0)
            await credits.charge(conn, owner, cost, account_pb2.LEDGER_REASON_RERENDER, film_id,
                                 f"shot {shot_id} redone", now, self.monthly_grant_s)
            shot_values: dict[str, Any] = {
                "take": shots.c.take + 1, "state": film_pb2.SHOT_STATE_PENDING, "seed_override": seed,
                "image_key": None, "motion_key": None, "cached": False, "error": "", "lease_owner": None,
                "lease_expires_at": None, "updated_at": now,
            }
            if prompt is not None:
                shot_values["prompt_override"] = prompt
            shot_row = await self._update_shot(conn, film_id, shot_id, shot_values)
            await conn.execute(sa.update(films).where(films.c.id == film_id).values(
                **_REOPENED, credit_held_s=cost, scene_graph=graph, updated_at=now))
            await self._append(conn, film_id, film_pb2.FilmEvent(shot=shot_record(shot_row).to_proto(self.object_uri)))
            change = film_pb2.StateChange(state=lifecycle.GENERATING)
            await self._append(conn, film_id, film_pb2.FilmEvent(state_change=change))
            return film_record((await conn.execute(sa.select(films).where(films.c.id == film_id))).one())

        film = await self._write(work)
        self._notify(film_id)
        return film

    async def recast(self, owner: str, film_id: str, before: datetime.datetime, scene_graph: script_pb2.SceneGraph,
                     shot_ids: list[str]) -> FilmRecord:
        """UpdateCharacter: store the film's scene graph with its changed cast, and send `shot_ids` (the
        shots the change reaches) back to be rendered.

        A queued film only takes the new graph: nothing of it is rendered yet. A succeeded one goes
        back to GENERATING for those shots, each keeping its take (the change is in their cache keys),
        with their PENDING events and the film's GENERATING event; the previous outputs stay until
        the new cut replaces them. Aborted if the film changed since `before` (its updated_at when
        the caller read it: another update came first); FailedPrecondition while the film is planned, rendered or composed, or once it
        failed or was cancelled."""

        async def work(conn: AsyncConnection) -> FilmRecord:
            nonlocal film_id
            row = await _owned_film(conn, owner, film_id, for_update=True)
            film_id = row.id  # the internal id from here on
            if row.state not in (lifecycle.QUEUED, lifecycle.SUCCEEDED):
                raise FailedPrecondition(
                    f"film {film_name(row.public_id or row.id)} is {lifecycle.state_name(row.state)}; its cast can be changed"
                    " while it is queued or once it has succeeded")
            if row.updated_at != before:
                raise Aborted(f"the cast of film {film_name(row.public_id or row.id)} changed meanwhile; read it again and retry")
            now = self.clock()
            values: dict[str, Any] = {"scene_graph": scene_graph.SerializeToString(), "updated_at": now}
            reopen = row.state == lifecycle.SUCCEEDED and bool(shot_ids)
            if reopen:
                lengths = credits.shot_seconds(values["scene_graph"])
                cost = sum(lengths.get(shot_id, 0.0) for shot_id in shot_ids)
                await credits.charge(conn, owner, cost, account_pb2.LEDGER_REASON_RERENDER, film_id,
                                     f"{len(shot_ids)} shots re-rendered for a cast change", now, self.monthly_grant_s)
                values |= _REOPENED | {"credit_held_s": cost}
            await conn.execute(sa.update(films).where(films.c.id == film_id).values(**values))
            if reopen:
                for shot_id in shot_ids:
                    shot_row = await self._update_shot(conn, film_id, shot_id, {
                        "state": film_pb2.SHOT_STATE_PENDING, "image_key": None, "audio_key": None,
                        "motion_key": None, "line_seconds": None, "cached": False, "error": "", "lease_owner": None,
                        "lease_expires_at": None, "updated_at": now})
                    await self._append(conn, film_id, film_pb2.FilmEvent(
                        shot=shot_record(shot_row).to_proto(self.object_uri)))
                change = film_pb2.StateChange(state=lifecycle.GENERATING)
                await self._append(conn, film_id, film_pb2.FilmEvent(state_change=change))
            return film_record((await conn.execute(sa.select(films).where(films.c.id == film_id))).one())

        film = await self._write(work)
        self._notify(film_id)
        return film


def _state_values(
    public_id: str,
    state: int,
    progress: float | None,
    scene_graph: script_pb2.SceneGraph | None,
    outputs: film_pb2.FilmOutputs | None,
    error: status_pb2.Status | None,
) -> dict[str, Any]:
    """The film row's new column values for a move to `state` (see FilmRows.set_state)."""
    values: dict[str, Any] = {"state": state}
    progress_after = 1.0 if state == lifecycle.SUCCEEDED else progress
    if progress_after is not None:
        values["progress"] = progress_after
    if scene_graph is not None:
        values["scene_graph"] = scene_graph.SerializeToString()
    if outputs is not None:
        values["outputs"] = outputs.SerializeToString()
        if outputs.HasField("duration"):
            values["seconds"] = _seconds(outputs.duration)
    if error is None and state == lifecycle.CANCELLED:
        error = status_pb2.Status(code=code_pb2.CANCELLED, message=f"film {film_name(public_id)} was cancelled")
    if error is not None:
        values |= {"error_code": error.code, "error_message": error.message}
    if lifecycle.is_terminal(state):
        values |= {"lease_owner": None, "lease_expires_at": None, "not_before": None}
    return values


# A succeeded film sent back to GENERATING for some of its shots: unclaimed, with a clean slate.
_REOPENED: dict[str, Any] = {
    "state": lifecycle.GENERATING, "progress": 0.0, "cancel_requested": False, "error_code": 0, "error_message": "",
    "attempts": 0, "not_before": None, "lease_owner": None, "lease_expires_at": None,
}


class Admit(Protocol):
    """An owner's quota, checked by create_film: raises (ResourceExhausted) to refuse the film."""

    since: datetime.datetime  # charged seconds are counted from here (the start of the quota's day)

    def __call__(self, films_in_flight: int, seconds_charged: float) -> None: ...


async def _active_films(conn: AsyncConnection, owner: str) -> int:
    # A film in the trash no longer counts, even while its worker is still stopping it.
    query = sa.select(sa.func.count()).where(films.c.owner == owner, films.c.state.in_(lifecycle.ACTIVE_STATES),
                                             _in_trash(False))
    return (await conn.execute(query)).scalar_one()


async def _seconds_since(conn: AsyncConnection, owner: str, since: datetime.datetime) -> float:
    query = sa.select(sa.func.coalesce(sa.func.sum(films.c.seconds), 0.0)).where(
        films.c.owner == owner, films.c.created_at >= since, films.c.state != lifecycle.FAILED)
    return float((await conn.execute(query)).scalar_one())


async def _owned_film(conn: AsyncConnection, owner: str, film_id: str, for_update: bool = False,
                      trashed: bool = False) -> Any:
    """The owner's film row (`film_id` as _named says), not in the trash (with `trashed`: in it);
    NotFound for a missing film, for another owner's film and for one on the other side of the trash
    alike (a caller never learns that someone else's film exists). for_update locks the row for the
    transaction. Callers go on with the row's id, the internal one."""
    query = sa.select(films).where(films.c.owner == owner, _named(film_id), _in_trash(trashed))
    row = (await conn.execute(query.with_for_update() if for_update else query)).first()
    if row is None:
        raise NotFound(f"film {film_name(film_id)} not found")
    return row
