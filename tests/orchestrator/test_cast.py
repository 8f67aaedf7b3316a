"""The cast sheet: overrides at CreateFilm, UpdateCharacter re-rendering exactly the changed
character's shots, portraits (rendered and uploaded), and the bad input each must refuse."""

from __future__ import annotations

import asyncio
import io
import types

import numpy as np
import pytest
from google.protobuf import field_mask_pb2
from PIL import Image

from filmstudio.errors import FailedPrecondition, InvalidArgument, NotFound
from filmstudio.settings import normalize
from filmstudio.v1 import film_pb2, script_pb2
from orchestrator import takes
from orchestrator.characters import MAX_PORTRAIT_BYTES, Characters
from orchestrator.script import parse_script
from orchestrator.script.cast import apply_overrides
from tests.orchestrator.test_job import SCRIPT, parts, run  # noqa: F401  (parts is a fixture)

SETTINGS = normalize(film_pb2.FilmSettings(seed=7))


def graph(*overrides: script_pb2.Character) -> script_pb2.SceneGraph:
    scene_graph = parse_script(SCRIPT, SETTINGS, overrides).scene_graph
    takes.assign_portraits(SETTINGS, scene_graph)
    return scene_graph


def shots_with(scene_graph: script_pb2.SceneGraph, character_id: str, *, speaking: bool = False) -> list[str]:
    return [shot.id for _, shot in takes.shots_in_order(scene_graph)
            if (any(line.character_id == character_id for line in shot.dialogue) if speaking
                else character_id in shot.character_ids)]


def png(colour: tuple[int, int, int], size: int = 64) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(out, format="PNG")
    return out.getvalue()


# --- overrides, pure --------------------------------------------------------------------------------

def test_an_override_names_its_character_in_any_case_and_every_prompt_of_theirs_says_it():
    before = graph()
    after = graph(script_pb2.Character(name="maya", hair="a shaved head", wardrobe="a red diving suit"))
    maya = next(c for c in after.characters if c.id == "char-maya")
    assert (maya.hair, maya.wardrobe) == ("a shaved head", "a red diving suit")
    assert "shaved head" in maya.description and "red diving suit" in maya.description
    for _, shot in takes.shots_in_order(after):
        assert ("shaved head" in shot.prompt) == ("char-maya" in shot.character_ids), shot.id
    theo = [c for c in before.characters if c.id == "char-theo"]
    assert theo == [c for c in after.characters if c.id == "char-theo"]  # the others are untouched


@pytest.mark.parametrize(("overrides", "words"), [
    ([script_pb2.Character(name="ZED", hair="grey")], ["film.cast[0]", "'ZED'", "MAYA", "THEO"]),
    ([script_pb2.Character(name="Maya", age="70"), script_pb2.Character(name="MAYA", age="80")],
     ["film.cast[1]", "film.cast[0]", "MAYA"]),
    ([script_pb2.Character(name="MAYA", voice=script_pb2.Voice(variant="robot9"))],
     ["film.cast[0].voice.variant", "'robot9'", "f2"]),
    ([script_pb2.Character(name="MAYA", voice=script_pb2.Voice(words_per_minute=5000))],
     ["words_per_minute", "5000"]),
    ([script_pb2.Character(name="MAYA", reference_scale=1.5)], ["reference_scale", "1.5"]),
    ([script_pb2.Character(hair="grey")], ["film.cast[0]", "name the character"]),
])
def test_a_bad_override_is_refused_naming_it(overrides, words):
    with pytest.raises(InvalidArgument) as caught:
        parse_script(SCRIPT, SETTINGS, overrides)
    for word in words:
        assert word in caught.value.message


def test_a_gender_override_revoices_the_character_unless_the_voice_is_given_too():
    (maya, _) = apply_overrides(graph().characters, [script_pb2.Character(name="MAYA", gender=script_pb2.GENDER_MALE)])
    assert maya.gender == script_pb2.GENDER_MALE and maya.voice.variant.startswith("m")
    voice = script_pb2.Voice(variant="f4", pitch=60)
    (maya, _) = apply_overrides(graph().characters,
                                [script_pb2.Character(name="MAYA", gender=script_pb2.GENDER_MALE, voice=voice)])
    assert (maya.voice.variant, maya.voice.pitch) == ("f4", 60)


