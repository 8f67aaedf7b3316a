"""The event log: gap-free sequences under concurrent appends, cursors, and waiting for news."""

from __future__ import annotations

import asyncio

import pytest

from filmstudio.errors import NotFound
from filmstudio.v1 import composer_pb2, film_pb2
from tests.db.films import new_film


def compose(frames: int) -> film_pb2.FilmEvent:
    return film_pb2.FilmEvent(compose=composer_pb2.ComposeProgress(frames_done=frames))


async def test_concurrent_appends_from_several_replicas_leave_no_gap(backend):
    replicas = [await backend.open() for _ in range(3)]
    film = await new_film(replicas[0])
    appended = await asyncio.gather(*(replicas[i % 3].append_event(film.id, compose(i)) for i in range(40)))
    assert sorted(e.sequence for e in appended) == list(range(2, 42))
    log = await replicas[1].events_after(film.id, 0)
    assert [e.sequence for e in log] == list(range(1, 42))
    assert sorted(e.compose.frames_done for e in log[1:]) == list(range(40))
    assert all(e.film == f"films/{film.id}" and e.HasField("create_time") for e in log)


async def test_a_cursor_resumes_without_missing_or_repeating(db):
    film = await new_film(db)
    for i in range(9):
        await db.append_event(film.id, compose(i))
    first = await db.events_after(film.id, 0, limit=4)
    rest = await db.events_after(film.id, first[-1].sequence)
    assert [e.sequence for e in first + rest] == list(range(1, 11))
    assert await db.events_after(film.id, 10) == []


async def test_events_carry_the_films_progress(db):
    film = await new_film(db)
    await db.append_event(film.id, film_pb2.FilmEvent(progress=0.25, compose=composer_pb2.ComposeProgress()))
    plain = await db.append_event(film.id, compose(3))
    assert plain.progress == 0.25


async def test_appending_to_a_missing_film_is_not_found(db):
    with pytest.raises(NotFound, match="film films/ghost not found"):
        await db.append_event("ghost", compose(1))


async def test_a_waiter_gets_events_appended_by_another_replica(backend):
    watcher, worker = await backend.open(), await backend.open()
    film = await new_film(worker)
    assert await watcher.wait_for_events(film.id, 1, timeout_s=0.05) == []
    waiting = asyncio.create_task(watcher.wait_for_events(film.id, 1, timeout_s=30))
    await asyncio.sleep(0.05)
    await worker.append_event(film.id, compose(5))
    got = await waiting
    assert [(e.sequence, e.compose.frames_done) for e in got] == [(2, 5)]


async def test_a_waiter_returns_at_once_when_events_are_already_there(db):
    film = await new_film(db)
    got = await db.wait_for_events(film.id, 0, timeout_s=30)
    assert [e.state_change.state for e in got] == [film_pb2.FILM_STATE_QUEUED]


async def test_waiters_wake_on_news_not_on_their_poll(backend):
    # Polls are an hour apart: only this process's signal (or, across replicas, PostgreSQL's
    # NOTIFY) can deliver the event before the 20 s guard.
    watcher = await backend.open(poll_interval_s=3600)
    replicas = [watcher] + ([await backend.open()] if backend.name == "postgresql" else [])
    film = await new_film(watcher)
    for i, writer in enumerate(replicas):
        waiting = asyncio.create_task(watcher.wait_for_events(film.id, 1 + i, timeout_s=3600))
        await asyncio.sleep(0.05)
        await writer.append_event(film.id, compose(i))
        got = await asyncio.wait_for(waiting, 20)
        assert [e.sequence for e in got] == [2 + i]


async def test_a_watched_film_that_is_purged_ends_the_wait(db):
    film = await new_film(db)
    trashed = await db.trash_film("alice", film.id)  # its CANCELLED event is the last one to see
    waiting = asyncio.create_task(db.wait_for_events(film.id, trashed.last_sequence, timeout_s=3600))
    await asyncio.sleep(0.05)
    db.clock.advance(1)
    assert (await db.purge_films(db.clock()))[0] == [film.id]
    with pytest.raises(NotFound, match=f"film films/{film.id} not found"):
        await asyncio.wait_for(waiting, 20)
