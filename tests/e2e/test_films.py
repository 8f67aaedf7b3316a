"""A film's life through the real mesh, on SQLite and on PostgreSQL: script to playable MP4, idempotency,
cache, RegenerateShot, watch/resume, cancel, delete (the trash and its purge), owners, and bad input."""

from __future__ import annotations

import asyncio
import datetime
import pathlib
import time
import uuid

import av
import grpc
import numpy as np
import pytest
from google.protobuf import field_mask_pb2

from filmstudio.storage import open_store
from filmstudio.v1 import film_pb2, script_pb2
from orchestrator.db import Database
from orchestrator.sweeper import Sweeper
from tests.e2e.conftest import (Client, describe, idle_inference_counts, inference_counts, settings, short_script,
                                shot_events, states, store_files, succeeded)

LIGHTHOUSE = (pathlib.Path(__file__).resolve().parents[2] / "examples" / "lighthouse.fountain").read_text()


def seconds(duration) -> float:
    return duration.seconds + duration.nanos / 1e9


@pytest.fixture(scope="module")
def first(stack):
    """alice's first film, rendered once per stack; several tests look at it."""

    async def render():
        async with Client(stack.addr, "alice") as alice:
            request_id = uuid.uuid4().hex
            film = await alice.create(short_script("first", stack), settings(10), request_id=request_id,
                                      display_name="first")
            film, events = await alice.finish(film.name)
            return film, events, request_id

    film, events, request_id = asyncio.run(render())
    assert succeeded(film), describe(film)
    return film, events, request_id


def local(stack, uri: str) -> pathlib.Path:
    assert uri.startswith(stack.store_dir.as_uri()), uri
    return stack.store_dir / uri[len(stack.store_dir.as_uri()) + 1:]


async def test_a_script_becomes_a_playable_mp4_with_voices_and_subtitles(stack, first):
    film, events, _ = first
    planned = sum(seconds(shot.duration) for scene in film.scene_graph.scenes for shot in scene.shots)
    assert states(events)[-1] == film_pb2.FILM_STATE_SUCCEEDED
    planned_shots = [shot.id for scene in film.scene_graph.scenes for shot in scene.shots]
    assert [s.shot_id for s in film.shots] == planned_shots
    assert all(s.state == film_pb2.SHOT_STATE_SUCCEEDED and s.image_uri for s in film.shots)
    with av.open(str(local(stack, film.outputs.video_uri))) as container:
        kinds = {s.type: s for s in container.streams}
        assert container.streams.video[0].codec_context.name == "h264"
        assert (container.streams.video[0].width, container.streams.video[0].height) == (1280, 720)
        assert container.streams.audio[0].codec_context.name == "aac"
        assert "subtitle" in kinds and kinds["subtitle"].codec_context.name == "mov_text"
        duration = container.duration / av.time_base
        assert abs(duration - seconds(film.outputs.duration)) < 0.25
        assert abs(duration - planned) < 0.1 * planned + 1.0, (duration, planned)
        samples = np.concatenate([frame.to_ndarray().reshape(-1) for frame in container.decode(audio=0)])
        assert np.sqrt(np.mean(samples.astype(np.float64) ** 2)) > 1e-3  # voices and music, not silence
    with av.open(str(local(stack, film.outputs.video_uri))) as container:
        cues = [bytes(p).decode("utf-8", "replace") for p in container.demux(subtitles=0) if p.size]
    assert any("Good morning" in cue for cue in cues) and any("rain tonight" in cue for cue in cues), cues
    vtt = local(stack, film.outputs.subtitles_vtt_uri).read_text()
    assert f"Good morning, first-{stack.database}." in vtt and "It will rain tonight." in vtt


async def test_the_same_request_id_twice_makes_one_film(stack, first):
    film, _, request_id = first
    async with Client(stack.addr, "alice") as alice:
        again = await alice.create(short_script("first", stack), settings(10), request_id=request_id)
        listed = await alice.films.ListFilms(film_pb2.ListFilmsRequest(page_size=100), metadata=alice.metadata)
    assert again.name == film.name
    assert [f.name for f in listed.films].count(film.name) == 1
    assert len([f for f in listed.films if f.display_name == "first"]) == 1


