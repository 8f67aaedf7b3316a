"""A composer outage: films wait and retry, succeed when it comes back, and fail naming the composer
once the retry deadline (FILMSTUDIO_RETRY_DEADLINE_S) has passed."""

from __future__ import annotations

import asyncio

import pytest

from filmstudio.v1 import film_pb2
from tests.e2e.conftest import Client, close_stack, describe, make_stack, settings, short_script, succeeded


@pytest.fixture
def composerless(triton_mesh, tmp_path):
    """A stack on SQLite whose composer is not running (yet)."""
    stack, pg_name = make_stack(triton_mesh, tmp_path / "outage", "sqlite")
    yield stack
    close_stack(stack, pg_name)


async def waiting_for_composer(client: Client, name: str) -> list[film_pb2.FilmEvent]:
    """Events until the film says it is waiting for the composer."""
    seen = []
    async for event in client.films.WatchFilm(film_pb2.WatchFilmRequest(name=name), metadata=client.metadata,
                                              timeout=120):
        seen.append(event)
        if event.WhichOneof("kind") == "state_change" and "waiting: composer" in event.state_change.message:
            return seen
    raise AssertionError(f"the film ended without waiting for the composer: {seen[-1]}")


async def test_a_film_waits_for_the_composer_and_succeeds_when_it_returns(composerless):
    composerless.start_replica(FILMSTUDIO_RETRY_DEADLINE_S="120")
    async with Client(composerless.addr, "ivy") as ivy:
        film = await ivy.create(short_script("outage"), settings(8))
        seen = await waiting_for_composer(ivy, film.name)
        assert (await ivy.get(film.name)).state == film_pb2.FILM_STATE_COMPOSING
        assert composerless.env["FILMSTUDIO_COMPOSER_ADDR"] in seen[-1].state_change.message
        await asyncio.to_thread(composerless.start_composer)
        done, _ = await ivy.finish(film.name, after=seen[-1].sequence)
    assert succeeded(done), describe(done)


async def test_a_film_fails_naming_the_composer_after_the_deadline(composerless):
    composerless.start_replica(FILMSTUDIO_RETRY_DEADLINE_S="3")
    async with Client(composerless.addr, "ivy") as ivy:
        film, events = await ivy.render(short_script("deadline"), settings(8))
    assert film.state == film_pb2.FILM_STATE_FAILED, describe(film)
    assert f"composer at {composerless.env['FILMSTUDIO_COMPOSER_ADDR']} unavailable" in film.error.message
    assert "gave up after" in film.error.message
    assert all(s.state == film_pb2.SHOT_STATE_SUCCEEDED for s in film.shots)  # the shots are kept
