"""Leases: exclusive claims across replicas, expiry and takeover, renewal, release with backoff."""

from __future__ import annotations

import asyncio
import datetime

import pytest

from filmstudio.v1 import film_pb2
from orchestrator.db import LeaseLost
from tests.db.films import generating_film, new_film, purge


async def test_concurrent_claimers_on_several_replicas_never_share_a_film(backend):
    replicas = [await backend.open() for _ in range(4)]
    made = {(await new_film(replicas[0])).id for _ in range(6)}
    claims = await asyncio.gather(
        *(replicas[i % 4].claim_film(f"worker-{i}", 30) for i in range(24))
    )
    claimed = [film for film in claims if film is not None]
    assert sorted(f.id for f in claimed) == sorted(made)
    for film in claimed:
        holder = await replicas[0].load_film(film.id)
        assert holder.lease_owner == film.lease_owner and holder.attempts == 1


async def test_an_expired_lease_lets_another_worker_take_over(db, clock):
    film = await generating_film(db, "w1")
    clock.advance(29)
    assert await db.claim_film("w2", 30) is None
    clock.advance(2)
    taken = await db.claim_film("w2", 30)
    assert taken.id == film.id and taken.lease_owner == "w2" and taken.attempts == 2
    assert taken.state == film_pb2.FILM_STATE_GENERATING  # resumes where the first worker stopped
    with pytest.raises(LeaseLost, match="worker w1 no longer holds the lease"):
        await db.set_state(film.id, "w1", film_pb2.FILM_STATE_COMPOSING)
    with pytest.raises(LeaseLost):
        await db.set_shot(film.id, "s1", "w1", film_pb2.SHOT_STATE_SUCCEEDED, image_key="k")
    with pytest.raises(LeaseLost):
        await db.put_shots(film.id, "w1", [("s3", 2)])
    assert not await db.renew_lease(film.id, "w1", 30)
    assert not await db.release_film(film.id, "w1")
    await db.set_state(film.id, "w2", film_pb2.FILM_STATE_COMPOSING)
    assert [s.state for s in await db.get_shots(film.id)] == [film_pb2.SHOT_STATE_PENDING] * 2


async def test_renewal_keeps_the_film_and_an_untaken_expired_lease_is_still_held(db, clock):
    film = await generating_film(db, "w1")
    clock.advance(20)
    assert await db.renew_lease(film.id, "w1", 30)
    clock.advance(20)
    assert await db.claim_film("w2", 30) is None
    clock.advance(40)  # expired, but nobody took it over
    assert await db.renew_lease(film.id, "w1", 30)
    assert await db.claim_film("w2", 30) is None


async def test_a_released_film_waits_for_its_backoff(db, clock):
    film = await new_film(db)
    await db.claim_film("w1", 30)
    assert await db.release_film(film.id, "w1", not_before=clock() + datetime.timedelta(seconds=10))
    assert await db.claim_film("w2", 30) is None
    clock.advance(10)
    again = await db.claim_film("w2", 30)
    assert again.id == film.id and again.attempts == 2


async def test_finished_films_are_never_claimed_and_the_oldest_goes_first(db, clock):
    first = await new_film(db)
    clock.advance(1)
    second = await new_film(db)
    assert (await db.claim_film("w1", 30)).id == first.id
    await db.set_state(first.id, "w1", film_pb2.FILM_STATE_FAILED)
    assert (await db.claim_film("w1", 30)).id == second.id
    clock.advance(3600)
    assert (await db.claim_film("w2", 30)).id == second.id
    assert await db.claim_film("w3", 30) is None


async def test_writes_to_a_purged_film_are_lease_lost(db):
    film = await generating_film(db, "w1")
    await purge(db, film.id)
    with pytest.raises(LeaseLost, match="no longer exists"):
        await db.set_state(film.id, "w1", film_pb2.FILM_STATE_COMPOSING)
    assert not await db.renew_lease(film.id, "w1", 30)