def test_a_look_change_reaches_exactly_the_shots_the_character_is_in():
    before = graph()
    after = graph(script_pb2.Character(name="THEO", hair="a bright green mohawk"))
    changed = takes.changed_shots(before, after)
    assert changed == shots_with(before, "char-theo") and changed
    portraits = {t.shot_id: t.key for t in takes.portrait_takes(SETTINGS, before)}
    portraits_after = {t.shot_id: t.key for t in takes.portrait_takes(SETTINGS, after)}
    assert portraits["portrait-char-maya"] == portraits_after["portrait-char-maya"]
    assert portraits["portrait-char-theo"] != portraits_after["portrait-char-theo"]


def test_a_voice_change_reaches_exactly_the_shots_the_character_speaks_in():
    before = graph()
    theo = next(c for c in before.characters if c.id == "char-theo")
    voice = script_pb2.Voice(variant="m7" if theo.voice.variant != "m7" else "m2")
    after = graph(script_pb2.Character(name="THEO", voice=voice))
    assert takes.changed_shots(before, after) == shots_with(before, "char-theo", speaking=True)


def test_a_shot_is_conditioned_on_the_portraits_of_the_characters_in_it():
    scene_graph = graph()
    sdxl = normalize(film_pb2.FilmSettings(seed=7, image_backend="sdxl"))
    keys = {c.id: c.portrait_uri for c in scene_graph.characters}
    assert all(key.startswith("assets/image/") for key in keys.values())
    for scene, shot in takes.shots_in_order(scene_graph):
        if not takes.needs_image(shot):
            continue
        record = types.SimpleNamespace(take=1, seed_override=None, prompt_override=None)
        take = takes.image_take(sdxl, scene_graph, scene, shot, record)
        assert [key for key, _ in take.references] == [keys[c] for c in shot.character_ids if c in keys]
        assert takes.image_take(SETTINGS, scene_graph, scene, shot, record).references == ()  # storyboard


# --- the cast sheet over a database ------------------------------------------------------------------

@pytest.fixture
def cast(parts):  # noqa: F811
    return Characters(parts.db, parts.store, types.SimpleNamespace(wake=asyncio.Event()))


async def succeeded_film(parts) -> str:  # noqa: F811
    scene_graph = graph()
    film = await parts.db.create_film("alice", SCRIPT, SETTINGS, scene_graph=scene_graph)
    await parts.db.claim_film("w1", 60)
    done = await run(parts, film.id)
    assert done.state == film_pb2.FILM_STATE_SUCCEEDED
    return film.id


async def test_a_first_film_draws_each_portrait_once_and_a_rerun_none(parts):  # noqa: F811
    await succeeded_film(parts)
    assert sorted(parts.triton.portraits) == ["char-maya", "char-theo"]
    await succeeded_film(parts)
    assert sorted(parts.triton.portraits) == ["char-maya", "char-theo"]


async def test_updating_a_character_renders_again_only_their_shots_and_portrait(parts, cast):  # noqa: F811
    film_id = await succeeded_film(parts)
    before = (await parts.db.load_film(film_id)).scene_graph
    images, portraits = len(parts.triton.images), len(parts.triton.portraits)
    name = f"films/{film_id}/characters/char-theo"
    updated = await cast.update("alice", film_pb2.UpdateCharacterRequest(
        name=name, character=script_pb2.Character(hair="a bright green mohawk"),
        update_mask=field_mask_pb2.FieldMask(paths=["hair"])))
    assert updated.hair == "a bright green mohawk" and "green mohawk" in updated.description
    assert (await parts.db.load_film(film_id)).state == film_pb2.FILM_STATE_GENERATING
    await parts.db.claim_film("w1", 60)
    film = await run(parts, film_id)
    assert film.state == film_pb2.FILM_STATE_SUCCEEDED
    redone = [shot_id for shot_id, _ in parts.triton.images[images:]]
    assert redone == shots_with(before, "char-theo") and redone
    assert parts.triton.portraits[portraits:] == ["char-theo"]
    assert (await cast.get("alice", name)).hair == "a bright green mohawk"
    listed = await cast.list("alice", f"films/{film_id}")
    assert [c.id for c in listed.characters] == ["char-maya", "char-theo"]