async def test_rerendering_an_unchanged_film_does_no_inference(stack, first):
    before = idle_inference_counts(stack.triton_http)
    async with Client(stack.addr, "alice") as alice:
        film, events = await alice.render(short_script("first", stack), settings(10))
    assert succeeded(film), describe(film)
    assert inference_counts(stack.triton_http) == before
    renders = shot_events(events)
    assert len(renders) == len(film.shots) and all(shot.cached for shot in renders)
    assert all(shot.cached for shot in film.shots)


async def test_regenerate_shot_renders_only_that_shot_and_recuts(stack):
    async with Client(stack.addr, "bob") as bob:
        film, events = await bob.render(short_script("redo", stack), settings(10))
        assert succeeded(film), describe(film)
        target = film.shots[1]
        before = idle_inference_counts(stack.triton_http)
        images_before = store_files(stack, "image")
        cursor = events[-1].sequence
        redone = await bob.films.RegenerateShot(film_pb2.RegenerateShotRequest(name=target.name, seed=4242),
                                                metadata=bob.metadata)
        assert redone.state == film_pb2.FILM_STATE_GENERATING
        film2, events2 = await bob.finish(film.name, after=cursor)
    assert succeeded(film2), describe(film2)
    after = inference_counts(stack.triton_http)
    assert after["storyboard"] - before["storyboard"] == 1
    assert after["tts"] == before["tts"]
    rendered = shot_events(events2)
    assert [(s.shot_id, s.cached) for s in rendered] == [(target.shot_id, False)]
    assert {s.shot_id: s.take for s in film2.shots}[target.shot_id] == 2
    new_image = {s.shot_id: s.image_uri for s in film2.shots}[target.shot_id]
    assert new_image != target.image_uri and len(store_files(stack, "image") - images_before) == 1
    assert [s.image_uri for s in film2.shots if s.shot_id != target.shot_id] == \
           [s.image_uri for s in film.shots if s.shot_id != target.shot_id]
    assert film_pb2.FILM_STATE_COMPOSING in states(events2)  # re-cut
    assert events2[-1].WhichOneof("kind") in ("state_change", "outputs")
    assert any(e.WhichOneof("kind") == "outputs" for e in events2)


async def test_a_redone_shot_takes_a_new_framing_camera_move_and_length(stack):
    async with Client(stack.addr, "bea") as bea:
        film, events = await bea.render(short_script("reframe", stack), settings(10))
        assert succeeded(film), describe(film)
        planned = {shot.id: shot for scene in film.scene_graph.scenes for shot in scene.shots}
        # A pictured shot without speech: its planned length is its screen time.
        target = next(s for s in film.shots if planned[s.shot_id].prompt and not planned[s.shot_id].dialogue)
        was = planned[target.shot_id]
        new_framing = script_pb2.FRAMING_EXTREME_CLOSE_UP if was.framing != script_pb2.FRAMING_EXTREME_CLOSE_UP \
            else script_pb2.FRAMING_WIDE
        request = film_pb2.RegenerateShotRequest(name=target.name, framing=new_framing,
                                                 camera_move=script_pb2.CAMERA_MOVE_PAN_LEFT)
        request.duration.FromMilliseconds(round((was.duration.ToMilliseconds() + 2000)))
        await bea.films.RegenerateShot(request, metadata=bea.metadata)
        film2, _ = await bea.finish(film.name, after=events[-1].sequence)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            request.duration.FromSeconds(45)
            await bea.films.RegenerateShot(request, metadata=bea.metadata)
    assert succeeded(film2), describe(film2)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "out of range" in refused.value.details()
    now = {shot.id: shot for scene in film2.scene_graph.scenes for shot in scene.shots}[target.shot_id]
    assert (now.framing, now.camera_move) == (new_framing, script_pb2.CAMERA_MOVE_PAN_LEFT)
    assert now.duration.ToMilliseconds() == was.duration.ToMilliseconds() + 2000
    words = "extreme close-up" if new_framing == script_pb2.FRAMING_EXTREME_CLOSE_UP else "wide shot"
    assert words in now.prompt and now.prompt != was.prompt
    # The cut is two seconds longer (within a frame).
    longer = film2.outputs.duration.ToMilliseconds() - film.outputs.duration.ToMilliseconds()
    assert abs(longer - 2000) <= 50, longer


