"""Films: idempotent creation, owner isolation, pagination, quotas, cancel, purge (the trash: test_db_trash.py)."""

from __future__ import annotations

import asyncio
import datetime
import types

import pytest
from google.protobuf import duration_pb2
from google.rpc import code_pb2

from filmstudio.errors import AlreadyExists, InvalidArgument, NotFound, ResourceExhausted, status_of
from filmstudio.names import check_film_id
from filmstudio.settings import page_size
from filmstudio.storage import LocalStore
from orchestrator.films import Films, Quotas
from orchestrator.paging import decode_page_token, encode_page_token
from filmstudio.v1 import film_pb2
from tests.db.films import generating_film, new_film, purge, settings


async def test_same_request_id_returns_the_first_film(db):
    first = await db.create_film("alice", "A script.", settings(seed=7), display_name="Take one", request_id="r-1")
    again = await db.create_film("alice", "A script.", settings(seed=7), display_name="Take one", request_id="r-1")
    assert first.created and not again.created
    assert again.id == first.id
    films, _ = await db.list_films("alice", 20)
    assert [f.id for f in films] == [first.id]


async def test_request_id_is_scoped_to_the_owner_and_empty_means_none(db):
    alice = await db.create_film("alice", "x", settings(), request_id="same")
    bob = await db.create_film("bob", "x", settings(), request_id="same")
    assert bob.created and bob.id != alice.id
    one = await db.create_film("alice", "x", settings())
    two = await db.create_film("alice", "x", settings())
    assert one.id != two.id and one.created and two.created


async def test_concurrent_retries_of_one_request_make_one_film(backend):
    replicas = [await backend.open() for _ in range(3)]
    results = await asyncio.gather(
        *(replicas[i % 3].create_film("alice", "x", settings(), request_id="retry-me") for i in range(12))
    )
    assert len({film.id for film in results}) == 1
    assert sum(film.created for film in results) == 1
    films, _ = await replicas[0].list_films("alice", 20)
    assert len(films) == 1
    assert [e.sequence for e in await replicas[0].events_after(films[0].id, 0)] == [1]


async def test_chosen_film_id_is_used_and_cannot_be_taken_twice_by_its_owner(db):
    film = await db.create_film("alice", "x", settings(), film_id="my-first-film")
    assert film.name == "films/my-first-film" and film.public_id == "my-first-film"
    with pytest.raises(AlreadyExists, match="films/my-first-film"):
        await db.create_film("alice", "y", settings(), film_id="my-first-film")
    # Nor may it be the internal id of another of hers (her files are served by it).
    with pytest.raises(AlreadyExists, match=f"films/{film.id}"):
        await db.create_film("alice", "y", settings(), film_id=film.id)


async def test_film_ids_are_per_owner_and_say_nothing_of_other_owners_films(db):
    alice = await db.create_film("alice", "hers", settings(), film_id="harbour")
    bob = await db.create_film("bob", "his", settings(), film_id="harbour")  # not "already exists"
    assert alice.name == bob.name == "films/harbour" and alice.id != bob.id
    assert (await db.get_film("alice", "harbour")).script == "hers"
    assert (await db.get_film("bob", "harbour")).script == "his"
    # The internal id (its events, lease and stored files) names the same film to its owner alone.
    assert (await db.get_film("alice", alice.id)).script == "hers"
    with pytest.raises(NotFound, match=f"film films/{alice.id} not found"):
        await db.get_film("bob", alice.id)
    # Everything an owner does by name reaches the owner's film only.
    await db.trash_film("bob", "harbour")
    assert (await db.get_film("alice", "harbour")).deleted_at is None
    assert (await db.undelete_film("bob", "harbour")).id == bob.id
    events = await db.events_after(bob.id, 0)
    assert events and {e.film for e in events} == {"films/harbour"}
    page, _ = await db.list_films("alice", 10)
    assert [f.name for f in page] == ["films/harbour"] and page[0].id == alice.id


async def test_another_owners_film_is_not_found_exactly_like_a_missing_one(db):
    film = await new_film(db, "alice")
    with pytest.raises(NotFound) as other_owner:
        await db.get_film("mallory", film.id)
    with pytest.raises(NotFound) as missing:
        await db.get_film("mallory", "no-such-film")
    assert str(other_owner.value) == f"film films/{film.id} not found"
    assert str(missing.value) == "film films/no-such-film not found"
    for call in (db.request_cancel, db.trash_film, db.undelete_film):
        with pytest.raises(NotFound):
            await call("mallory", film.id)
    with pytest.raises(NotFound):
        await db.reopen_for_shot("mallory", film.id, "s1")
    assert (await db.get_film("alice", film.id)).state == film_pb2.FILM_STATE_QUEUED
    assert await db.list_films("mallory", 20) == ([], False)