async def test_an_uploaded_portrait_replaces_the_rendered_one(parts, cast):  # noqa: F811
    film_id = await succeeded_film(parts)
    portraits = len(parts.triton.portraits)
    name = f"films/{film_id}/characters/char-maya"
    updated = await cast.update("alice", film_pb2.UpdateCharacterRequest(name=name, portrait_image=png((200, 30, 40))))
    assert updated.portrait_uploaded and updated.portrait_uri.endswith(".png")
    stored = Image.open(io.BytesIO(await parts.store.get(parts.store.key(updated.portrait_uri))))
    assert stored.getpixel((5, 5)) == (200, 30, 40)
    await parts.db.claim_film("w1", 60)
    assert (await run(parts, film_id)).state == film_pb2.FILM_STATE_SUCCEEDED
    assert len(parts.triton.portraits) == portraits  # an uploaded portrait is not drawn
    cleared = await cast.update("alice", film_pb2.UpdateCharacterRequest(name=name, clear_portrait=True))
    assert not cleared.portrait_uploaded and cleared.portrait_uri.endswith(".png")


def oversized_png() -> bytes:
    noise = np.random.default_rng(1).integers(0, 256, (2000, 2000, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(noise).save(out, format="PNG", compress_level=0)
    data = out.getvalue()
    assert len(data) > MAX_PORTRAIT_BYTES
    return data


@pytest.mark.parametrize(("change", "words"), [
    (dict(portrait_image=b"GIF89a not really"), ["portrait_image", "not a PNG, JPEG or WebP"]),
    (dict(portrait_image=b"\x89PNG\r\n\x1a\n" + b"\0" * 100), ["portrait_image"]),
    ("oversized", ["portrait_image", "10 MB"]),
    (dict(character=script_pb2.Character(voice=script_pb2.Voice(variant="klingon"))), ["voice.variant", "klingon"]),
    (dict(character=script_pb2.Character(name="THEO", hair="red")), ["THEO", "cannot be changed"]),
    (dict(update_mask=field_mask_pb2.FieldMask(paths=["span"])), ["update_mask", "span"]),
])
async def test_a_bad_update_is_refused_and_changes_nothing(parts, cast, change, words):  # noqa: F811
    film_id = await succeeded_film(parts)
    before = (await parts.db.load_film(film_id)).scene_graph
    if change == "oversized":
        change = dict(portrait_image=oversized_png())
    with pytest.raises(InvalidArgument) as caught:
        await cast.update("alice", film_pb2.UpdateCharacterRequest(name=f"films/{film_id}/characters/char-maya",
                                                                   **change))
    for word in words:
        assert word in caught.value.message
    after = await parts.db.load_film(film_id)
    assert after.scene_graph == before and after.state == film_pb2.FILM_STATE_SUCCEEDED


async def test_someone_elses_film_and_an_unknown_character_are_not_found(parts, cast):  # noqa: F811
    film_id = await succeeded_film(parts)
    with pytest.raises(NotFound):
        await cast.get("bob", f"films/{film_id}/characters/char-maya")
    with pytest.raises(NotFound) as caught:
        await cast.get("alice", f"films/{film_id}/characters/char-zed")
    assert "char-zed" in caught.value.message
    with pytest.raises(InvalidArgument):
        await cast.get("alice", f"films/{film_id}/characters/maya")


async def test_a_rendering_film_refuses_a_cast_change(parts, cast):  # noqa: F811
    film = await parts.db.create_film("alice", SCRIPT, SETTINGS, scene_graph=graph())
    await parts.db.claim_film("w1", 60)
    await parts.db.set_state(film.id, "w1", film_pb2.FILM_STATE_GENERATING, progress=0.1)
    with pytest.raises(FailedPrecondition) as caught:
        await cast.update("alice", film_pb2.UpdateCharacterRequest(
            name=f"films/{film.id}/characters/char-maya", character=script_pb2.Character(age="80")))
    assert "GENERATING" in caught.value.message
