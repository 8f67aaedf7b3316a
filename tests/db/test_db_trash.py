"""The trash: DeleteFilm moves a film there, out of every listing and every method's reach but for
listing the trash and UndeleteFilm; the sweeper purges it with its objects once the retention has
passed, on a moved clock, from any replica and after a restart, each film once."""

from __future__ import annotations

import asyncio
import datetime
import types

import pytest
from google.rpc import code_pb2

from filmstudio.errors import NotFound
from filmstudio.storage import LocalStore
from filmstudio.v1 import film_pb2, script_pb2
from orchestrator.films import FILM_OUTPUTS, Films
from orchestrator.sweeper import Sweeper
from tests.db.films import generating_film, new_film

DAY_S = 24 * 3600.0
RETENTION = datetime.timedelta(days=30)


def films_of(db, store) -> Films:
    worker = types.SimpleNamespace(cancel_local=lambda film_id: None, wake=asyncio.Event())
    return Films(db, store, None, worker, trash_retention=RETENTION)


async def test_a_trashed_film_is_out_of_every_listing_and_not_found(db, clock):
    kept, trashed = await new_film(db), await new_film(db)
    await db.trash_film("alice", trashed.id)
    assert [f.id for f in (await db.list_films("alice", 20))[0]] == [kept.id]
    in_trash, more = await db.list_films("alice", 20, trashed=True)
    assert [f.id for f in in_trash] == [trashed.id] and not more and in_trash[0].deleted_at == clock()
    assert await db.list_films("bob", 20, trashed=True) == ([], False)
    missing = f"film films/{trashed.id} not found"  # word for word what a missing film answers
    calls = {
        "get": lambda: db.get_film("alice", trashed.id),
        "cancel": lambda: db.request_cancel("alice", trashed.id),
        "trash again": lambda: db.trash_film("alice", trashed.id),
        "regenerate": lambda: db.reopen_for_shot("alice", trashed.id, "s1"),
        "recast": lambda: db.recast("alice", trashed.id, trashed.updated_at, script_pb2.SceneGraph(), []),
    }
    for what, call in calls.items():
        with pytest.raises(NotFound) as refused:
            await call()
        assert str(refused.value) == missing, what
    with pytest.raises(NotFound, match=f"film films/{kept.id} not found"):
        await db.undelete_film("alice", kept.id)  # not in the trash
    with pytest.raises(NotFound):
        await db.undelete_film("bob", trashed.id)  # someone else's trash


async def test_undelete_restores_the_film_as_it_was(db, clock):
    film = await new_film(db, display_name="Take one")
    await db.trash_film("alice", film.id)
    clock.advance(DAY_S)
    restored = await db.undelete_film("alice", film.id)
    assert restored.deleted_at is None and restored.display_name == "Take one"
    assert restored.state == film_pb2.FILM_STATE_CANCELLED  # the delete stopped it; undelete does not restart it
    assert (await db.get_film("alice", film.id)).id == film.id
    assert [f.id for f in (await db.list_films("alice", 20))[0]] == [film.id]
    assert (await db.list_films("alice", 20, trashed=True))[0] == []
    with pytest.raises(NotFound):
        await db.undelete_film("alice", film.id)


async def test_trashing_stops_the_film_and_frees_its_place_in_flight(db, clock):
    day_start = clock()
    rendering = await generating_film(db, "w1")  # claimed first: a worker takes the oldest queued film
    queued = await new_film(db)
    assert await db.count_active_films("alice") == 2
    stopped = await db.trash_film("alice", queued.id)  # no worker holds it: cancelled at once, with its event
    assert stopped.state == film_pb2.FILM_STATE_CANCELLED and stopped.error.code == code_pb2.CANCELLED
    assert (await db.events_after(queued.id, 0))[-1].state_change.state == film_pb2.FILM_STATE_CANCELLED
    asked = await db.trash_film("alice", rendering.id)  # its worker is asked, and answers CANCELLED
    assert asked.state == film_pb2.FILM_STATE_GENERATING and await db.is_cancel_requested(rendering.id)
    assert await db.count_active_films("alice") == 0
    await db.set_state(rendering.id, "w1", film_pb2.FILM_STATE_CANCELLED)
    assert (await db.load_film(rendering.id)).state == film_pb2.FILM_STATE_CANCELLED
    assert await db.seconds_rendered_since("alice", day_start) == 120  # what was charged stays charged