async def test_a_cast_override_and_a_character_change_redraw_exactly_their_shots(stack):
    ana_override = script_pb2.Character(name="ana", wardrobe="a bright orange raincoat")
    async with Client(stack.addr, "carol") as carol:
        film = await carol.films.CreateFilm(film_pb2.CreateFilmRequest(film=film_pb2.Film(
            # A seed of the stack's own: a portrait is keyed by the look alone, and the stacks share a store.
            script=short_script("cast", stack), settings=settings(10, seed={"sqlite": 11, "postgresql": 12}[stack.database]),
            cast=[ana_override])), metadata=carol.metadata)
        film, events = await carol.finish(film.name)
        assert succeeded(film), describe(film)
        ana = next(c for c in film.scene_graph.characters if c.name == "ANA")
        assert ana.wardrobe == "a bright orange raincoat" and "orange raincoat" in ana.description
        cast = await carol.films.ListCharacters(film_pb2.ListCharactersRequest(parent=film.name),
                                                metadata=carol.metadata)
        assert all(local(stack, c.portrait_uri).is_file() for c in cast.characters)  # every portrait drawn
        before = idle_inference_counts(stack.triton_http)
        tomas = next(c for c in cast.characters if c.name == "TOMAS")
        in_frame = [shot.id for scene in film.scene_graph.scenes for shot in scene.shots
                    if tomas.id in shot.character_ids]
        await carol.films.UpdateCharacter(film_pb2.UpdateCharacterRequest(
            name=f"{film.name}/characters/{tomas.id}", character=script_pb2.Character(hair="a white crew cut"),
            update_mask=field_mask_pb2.FieldMask(paths=["hair"])), metadata=carol.metadata)
        film2, events2 = await carol.finish(film.name, after=events[-1].sequence)
    assert succeeded(film2), describe(film2)
    after = inference_counts(stack.triton_http)
    assert after["storyboard"] - before["storyboard"] == len(in_frame) + 1  # his shots and his portrait
    assert after["tts"] == before["tts"]  # his voice did not change
    assert sorted({s.shot_id for s in shot_events(events2)}) == sorted(in_frame)
    assert [s.image_uri for s in film2.shots if s.shot_id not in in_frame] == \
           [s.image_uri for s in film.shots if s.shot_id not in in_frame]


async def test_watch_resumes_from_a_cursor_without_missing_or_repeating(stack):
    async with Client(stack.addr, "carol") as carol:
        film = await carol.create(short_script("watch", stack), settings(10))
        head = await carol.events(film.name, limit=3)  # then the client goes away mid-film
        rest = await carol.events(film.name, after=head[-1].sequence)
        whole = await carol.events(film.name)
        final = await carol.get(film.name)
    assert succeeded(final), describe(final)
    sequences = [e.sequence for e in head + rest]
    assert sequences == list(range(1, len(sequences) + 1))
    assert [e.SerializeToString() for e in head + rest] == [e.SerializeToString() for e in whole]


