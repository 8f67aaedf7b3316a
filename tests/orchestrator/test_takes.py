"""The take planner as plain functions: what a shot's image and voice requests are, which shots need
work, and the cut list, from a scene graph and shot records alone."""

from __future__ import annotations

import dataclasses
import datetime
import pathlib

import pytest

from filmstudio.seeds import stable_seed
from filmstudio.settings import normalize
from filmstudio.v1 import composer_pb2, film_pb2, script_pb2
from orchestrator import takes
from orchestrator.db import ShotRecord
from orchestrator.script import parse_script

SCRIPT = (pathlib.Path(__file__).parents[2] / "examples" / "lighthouse.fountain").read_text()
SETTINGS = normalize(film_pb2.FilmSettings(seed=3))
GRAPH = parse_script(SCRIPT, SETTINGS).scene_graph
SHOTS = takes.shots_in_order(GRAPH)


def record(shot_id: str, **fields) -> ShotRecord:
    base = dict(film_id="f1", shot_id=shot_id, position=0, state=film_pb2.SHOT_STATE_PENDING, take=1,
                seed_override=None, prompt_override=None, image_key=None, audio_key=None, line_seconds=None,
                cached=False, error="", lease_owner=None, lease_expires_at=None,
                updated_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    return ShotRecord(**(base | fields))


def test_an_image_take_is_the_planned_shot_and_its_key_names_every_input():
    scene, shot = SHOTS[0]
    take = takes.image_take(SETTINGS, GRAPH, scene, shot, record(shot.id))
    assert (take.model, take.seed, take.prompt, (take.width, take.height)) == \
        ("storyboard", shot.seed, shot.prompt, (1280, 720))
    assert take.key == takes.image_take(SETTINGS, GRAPH, scene, shot, record(shot.id)).key
    others = {
        takes.image_take(SETTINGS, GRAPH, scene, shot, record(shot.id, take=2)).key,
        takes.image_take(SETTINGS, GRAPH, scene, shot, record(shot.id, seed_override=5)).key,
        takes.image_take(SETTINGS, GRAPH, scene, shot, record(shot.id, prompt_override="a gull")).key,
        takes.image_take(normalize(film_pb2.FilmSettings(seed=3, aspect_ratio=film_pb2.ASPECT_RATIO_SQUARE)),
                         GRAPH, scene, shot, record(shot.id)).key,
    }
    assert len(others | {take.key}) == 5


def test_the_planned_timing_does_not_change_the_picture():
    scene, shot = SHOTS[0]
    retimed = type(shot)()
    retimed.CopyFrom(shot)
    retimed.duration.FromSeconds(99)
    assert takes.image_take(SETTINGS, GRAPH, scene, retimed, record(shot.id)).key == \
        takes.image_take(SETTINGS, GRAPH, scene, shot, record(shot.id)).key


def test_a_regenerated_take_gets_its_own_seed_unless_one_is_given():
    _, shot = SHOTS[1]
    assert takes.take_seed(shot, record(shot.id, take=3)) == stable_seed(shot.seed, "take", 3)
    assert takes.take_seed(shot, record(shot.id, take=3, seed_override=11)) == 11


def test_which_shots_need_work():
    voiced = next(shot for _, shot in SHOTS if shot.dialogue)
    silent = next(shot for _, shot in SHOTS if not shot.dialogue)
    done = film_pb2.SHOT_STATE_SUCCEEDED
    assert takes.needs_render(voiced, record(voiced.id))
    assert not takes.needs_render(voiced, record(voiced.id, state=done, line_seconds=(1.0,) * len(voiced.dialogue)))
    assert takes.needs_render(voiced, record(voiced.id, state=done))  # voiced before lengths were recorded
    assert not takes.needs_render(silent, record(silent.id, state=done))


def test_the_cut_list_is_timed_by_the_recorded_line_lengths():
    records = {}
    for _, shot in SHOTS:
        records[shot.id] = record(shot.id, state=film_pb2.SHOT_STATE_SUCCEEDED, image_key=f"img/{shot.id}.png",
                                  audio_key=f"voice/{shot.id}.wav" if shot.dialogue else None,
                                  line_seconds=tuple(9.0 for _ in shot.dialogue))
    request = takes.cut_list("f1", "Lighthouse", SETTINGS, GRAPH, records, lambda key: f"mem://{key}")
    assert [c.shot_id for c in request.cuts] == [shot.id for _, shot in SHOTS]
    assert request.output_prefix == "mem://films/f1/" and request.format.fps == 24
    voiced = [c for c in request.cuts if c.subtitles]
    assert voiced and all(s.duration.ToSeconds() == 9 for c in voiced for s in c.subtitles)
    assert all(c.duration.ToNanoseconds() >= 9e9 for c in voiced)
    silent = dataclasses.replace(records[SHOTS[0][1].id])
    assert request.cuts[0].image_uri == f"mem://{silent.image_key}"


def test_a_line_in_another_language_is_spoken_in_it_by_the_same_voice():
    voice = script_pb2.Voice(language="en-us", variant="m3", pitch=40, words_per_minute=150)
    swedish = script_pb2.DialogueLine(text="Inte än.", language="sv")
    spoken = takes.line_voice(voice, swedish)
    assert (spoken.language, spoken.variant, spoken.pitch) == ("sv", "m3", 40) and voice.language == "en-us"
    assert takes.line_voice(voice, script_pb2.DialogueLine(text="Not yet.")) is voice
    assert takes.line_key(swedish, spoken) != takes.line_key(swedish, voice)


def test_dual_dialogue_subtitles_stand_left_and_right():
    from orchestrator.timeline import SpokenLine

    a, b = script_pb2.DialogueLine(text="a", dual=True), script_pb2.DialogueLine(text="b", dual=True)
    c = script_pb2.DialogueLine(text="c")
    placed = [SpokenLine(a, 0.3, 1.0), SpokenLine(b, 0.3, 1.2), SpokenLine(c, 1.8, 0.5)]
    P = composer_pb2
    assert takes.subtitle_positions(placed) == [P.SUBTITLE_POSITION_LEFT, P.SUBTITLE_POSITION_RIGHT,
                                                P.SUBTITLE_POSITION_UNSPECIFIED]


def test_a_title_card_has_no_picture_to_generate_and_the_cut_carries_its_words():
    graph = script_pb2.SceneGraph()
    graph.CopyFrom(GRAPH)
    card = graph.scenes[-1].shots.add(id="s99-card", card_text="THE END", description="THE END")
    assert not takes.needs_image(card) and takes.needs_image(SHOTS[0][1])
    records = {shot.id: record(shot.id, state=film_pb2.SHOT_STATE_SUCCEEDED, image_key=f"img/{shot.id}.png",
                               line_seconds=tuple(1.0 for _ in shot.dialogue)) for _, shot in SHOTS}
    records[card.id] = record(card.id, state=film_pb2.SHOT_STATE_SUCCEEDED, image_key="", line_seconds=())
    request = takes.cut_list("f1", "x", SETTINGS, graph, records, lambda key: f"mem://{key}")
    last = request.cuts[-1]
    assert (last.card_text, last.image_uri) == ("THE END", "")
    assert request.cuts[0].description == SHOTS[0][1].description
    assert list(request.cast) == takes.billing(GRAPH) and set(request.cast) == {c.name for c in GRAPH.characters}


# --- motion ----------------------------------------------------------------------------------------

def _pictured_shot() -> script_pb2.Shot:
    return next(shot for _, shot in SHOTS if takes.needs_image(shot))


def _image(settings: film_pb2.FilmSettings, shot: script_pb2.Shot) -> takes.ImageTake:
    scene = next(scene for scene, s in SHOTS if s.id == shot.id)
    return takes.image_take(settings, GRAPH, scene, shot, record(shot.id))


def test_a_shot_moves_as_its_own_motion_says_else_as_the_film_and_a_card_never():
    animated, camera = (normalize(film_pb2.FilmSettings(motion=m)) for m in (script_pb2.MOTION_ANIMATED,
                                                                               script_pb2.MOTION_CAMERA))
    shot = script_pb2.Shot(id="s", prompt="p")
    assert takes.shot_motion(animated, shot) == script_pb2.MOTION_ANIMATED
    assert takes.shot_motion(camera, shot) == script_pb2.MOTION_CAMERA
    shot.motion = script_pb2.MOTION_GENERATED
    assert takes.shot_motion(camera, shot) == script_pb2.MOTION_GENERATED
    assert takes.shot_motion(animated, script_pb2.Shot(id="c", card_text="THE END", motion=3)) == \
        script_pb2.MOTION_CAMERA
    assert normalize(film_pb2.FilmSettings()).motion == script_pb2.MOTION_ANIMATED  # the embedded default


def test_a_rig_is_keyed_by_its_still_and_the_frame_and_a_camera_shot_has_none():
    shot = _pictured_shot()
    settings = normalize(film_pb2.FilmSettings(seed=3, motion=script_pb2.MOTION_ANIMATED))
    rig = takes.motion_take(settings, shot, _image(settings, shot), 4.0)
    assert (rig.model, rig.motion, (rig.width, rig.height)) == ("animatic", script_pb2.MOTION_ANIMATED, (1280, 720))
    assert rig.key.startswith("assets/rig/") and rig.key.endswith(".rig")
    reseeded = dataclasses.replace(_image(settings, shot), key="assets/image/other.png")
    assert takes.motion_take(settings, shot, reseeded, 4.0).key != rig.key
    camera = normalize(film_pb2.FilmSettings(seed=3, motion=script_pb2.MOTION_CAMERA))
    assert takes.motion_take(camera, shot, _image(camera, shot), 4.0) is None
    assert takes.motion_take(settings, shot, None, 4.0) is None  # a card or black: nothing to move


def test_a_clip_is_asked_at_the_frames_aspect_on_the_models_grid_and_keyed_by_its_length():
    shot = _pictured_shot()
    settings = normalize(film_pb2.FilmSettings(seed=3, motion=script_pb2.MOTION_GENERATED))
    clip = takes.motion_take(settings, shot, _image(settings, shot), 3.0)
    assert (clip.model, clip.width, clip.height, clip.fps) == ("motion", 1024, 576, 24)
    assert clip.frame_count == 73 and clip.key.endswith(".mkv")  # 3 s at 24 fps, up to 8k + 1
    assert takes.motion_take(settings, shot, _image(settings, shot), 4.0).key != clip.key
    portrait = normalize(film_pb2.FilmSettings(aspect_ratio=film_pb2.ASPECT_RATIO_PORTRAIT))
    assert takes.clip_size(portrait) == (576, 1024)
    assert takes.clip_size(normalize(film_pb2.FilmSettings(aspect_ratio=film_pb2.ASPECT_RATIO_SQUARE))) == (1024, 1024)
    assert [takes.clip_frames(s, 24) for s in (0.1, 1.0, 5.0, 30.0)] == [9, 25, 121, 121]


def test_the_plan_estimates_gpu_time_for_generated_shots_only_and_fallback_animates_them():
    settings = normalize(film_pb2.FilmSettings(seed=3, motion=script_pb2.MOTION_GENERATED, motion_fallback=True))
    graph = script_pb2.SceneGraph()
    graph.CopyFrom(GRAPH)
    total = takes.plan_motion(settings, graph)
    pictured = [shot for _, shot in takes.shots_in_order(graph) if takes.needs_image(shot)]
    assert total > 0 and total == pytest.approx(sum(s.gpu_time.ToNanoseconds() / 1e9 for s in pictured))
    assert all(not s.HasField("gpu_time") for _, s in takes.shots_in_order(graph) if not takes.needs_image(s))
    assert takes.generates_motion(settings, graph)
    takes.animate_instead(settings, graph)
    assert settings.motion == script_pb2.MOTION_ANIMATED and not takes.generates_motion(settings, graph)
    assert all(not s.HasField("gpu_time") for _, s in takes.shots_in_order(graph))


def test_the_cut_moves_a_rig_or_plays_a_clip_as_the_shot_was_made():
    settings = normalize(film_pb2.FilmSettings(seed=3, motion=script_pb2.MOTION_ANIMATED))
    graph = script_pb2.SceneGraph()
    graph.CopyFrom(GRAPH)
    pictured = [shot for _, shot in takes.shots_in_order(graph) if takes.needs_image(shot)]
    pictured[1].motion = script_pb2.MOTION_GENERATED
    records = {shot.id: record(shot.id, state=film_pb2.SHOT_STATE_SUCCEEDED, line_seconds=(1.0,) * len(shot.dialogue),
                               image_key=f"img/{shot.id}.png" if takes.needs_image(shot) else None,
                               motion_key=f"mov/{shot.id}" if takes.needs_image(shot) else None)
               for _, shot in takes.shots_in_order(graph)}
    cuts = {c.shot_id: c for c in takes.cut_list("f1", "", settings, graph, records, lambda k: f"mem://{k}").cuts}
    assert cuts[pictured[0].id].rig_uri == f"mem://mov/{pictured[0].id}" and not cuts[pictured[0].id].clip_uri
    assert cuts[pictured[1].id].clip_uri == f"mem://mov/{pictured[1].id}" and not cuts[pictured[1].id].rig_uri