async def test_pages_cover_every_film_once_newest_first(db, clock):
    made = []
    for i in range(23):
        made.append((await new_film(db)).id)
        if i % 3 == 0:  # some films share a creation time: the id breaks the tie
            clock.advance(1)
    await new_film(db, "bob")
    seen, after, pages = [], None, 0
    while True:
        page, more = await db.list_films("alice", 5, after)
        seen += page
        pages += 1
        if not more:
            break
        after = decode_page_token(encode_page_token(page[-1].created_at, page[-1].id))
    assert pages == 5
    assert sorted(f.id for f in seen) == sorted(made)
    keys = [(f.created_at, f.id) for f in seen]
    assert keys == sorted(keys, reverse=True)
    assert len((await db.list_films("alice", page_size(0)))[0]) == 20
    assert len((await db.list_films("alice", page_size(1000)))[0]) == 23


def test_bad_page_arguments_are_refused():
    with pytest.raises(InvalidArgument, match="page_token"):
        decode_page_token("not-a-token")
    with pytest.raises(InvalidArgument, match="page_size"):
        page_size(-1)


def test_bad_film_ids_are_refused_naming_the_field():
    with pytest.raises(InvalidArgument, match="film_id 'Bad_Id'"):
        check_film_id("Bad_Id")
    for good in ("a", "my-first-film", "f0123abcd"):
        assert check_film_id(good) == good
    for bad in ("1abc", "a-", "", "a" * 64):
        with pytest.raises(InvalidArgument):
            check_film_id(bad)


async def test_to_proto_builds_the_api_film(db):
    film = await db.create_film("alice", "FADE IN:", settings(fps=30, style="noir"), display_name="Noir")
    worker = "w1"
    await db.claim_film(worker, 30)
    await db.put_shots(film.id, worker, [("s2", 1), ("s1", 0)])
    await db.set_shot(film.id, "s1", worker, film_pb2.SHOT_STATE_SUCCEEDED, image_key="assets/aa/aa.png")
    await db.set_state(film.id, worker, film_pb2.FILM_STATE_FAILED, error=status_of(InvalidArgument("no voices")))
    record = await db.get_film("alice", film.id, with_shots=True)
    proto = record.to_proto(object_uri=lambda key: f"file:///store/{key}")
    assert proto.name == f"films/{film.id}" and proto.owner == "users/alice"
    assert proto.display_name == "Noir" and proto.script == "FADE IN:"
    assert proto.settings == settings(fps=30, style="noir")
    assert proto.state == film_pb2.FILM_STATE_FAILED
    assert (proto.error.code, proto.error.message) == (code_pb2.INVALID_ARGUMENT, "no voices")
    assert [s.name for s in proto.shots] == [f"films/{film.id}/shots/s1", f"films/{film.id}/shots/s2"]
    assert proto.shots[0].image_uri == "file:///store/assets/aa/aa.png" and proto.shots[1].image_uri == ""
    assert proto.create_time.ToDatetime(datetime.UTC) == record.created_at
    assert not proto.HasField("outputs") and not proto.HasField("scene_graph")


async def test_quotas_count_active_films_and_charged_seconds(db, clock):
    day_start = clock()
    await db.create_film("alice", "x", settings(target_duration=duration_pb2.Duration(seconds=30)))
    clock.advance(1)  # the oldest (the 30 s film) is claimed first
    await db.create_film("alice", "x", settings())  # default target: 60 s
    await new_film(db, "bob")
    assert await db.count_active_films("alice") == 2
    assert await db.seconds_rendered_since("alice", day_start) == 90
    failed = await db.claim_film("w1", 30)
    await db.set_state(failed.id, "w1", film_pb2.FILM_STATE_FAILED)
    assert await db.count_active_films("alice") == 1
    assert await db.seconds_rendered_since("alice", day_start) == 60
    assert await db.seconds_rendered_since("alice", clock.advance(1)) == 0


async def test_cancel_of_an_unclaimed_film_is_immediate(db):
    film = await new_film(db)
    cancelled = await db.request_cancel("alice", film.id)
    assert cancelled.state == film_pb2.FILM_STATE_CANCELLED and cancelled.error.code == code_pb2.CANCELLED
    events = await db.events_after(film.id, 0)
    assert events[-1].state_change.state == film_pb2.FILM_STATE_CANCELLED
    assert await db.claim_film("w1", 30) is None
    assert (await db.request_cancel("alice", film.id)).last_sequence == cancelled.last_sequence


