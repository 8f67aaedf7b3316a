"""Film reads, as GetFilm and ListFilms make them: a film and its shots from one snapshot, a fixed
number of queries whatever the page size, never a stale film after any write (here or in another
replica, in the same clock tick or not), and an unchanged film not built again."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import sqlite3
import threading

import pytest

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.util import await_only

from filmstudio.errors import NotFound
from filmstudio.storage import LocalStore
from filmstudio.v1 import film_pb2
from orchestrator.db import Database
from orchestrator.films import Films
from tests.db.films import generating_film, new_film

S = film_pb2


@contextlib.contextmanager
def selects_sent():
    """The SELECT statements every engine sends inside the block (BEGIN and COMMIT are left out)."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append(statement)

    sa_event.listen(sa.Engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa_event.remove(sa.Engine, "before_cursor_execute", record)


def films_of(db, tmp_path) -> Films:
    return Films(db, LocalStore(tmp_path / "store"), None, None)


async def test_a_film_is_read_with_its_shots_in_film_order(db):
    film = await generating_film(db, shot_ids=("s2", "s1", "s3"))
    assert (await db.get_film("alice", film.id)).shots is None
    whole = await db.get_film("alice", film.id, with_shots=True)
    assert whole.shots == tuple(await db.get_shots(film.id))
    assert [shot.shot_id for shot in whole.shots] == ["s2", "s1", "s3"]
    assert [shot.name for shot in whole.to_proto().shots] == [f"films/{film.id}/shots/{s}" for s in ("s2", "s1", "s3")]


async def test_a_page_carries_each_films_own_shots(db, clock):
    first = await generating_film(db, "w1", shot_ids=("a", "b"))
    clock.advance(1)
    second = await generating_film(db, "w2", shot_ids=("c",))
    clock.advance(1)
    queued = await new_film(db)
    page, more = await db.list_films("alice", 2, with_shots=True)
    assert [f.id for f in page] == [queued.id, second.id] and more
    assert page[0].shots == () and [s.shot_id for s in page[1].shots] == ["c"]
    rest, more = await db.list_films("alice", 2, (page[-1].created_at, page[-1].id), with_shots=True)
    assert [f.id for f in rest] == [first.id] and not more
    assert [s.shot_id for s in rest[0].shots] == ["a", "b"]
    assert all(f.shots is None for f in (await db.list_films("alice", 5))[0])


async def test_a_film_and_its_shots_come_from_one_snapshot(backend):
    """Another replica commits a change to the film and its shot between the two SELECTs of a read:
    the read shows neither (on PostgreSQL's default READ COMMITTED it would show only the shot's)."""
    here, there = await backend.open(), await backend.open()
    film = await generating_film(there, "w1", shot_ids=("s1",))
    fired = []

    async def change_from_a_replica_of_its_own() -> None:
        replica = Database(backend.url, clock=backend.clock)
        try:
            await replica.set_shot(film.id, "s1", "w1", S.SHOT_STATE_SUCCEEDED, progress=0.5)
        finally:
            await replica.close()

    def change_meanwhile(conn, cursor, statement, parameters, context, executemany) -> None:
        if "FROM shots" not in statement or fired:
            return
        fired.append(statement)
        if backend.name == "sqlite":  # the read runs in this loop's thread, which must not wait here
            with concurrent.futures.ThreadPoolExecutor(1) as elsewhere:
                elsewhere.submit(asyncio.run, change_from_a_replica_of_its_own()).result(30)
        else:  # the read runs in SQLAlchemy's greenlet, on this loop
            await_only(there.set_shot(film.id, "s1", "w1", S.SHOT_STATE_SUCCEEDED, progress=0.5))

    sa_event.listen(sa.Engine, "before_cursor_execute", change_meanwhile)
    try:
        during = await here.get_film("alice", film.id, with_shots=True)
    finally:
        sa_event.remove(sa.Engine, "before_cursor_execute", change_meanwhile)
    assert fired
    assert (during.progress, during.shots[0].state) == (0.0, S.SHOT_STATE_PENDING)
    after = await here.get_film("alice", film.id, with_shots=True)
    assert (after.progress, after.shots[0].state) == (0.5, S.SHOT_STATE_SUCCEEDED)


async def test_get_and_list_are_two_selects_whatever_the_page_size(db, clock, tmp_path):
    films = films_of(db, tmp_path)
    made = []
    for i in range(5):
        made.append(await generating_film(db, f"w{i}", shot_ids=("s1", "s2")))
        clock.advance(1)
    with selects_sent() as sent:
        got = await films.get("alice", made[0].name)
    assert len(sent) == 2 and len(got.shots) == 2
    for size in (1, 3, 5):
        with selects_sent() as sent:
            page = await films.list("alice", film_pb2.ListFilmsRequest(page_size=size))
        assert len(sent) == 2, sent
        assert len(page.films) == size and all(len(f.shots) == 2 for f in page.films)


async def test_a_film_changed_by_another_replica_is_never_read_stale(backend, clock, tmp_path):
    """Every change another Database handle makes shows in this handle's very next GetFilm and
    ListFilms, including those that append no event (put_shots) or touch only updated_at (a cancel
    asked of a held film): a read-side cache keyed on the event sequence or the update time fails here."""
    here, there = await backend.open(), await backend.open()
    films = films_of(here, tmp_path)
    film = await new_film(there)
    key = "assets/aa/" + "a" * 62 + ".png"
    changes = {
        "claimed (the lease is not in the API film)": lambda: there.claim_film("w1", 30),
        "planning": lambda: there.set_state(film.id, "w1", S.FILM_STATE_PLANNING, progress=0.01),
        "shots planned, no event": lambda: there.put_shots(film.id, "w1", [("s1", 0), ("s2", 1)]),
        "generating": lambda: there.set_state(film.id, "w1", S.FILM_STATE_GENERATING),
        "shot rendering": lambda: there.set_shot(film.id, "s1", "w1", S.SHOT_STATE_RENDERING),
        "shot done": lambda: there.set_shot(film.id, "s1", "w1", S.SHOT_STATE_SUCCEEDED, image_key=key),
        "progress": lambda: there.append_event(film.id, S.FilmEvent(progress=0.5)),
        "cancel asked, no event": lambda: there.request_cancel("alice", film.id),
        "cancelled": lambda: there.set_state(film.id, "w1", S.FILM_STATE_CANCELLED),
    }
    before = await films.get("alice", film.name)
    assert (await films.list("alice", film_pb2.ListFilmsRequest())).films == [before]
    for change, make in changes.items():
        clock.advance(1)
        await make()
        fresh = (await there.get_film("alice", film.id, with_shots=True)).to_proto(films.store.uri)
        got = await films.get("alice", film.name)
        assert got == fresh, change
        assert (await films.list("alice", film_pb2.ListFilmsRequest())).films == [fresh], change
        assert (got == before) == change.startswith("claimed"), change
        before = got


async def uncached(db, film_id: str, films: Films) -> film_pb2.Film:
    """The film as a read that keeps nothing builds it (load_film and get_shots are never reused)."""
    record = dataclasses.replace(await db.load_film(film_id), shots=tuple(await db.get_shots(film_id)))
    return record.to_proto(films.store.uri, films.trash_retention)


async def test_an_unchanged_film_is_not_built_again_and_a_changed_one_never_read_stale(backend, clock, tmp_path):
    """Writes in this handle and in another, all in one clock tick (so no updated_at moves between
    them, and put_shots' reordering moves none at all): each shows in the very next GetFilm and
    ListFilms. A film read twice unchanged is the same record, not built again, and the message a
    caller gets is its own to change."""
    here, there = await backend.open(), await backend.open()
    films = films_of(here, tmp_path)
    film = await generating_film(there, shot_ids=("s1", "s2"))
    other = await new_film(here, owner="bob")
    key = "assets/aa/" + "a" * 62 + ".png"
    first = await here.get_film("alice", film.id, with_shots=True)
    assert await here.get_film("alice", film.id, with_shots=True) is first
    (listed,), _ = await here.list_films("alice", 10, with_shots=True)
    assert listed is first
    got = await films.get("alice", film.name)
    got.display_name, got.shots[0].image_uri = "changed by its caller", "file:///elsewhere"
    assert await films.get("alice", film.name) == await uncached(here, film.id, films)
    changes = {
        "shot rendering, here": lambda: here.set_shot(film.id, "s1", "w1", S.SHOT_STATE_RENDERING),
        "shot done, there": lambda: there.set_shot(film.id, "s1", "w1", S.SHOT_STATE_SUCCEEDED, image_key=key),
        "shots reordered, no time moves": lambda: there.put_shots(film.id, "w1", [("s2", 0), ("s1", 1)]),
        "progress, here": lambda: here.append_event(film.id, S.FilmEvent(progress=0.5)),
        "second shot done, here": lambda: here.set_shot(film.id, "s2", "w1", S.SHOT_STATE_SUCCEEDED, audio_key=key),
        "composing, there": lambda: there.set_state(film.id, "w1", S.FILM_STATE_COMPOSING),
        "succeeded, here": lambda: here.set_state(film.id, "w1", S.FILM_STATE_SUCCEEDED,
                                                  outputs=S.FilmOutputs(video_uri="films/x/film.mp4")),
    }
    before = await films.get("alice", film.name)
    for change, make in changes.items():
        await make()
        fresh = await uncached(there, film.id, films)
        assert fresh != before, change
        assert await films.get("alice", film.name) == fresh, change
        page = await films.list("alice", film_pb2.ListFilmsRequest())
        assert [f for f in page.films if f.name == film.name] == [fresh], change
        before = fresh
    assert [shot.shot_id for shot in before.shots] == ["s2", "s1"]
    with pytest.raises(NotFound):  # read, and so remembered, for alice: still nobody else's
        await films.get("bob", film.name)
    assert [f.name for f in (await films.list("bob", film_pb2.ListFilmsRequest())).films] == [other.name]
    await there.trash_film("alice", film.id)
    with pytest.raises(NotFound):
        await films.get("alice", film.name)
    assert film.name not in [f.name for f in (await films.list("alice", film_pb2.ListFilmsRequest())).films]
    trashed = (await films.list("alice", film_pb2.ListFilmsRequest(show_deleted=True))).films
    assert [f.name for f in trashed] == [film.name] and trashed[0].HasField("delete_time")
    await here.undelete_film("alice", film.id)
    assert await films.get("alice", film.name) == await uncached(here, film.id, films)


async def test_a_sqlite_read_that_finds_the_file_busy_runs_again_on_a_reader_thread(tmp_path, clock):
    """The loop's own read connection never waits for a lock (busy_timeout 0): a read it finds busy
    runs again on a reader thread, which waits as writers do. Other errors are the caller's."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'filmstudio.db'}", clock=clock)
    await db.migrate()
    try:
        film = await new_film(db)
        with db._inline_reader.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 0
        with db._reader.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
        refusal = [sqlite3.OperationalError("database is locked")]
        threads: dict[str, int] = {}

        def busy(conn, cursor, statement, parameters, context, executemany) -> None:
            threads["inline"] = threading.get_ident()
            if refusal:
                raise refusal.pop()

        def on_reader(conn, cursor, statement, parameters, context, executemany) -> None:
            threads["reader"] = threading.get_ident()

        sa_event.listen(db._inline_reader, "before_cursor_execute", busy)
        sa_event.listen(db._reader, "before_cursor_execute", on_reader)
        read = await db.get_film("alice", film.id, with_shots=True)
        assert read.id == film.id and read.shots == ()
        assert threads["inline"] == threading.get_ident() != threads.pop("reader")
        refusal.append(sqlite3.OperationalError("no such table: films"))
        with pytest.raises(sa.exc.OperationalError, match="no such table"):
            await db.get_film("alice", film.id)
        assert "reader" not in threads
        assert (await db.get_film("alice", film.id)).id == film.id  # and the loop's connection reads again
    finally:
        await db.close()
