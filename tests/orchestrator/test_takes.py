"""The take planner as plain functions: what a shot's image and voice requests are, which shots need
work, and the cut list, from a scene graph and shot records alone."""

from __future__ import annotations

import dataclasses
import datetime
import pathlib

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