async def test_cancel_stops_in_flight_work_within_a_second_and_keeps_generated_shots(stack):
    async with Client(stack.addr, "dave") as dave:
        film = await dave.create(LIGHTHOUSE, settings(60))
        call = dave.films.WatchFilm(film_pb2.WatchFilmRequest(name=film.name), metadata=dave.metadata)
        seen = []
        async for event in call:
            seen.append(event)
            if any(shot.image_uri for shot in shot_events(seen)):  # a pictured shot (the black has no image)
                break
        asked = time.time()
        await dave.films.CancelFilm(film_pb2.CancelFilmRequest(name=film.name), metadata=dave.metadata)
        async for event in call:
            seen.append(event)
        # Work already inside Triton may finish; a second after the request nothing may still run.
        await asyncio.sleep(max(0.0, asked + 1.0 - time.time()))
        counts = inference_counts(stack.triton_http)
        await asyncio.sleep(1.5)
        cancelled = await dave.get(film.name)
    assert cancelled.state == film_pb2.FILM_STATE_CANCELLED, describe(cancelled)
    last = seen[-1]
    assert last.WhichOneof("kind") == "state_change" and last.state_change.state == film_pb2.FILM_STATE_CANCELLED
    # The CANCELLED transition is committed (stamped by the database) within a second of the request.
    assert last.create_time.ToNanoseconds() / 1e9 - asked < 1.0
    assert inference_counts(stack.triton_http) == counts  # nothing was still generating after that second
    kept = [s for s in cancelled.shots if s.state == film_pb2.SHOT_STATE_SUCCEEDED]
    pictured = [s for s in kept if s.image_uri]  # the black the film fades out to has no image
    assert pictured and all(local(stack, s.image_uri).is_file() for s in pictured), (describe(cancelled), seen)
    assert all(s.state in (film_pb2.SHOT_STATE_SUCCEEDED, film_pb2.SHOT_STATE_CANCELLED) for s in cancelled.shots)
    assert not cancelled.outputs.video_uri


async def purge_trash(stack) -> list[str]:
    """One sweep of the stack's trash with no retention, as a replica's sweeper does once it has passed."""
    db = Database(stack.env["FILMSTUDIO_DATABASE_URL"])
    store = open_store(stack.env["FILMSTUDIO_STORE_URL"])
    try:
        return await Sweeper(db, store, retention=datetime.timedelta(0)).sweep()
    finally:
        await store.close()
        await db.close()


async def test_delete_trashes_the_film_and_the_purge_removes_the_assets_no_other_film_uses(stack):
    async with Client(stack.addr, "erin") as erin:
        shared, _ = await erin.render(short_script("shared", stack), settings(10))
        twin, _ = await erin.render(short_script("shared", stack), settings(10))
        alone, _ = await erin.render(short_script("alone", stack), settings(10))
        for film in (shared, twin, alone):
            assert succeeded(film), describe(film)
        def assets(film):
            return {local(stack, uri) for s in film.shots for uri in (s.image_uri, s.audio_uri) if uri}

        def listed(show_deleted=False):
            request = film_pb2.ListFilmsRequest(page_size=100, show_deleted=show_deleted)
            return erin.films.ListFilms(request, metadata=erin.metadata)

        async def delete(film):
            await erin.films.DeleteFilm(film_pb2.DeleteFilmRequest(name=film.name), metadata=erin.metadata)

        shared_assets, alone_assets = assets(shared), assets(alone)
        only_alone = alone_assets - shared_assets  # the line "It will rain tonight." is in both films
        assert assets(twin) == shared_assets and only_alone and shared_assets & alone_assets

        # Deleted: in the trash, out of reach, nothing removed yet; restorable, and deleted again.
        await delete(alone)
        for call in (erin.get(alone.name), delete(alone), erin.events(alone.name)):
            with pytest.raises(grpc.aio.AioRpcError) as missing:
                await call
            assert missing.value.code() == grpc.StatusCode.NOT_FOUND
            assert missing.value.details() == f"film {alone.name} not found"
        assert alone.name not in [f.name for f in (await listed()).films]
        [trashed] = (await listed(show_deleted=True)).films
        assert trashed.name == alone.name and trashed.purge_time.ToDatetime() > trashed.delete_time.ToDatetime()
        assert all(p.is_file() for p in alone_assets) and local(stack, alone.outputs.video_uri).is_file()
        restored = await erin.films.UndeleteFilm(film_pb2.UndeleteFilmRequest(name=alone.name), metadata=erin.metadata)
        assert succeeded(restored) and not restored.HasField("delete_time")
        assert succeeded(await erin.get(alone.name))

        # Purged by the sweeper: the objects only the purged films used go with them.
        await delete(shared)
        assert shared.name.removeprefix("films/") in await purge_trash(stack)
        assert all(p.is_file() for p in shared_assets)  # the twin (and alone) still use them
        await delete(alone)
        assert alone.name.removeprefix("films/") in await purge_trash(stack)
        assert not any(p.exists() for p in only_alone)
        assert all(p.is_file() for p in shared_assets)
        assert not local(stack, alone.outputs.video_uri).exists()
        assert local(stack, twin.outputs.video_uri).is_file()
        for name in (shared.name, alone.name):
            with pytest.raises(grpc.aio.AioRpcError) as missing:
                await erin.get(name)
            assert missing.value.code() == grpc.StatusCode.NOT_FOUND
            with pytest.raises(grpc.aio.AioRpcError) as gone:
                await erin.films.UndeleteFilm(film_pb2.UndeleteFilmRequest(name=name), metadata=erin.metadata)
            assert gone.value.code() == grpc.StatusCode.NOT_FOUND
        assert not (await listed(show_deleted=True)).films
        assert succeeded(await erin.get(twin.name))
        await delete(twin)
        assert twin.name.removeprefix("films/") in await purge_trash(stack)
        # Gone too, but for the track of "It will rain tonight.", which every film of this module speaks.
        assert not any(p.exists() for p in shared_assets - alone_assets)