async def test_cancel_of_a_claimed_film_asks_its_worker(db):
    film = await generating_film(db, "w1")
    await db.set_shot(film.id, "s1", "w1", film_pb2.SHOT_STATE_SUCCEEDED, image_key="k1")
    await db.set_shot(film.id, "s2", "w1", film_pb2.SHOT_STATE_RENDERING)
    assert not await db.is_cancel_requested(film.id)
    requested = await db.request_cancel("alice", film.id)
    assert requested.state == film_pb2.FILM_STATE_GENERATING and requested.cancel_requested
    assert await db.is_cancel_requested(film.id)
    await db.set_state(film.id, "w1", film_pb2.FILM_STATE_CANCELLED)
    shots = {s.shot_id: s for s in await db.get_shots(film.id)}
    assert shots["s1"].state == film_pb2.SHOT_STATE_SUCCEEDED and shots["s1"].image_key == "k1"
    assert shots["s2"].state == film_pb2.SHOT_STATE_CANCELLED


async def test_purge_returns_only_assets_no_other_film_uses(db):
    doomed = await new_film(db)
    keeper = await new_film(db)
    for key, film in (("shared", doomed), ("shared", keeper), ("mine-1", doomed), ("mine-2", doomed), ("theirs", keeper)):
        assert await db.record_asset(key, "image", "storyboard", "1", 10, film.id)
    await db.record_asset("mine-1", "image", "storyboard", "1", 10, doomed.id)  # recording twice is harmless
    assert await purge(db, doomed.id) == ["mine-1", "mine-2"]
    with pytest.raises(NotFound):
        await db.get_film("alice", doomed.id)
    assert await db.events_after(doomed.id, 0) == []
    assert not await db.asset_exists("mine-1")
    assert await db.asset_exists("shared") and await db.asset_exists("theirs")
    assert await purge(db, keeper.id) == ["shared", "theirs"]
    with pytest.raises(NotFound):
        await db.trash_film("alice", keeper.id)


async def test_assets_of_a_purged_film_are_collected_later(db, clock):
    film = await new_film(db)
    await purge(db, film.id)
    assert not await db.record_asset("late", "audio", "tts", "2", 5, film.id)
    assert await db.collect_orphan_assets(clock()) == []  # not older than the cutoff yet
    clock.advance(60)
    assert await db.collect_orphan_assets(clock()) == ["late"]
    assert not await db.asset_exists("late")


async def test_fifty_concurrent_creates_cannot_pass_the_quota_together(backend):
    # The check and the insert were two transactions: 20 creates at once all got in against a limit of 8.
    replicas = [await backend.open() for _ in range(5)]
    quotas = Quotas(films_in_flight=8, seconds_per_day=100_000)
    admit = quotas.admit(60, datetime.datetime.now(datetime.UTC))

    async def create(i: int):
        try:
            return await replicas[i % 5].create_film("alice", f"script {i}", settings(), admit=admit)
        except ResourceExhausted as refused:
            return refused

    results = await asyncio.gather(*(create(i) for i in range(50)))
    made = [r for r in results if not isinstance(r, ResourceExhausted)]
    assert len(made) == 8 and await replicas[0].count_active_films("alice") == 8
    assert all("8 films in flight; the limit is 8" in str(r) for r in results if isinstance(r, ResourceExhausted))
    # Another user is not held back, and a replayed request id still answers with its film.
    assert (await replicas[1].create_film("bob", "x", settings(), admit=admit)).created
    first = await replicas[2].create_film("bob", "y", settings(), request_id="r", admit=admit)
    full = Quotas(films_in_flight=1).admit(60, datetime.datetime.now(datetime.UTC))
    assert (await replicas[3].create_film("bob", "y", settings(), request_id="r", admit=full)).id == first.id


async def test_the_daily_seconds_are_charged_inside_the_same_check(db):
    admit = Quotas(films_in_flight=100, seconds_per_day=150).admit(60, datetime.datetime.now(datetime.UTC))
    for _ in range(2):
        await db.create_film("carol", "x", settings(), admit=admit)
    with pytest.raises(ResourceExhausted, match="120 s of film rendered today; 60 s more"):
        await db.create_film("carol", "x", settings(), admit=admit)


async def test_a_film_left_without_a_display_name_takes_the_scripts_title(db, tmp_path):
    films = Films(db, LocalStore(tmp_path / "store"), None, types.SimpleNamespace(wake=asyncio.Event()))

    async def create(script: str, display_name: str = "") -> str:
        film = film_pb2.Film(script=script, display_name=display_name)
        return (await films.create("alice", film_pb2.CreateFilmRequest(film=film))).display_name

    fountain = "Title: The Lighthouse\nAuthor: Maya\n\nINT. LAMP ROOM - NIGHT\n\nMaya climbs the stairs.\n"
    assert await create(fountain) == "The Lighthouse"
    assert await create(fountain, "My cut") == "My cut"
    assert await create("The Long Walk\n\nMaya walks along the shore at dawn.") == "The Long Walk"