async def test_a_trashed_film_shows_its_delete_and_purge_time_through_the_api(db, clock, tmp_path):
    films = films_of(db, LocalStore(tmp_path / "store"))
    film = await new_film(db)
    await films.delete("alice", f"films/{film.id}")
    with pytest.raises(NotFound):
        await films.get("alice", f"films/{film.id}")
    assert not (await films.list("alice", film_pb2.ListFilmsRequest())).films
    listed = (await films.list("alice", film_pb2.ListFilmsRequest(show_deleted=True))).films
    assert [f.name for f in listed] == [f"films/{film.id}"]
    assert listed[0].delete_time.ToDatetime(datetime.UTC) == clock()
    assert listed[0].purge_time.ToDatetime(datetime.UTC) == clock() + RETENTION
    with pytest.raises(NotFound):
        await films.delete("alice", f"films/{film.id}")
    restored = await films.undelete("alice", f"films/{film.id}")
    assert not restored.HasField("delete_time") and not restored.HasField("purge_time")
    assert (await films.get("alice", f"films/{film.id}")).name == f"films/{film.id}"


async def test_the_sweeper_purges_after_the_retention_with_the_objects_only_the_film_used(backend, clock, tmp_path):
    db = await backend.open()
    store = LocalStore(tmp_path / "store")
    doomed, keeper, restored = await new_film(db), await new_film(db), await new_film(db)
    for key, film in (("assets/shared", doomed), ("assets/shared", keeper), ("assets/mine", doomed)):
        await store.put(key, b"x")
        await db.record_asset(key, "image", "storyboard", "1", 1, film.id)
    for output in FILM_OUTPUTS:
        await store.put(f"films/{doomed.id}/{output}", b"x")
    await db.trash_film("alice", doomed.id)
    await db.trash_film("alice", restored.id)
    sweeper = Sweeper(db, store, retention=RETENTION)
    clock.advance(29 * DAY_S)
    assert await sweeper.sweep() == []
    await db.undelete_film("alice", restored.id)
    assert (await db.list_films("alice", 20, trashed=True))[0][0].id == doomed.id
    # A restarted replica finds what is due in the database: nothing of the trash lives in memory.
    await db.close()
    clock.advance(DAY_S + 1)
    again = Sweeper(await backend.open(), store, retention=RETENTION)
    assert await again.sweep() == [doomed.id]
    assert not await store.exists("assets/mine")
    assert not any([await store.exists(f"films/{doomed.id}/{output}") for output in FILM_OUTPUTS])
    assert await store.exists("assets/shared") and await again.db.asset_exists("assets/shared")
    with pytest.raises(NotFound):
        await again.db.load_film(doomed.id)
    assert {f.id for f in (await again.db.list_films("alice", 20))[0]} == {keeper.id, restored.id}
    assert await again.sweep() == []


async def test_replicas_sweeping_together_purge_each_film_once_and_leak_no_asset(backend, clock):
    replicas = [await backend.open() for _ in range(4)]
    doomed = [await new_film(replicas[0]) for _ in range(24)]
    every_key = set()
    for i, film in enumerate(doomed):
        # Each film has an asset of its own and shares one with its neighbour, so replicas purging
        # neighbours at once each see the other's reference until one of them commits.
        for key in (f"own-{i}", f"pair-{i // 2}"):
            await replicas[0].record_asset(key, "image", "storyboard", "1", 1, film.id)
            every_key.add(key)
        await replicas[0].trash_film("alice", film.id)
    kept = await new_film(replicas[0])
    clock.advance(1)

    async def sweep(db):
        purged, orphaned = [], []
        while True:
            ids, keys = await db.purge_films(clock(), limit=3)
            if not ids:
                return purged, orphaned
            purged += ids
            orphaned += keys

    results = await asyncio.gather(*(sweep(db) for db in replicas))
    purged = [film_id for ids, _ in results for film_id in ids]
    orphaned = [key for _, keys in results for key in keys]
    assert sorted(purged) == sorted(f.id for f in doomed)  # each film once
    assert sorted(orphaned) == sorted(every_key)  # each asset once, none left behind
    assert not any([await replicas[1].asset_exists(key) for key in every_key])
    assert (await replicas[2].get_film("alice", kept.id)).id == kept.id