async def test_another_users_film_is_not_found(stack, first):
    film, _, _ = first
    async with Client(stack.addr, "mallory") as mallory:
        calls = [
            mallory.films.GetFilm(film_pb2.GetFilmRequest(name=film.name), metadata=mallory.metadata),
            mallory.films.CancelFilm(film_pb2.CancelFilmRequest(name=film.name), metadata=mallory.metadata),
            mallory.films.DeleteFilm(film_pb2.DeleteFilmRequest(name=film.name), metadata=mallory.metadata),
            mallory.films.RegenerateShot(film_pb2.RegenerateShotRequest(name=film.shots[0].name, seed=1),
                                         metadata=mallory.metadata),
            mallory.events(film.name),
        ]
        for call in calls:
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await call
            assert refused.value.code() == grpc.StatusCode.NOT_FOUND
            assert "mallory" not in refused.value.details()
        listed = await mallory.films.ListFilms(film_pb2.ListFilmsRequest(), metadata=mallory.metadata)
        assert not listed.films
    async with Client(stack.addr, "alice") as alice:
        assert succeeded(await alice.get(film.name))  # untouched


@pytest.mark.parametrize("bad, words", [
    (settings(10, fps=23), "settings.fps"),
    (settings(10, resolution=7), "settings.resolution"),
    (settings(10, aspect_ratio=9), "settings.aspect_ratio"),
    (settings(10, image_backend="dalle"), "settings.image_backend 'dalle' is unknown"),
    (settings(100000), "target"),
])
async def test_settings_out_of_range_are_invalid_argument(stack, bad, words):
    async with Client(stack.addr, "frank") as frank:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await frank.create(short_script("bad", stack), bad)
        listed = await frank.films.ListFilms(film_pb2.ListFilmsRequest(), metadata=frank.metadata)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert words in refused.value.details()
    assert not listed.films


async def test_a_bad_script_is_invalid_argument_with_its_line(stack):
    async with Client(stack.addr, "frank") as frank:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await frank.create("Title: x\n\nINT. ROOM - DAY\n\nANA\n" + "word " * 2000, settings(5))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert refused.value.details()


async def test_sdxl_not_loaded_is_unavailable_at_once(stack):
    async with Client(stack.addr, "frank") as frank:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await frank.films.CreateFilm(film_pb2.CreateFilmRequest(film=film_pb2.Film(
                script=short_script("sdxl", stack), settings=settings(10, image_backend="sdxl"))),
                metadata=frank.metadata, timeout=15)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "'sdxl' is not loaded on Triton" in refused.value.details()


async def test_generated_motion_without_weights_is_refused_at_once_or_animated_when_asked(stack):
    async with Client(stack.addr, "gina") as gina:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await gina.create(short_script("gen", stack), settings(6, motion=script_pb2.MOTION_GENERATED))
        assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "no motion weights loaded (FILMSTUDIO_MOTION_MODEL_DIR)" in refused.value.details()
        film, _ = await gina.render(short_script("gen", stack), settings(6, motion=script_pb2.MOTION_GENERATED,
                                                                  motion_fallback=True))
    assert succeeded(film), describe(film)
    assert film.settings.motion == script_pb2.MOTION_ANIMATED  # what it was made with, as it says
    pictured = [shot for shot in film.shots if shot.image_uri]
    assert pictured and all(shot.motion_uri.endswith(".rig") and local(stack, shot.motion_uri).is_file()
                            for shot in pictured)


async def test_film_ids_are_each_owners_own(stack):
    """Bob asking for the id Alice chose gets a film of his own, not "already exists" (which told him
    her film was there); her files, stored under her film's internal id, stay hers."""
    film_id = f"harbour-{stack.database}"
    async with Client(stack.addr, "alice") as alice, Client(stack.addr, "bob") as bob:
        hers = await alice.films.CreateFilm(film_pb2.CreateFilmRequest(
            film=film_pb2.Film(script=short_script("hers", stack), settings=settings(6)), film_id=film_id),
            metadata=alice.metadata)
        his = await bob.films.CreateFilm(film_pb2.CreateFilmRequest(
            film=film_pb2.Film(script=short_script("his", stack), settings=settings(6)), film_id=film_id),
            metadata=bob.metadata)
        assert hers.name == his.name == f"films/{film_id}"
        with pytest.raises(grpc.aio.AioRpcError) as again:  # her own id twice is still refused
            await alice.films.CreateFilm(film_pb2.CreateFilmRequest(
                film=film_pb2.Film(script=short_script("hers", stack), settings=settings(6)), film_id=film_id),
                metadata=alice.metadata)
        assert again.value.code() == grpc.StatusCode.ALREADY_EXISTS
        hers, _ = await alice.finish(hers.name)
        his, _ = await bob.finish(his.name)
        assert succeeded(hers) and succeeded(his), (describe(hers), describe(his))
        assert f"Good morning, hers-{stack.database}." in local(stack, hers.outputs.subtitles_vtt_uri).read_text()
        assert f"Good morning, his-{stack.database}." in local(stack, his.outputs.subtitles_vtt_uri).read_text()
        # Her files are under her film's internal id, which names her film to her and to no one else.
        internal = hers.outputs.video_uri.split("/films/")[1].split("/")[0]
        assert internal != film_id and internal not in his.outputs.video_uri
        assert (await alice.get(f"films/{internal}")).outputs.video_uri == hers.outputs.video_uri
        with pytest.raises(grpc.aio.AioRpcError) as hidden:
            await bob.get(f"films/{internal}")
        assert hidden.value.code() == grpc.StatusCode.NOT_FOUND
        assert all(e.film == hers.name for e in await alice.events(hers.name))


async def test_twenty_films_submitted_at_once_all_succeed(stack):
    users = [f"crowd{i}" for i in range(4)]  # five films each: under the per-user quota of films in flight
    clients = [Client(stack.addr, user) for user in users]
    try:
        films = await asyncio.gather(*[clients[i % 4].create(short_script(f"crowd{i}"), settings(6))
                                       for i in range(20)])
        finished = await asyncio.gather(*[clients[i % 4].finish(film.name) for i, film in enumerate(films)])
    finally:
        for client in clients:
            await client.channel.close()
    assert len({film.name for film in films}) == 20
    failed = [describe(film) for film, _ in finished if not succeeded(film)]
    assert not failed, failed
    assert all(film.outputs.video_uri and local(stack, film.outputs.video_uri).is_file() for film, _ in finished)
