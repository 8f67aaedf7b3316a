"""parse_script end to end: scene graph, shot plan, timing, fitting, prompts, seeds and settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.protobuf.duration_pb2 import Duration

from filmstudio import settings as film_settings
from filmstudio.errors import InvalidArgument
from filmstudio.v1 import film_pb2, script_pb2
from orchestrator.script import STYLES, format_shot_list, parse_script, speech_seconds

EXAMPLES = Path(__file__).parents[2] / "examples"
LIGHTHOUSE = (EXAMPLES / "lighthouse.fountain").read_text()


def settings(target: float | None = None, **fields) -> film_pb2.FilmSettings:
    """Normalised settings, as every caller of parse_script hands it (refusals raise here)."""
    message = film_pb2.FilmSettings(**fields)
    if target is not None:
        message.target_duration.CopyFrom(Duration(seconds=int(target), nanos=int(target % 1 * 1e9)))
    return film_settings.normalize(message)


def shots(graph: script_pb2.SceneGraph) -> list[script_pb2.Shot]:
    return [shot for scene in graph.scenes for shot in scene.shots]


@pytest.fixture(scope="module")
def lighthouse() -> script_pb2.SceneGraph:
    return parse_script(LIGHTHOUSE).scene_graph


def test_lighthouse_scene_graph(lighthouse):
    assert lighthouse.title == "The Last Keeper"
    assert lighthouse.format == script_pb2.SCRIPT_FORMAT_FOUNTAIN and lighthouse.style == "cinematic"
    assert [s.id for s in lighthouse.scenes] == ["s01", "s02", "s03", "s04"]
    first = lighthouse.scenes[0]
    assert (first.setting, first.location, first.time_of_day) == (script_pb2.SETTING_EXTERIOR, "LIGHTHOUSE ROCK", "DAWN")
    assert lighthouse.scenes[1].setting == script_pb2.SETTING_INTERIOR
    assert [c.id for c in lighthouse.characters] == ["char-maya", "char-theo"]
    assert all(shot.scene_id == scene.id and shot.id.startswith(scene.id + "-sh") for scene in lighthouse.scenes for shot in scene.shots)
    assert 45.0 <= lighthouse.total_duration.ToMilliseconds() / 1000 <= 60.0


def test_character_bible_uses_the_script_and_a_voice_in_range(lighthouse):
    maya = lighthouse.characters[0]
    assert "yellow oilskin coat" in maya.description and "woman" in maya.description
    assert maya.voice.language == "en-us" and maya.voice.variant.startswith("f")
    assert 0 <= maya.voice.pitch <= 99 and 140 <= maya.voice.words_per_minute <= 190
    assert maya.span.line == 14
    for shot in shots(lighthouse):
        for character_id in shot.character_ids:
            character = next(c for c in lighthouse.characters if c.id == character_id)
            assert character.description in shot.prompt


def test_framing_camera_words_and_transitions(lighthouse):
    plan = shots(lighthouse)
    assert plan[0].framing in (script_pb2.FRAMING_WIDE, script_pb2.FRAMING_EXTREME_WIDE)
    assert plan[0].transition_in == script_pb2.TRANSITION_FADE_FROM_BLACK
    close_on = next(s for s in plan if s.description.startswith("CLOSE ON"))
    assert close_on.framing == script_pb2.FRAMING_CLOSE_UP
    harbour = lighthouse.scenes[2].shots[0]
    assert harbour.transition_in == script_pb2.TRANSITION_CROSSFADE  # DISSOLVE TO:
    assert harbour.camera_move == script_pb2.CAMERA_MOVE_PAN_LEFT
    assert lighthouse.scenes[3].shots[0].camera_move == script_pb2.CAMERA_MOVE_PUSH_IN
    talking = [s for s in plan if s.dialogue and s.character_ids]
    assert all(s.framing in (script_pb2.FRAMING_MEDIUM, script_pb2.FRAMING_CLOSE_UP, script_pb2.FRAMING_OVER_THE_SHOULDER) for s in talking)


def test_voice_over_plays_over_the_picture_without_the_speaker(lighthouse):
    carrier = next(s for s in shots(lighthouse) if any(d.extension == "V.O." for d in s.dialogue))
    assert not carrier.description.startswith("MAYA (V.O.)")


def test_dialogue_timing_follows_the_voice(lighthouse):
    voices = {c.id: c.voice for c in lighthouse.characters}
    for shot in shots(lighthouse):
        end = 0
        for line in shot.dialogue:
            expected = speech_seconds(line.text, voices[line.character_id])
            assert line.duration.ToMilliseconds() == round(expected * 1000)
            assert line.offset.ToMilliseconds() >= end
            end = line.offset.ToMilliseconds() + line.duration.ToMilliseconds()
        assert shot.duration.ToMilliseconds() >= end


def test_speech_seconds_is_words_at_rate_plus_a_breath():
    slow, fast = script_pb2.Voice(words_per_minute=120), script_pb2.Voice(words_per_minute=180)
    assert speech_seconds("one two three four", slow) - speech_seconds("one two three four", fast) == pytest.approx(2 - 4 / 3)
    assert speech_seconds("Hi -- there !", slow) == pytest.approx(2 * 0.5 + speech_seconds("", slow))


@pytest.mark.parametrize("target", [30, 45, 60])
def test_plan_fits_the_target(target):
    graph = parse_script(LIGHTHOUSE, settings(target)).scene_graph
    assert graph.total_duration.ToMilliseconds() == target * 1000
    assert sum(s.duration.ToMilliseconds() for s in shots(graph)) == target * 1000
    for shot in shots(graph):
        assert shot.duration.ToMilliseconds() >= 1500
        if not shot.dialogue:
            assert shot.duration.ToMilliseconds() <= 8000


def test_target_beyond_what_the_shots_can_hold_is_a_warning():
    parsed = parse_script(LIGHTHOUSE, settings(90))
    plan = shots(parsed.scene_graph)
    assert all(s.duration.ToMilliseconds() == 8000 for s in plan if not s.dialogue and not s.black)
    assert parsed.scene_graph.total_duration.ToMilliseconds() < 90000
    assert any("short of the 90 s target" in warning for warning in parsed.warnings)


def test_too_much_dialogue_names_the_overrun():
    talk = "INT. ROOM - DAY\n\n" + "".join(f"BOB\n{'word ' * 40}\n\n" for _ in range(12))
    with pytest.raises(InvalidArgument, match=r"dialogue needs \d+\.\d s but the target is 60 s"):
        parse_script(talk)


def test_target_too_short_for_the_shots_drops_action_then_refuses():
    many = "EXT. FIELD - DAY\n\n" + "".join(f"Cow number {i} grazes.\n\n" for i in range(10))
    parsed = parse_script(many, settings(5))
    assert len(shots(parsed.scene_graph)) == 3 and parsed.warnings
    scenes = "".join(f"EXT. FIELD {i} - DAY\n\nGrass.\n\n" for i in range(10))
    with pytest.raises(InvalidArgument, match="needs at least 15.0 s"):
        parse_script(scenes, settings(10))


def test_same_script_and_settings_give_identical_bytes_and_seed_changes_them():
    one = parse_script(LIGHTHOUSE, settings(60, seed=7)).scene_graph.SerializeToString(deterministic=True)
    two = parse_script(LIGHTHOUSE.encode(), settings(60, seed=7)).scene_graph.SerializeToString(deterministic=True)
    other = parse_script(LIGHTHOUSE, settings(60, seed=8)).scene_graph
    assert one == two
    assert other.SerializeToString(deterministic=True) != one
    assert other.characters[0].seed != script_pb2.SceneGraph.FromString(one).characters[0].seed


def test_seed_depends_on_place_people_and_the_shot(lighthouse):
    lamp_room = [shot for s in lighthouse.scenes if s.location == "LAMP ROOM" for shot in s.shots]
    maya_close_ups = [s for s in lamp_room if s.character_ids == ["char-maya"] and s.framing == script_pb2.FRAMING_CLOSE_UP]
    assert maya_close_ups and len({s.seed for s in lamp_room}) == len(lamp_room)
    assert lighthouse.scenes[0].shots[0].seed != lighthouse.scenes[1].shots[0].seed
    edited = parse_script(LIGHTHOUSE.replace("Then who will watch the sea?", "Who will watch it?")).scene_graph
    changed = [i for i, (a, b) in enumerate(zip(shots(edited), shots(lighthouse))) if a.seed != b.seed]
    assert [shots(lighthouse)[i].description for i in changed] == ["MAYA: Then who will watch the sea?"]


@pytest.mark.parametrize("style", sorted(STYLES))
def test_styles_shape_prompts(style):
    graph = parse_script(LIGHTHOUSE, settings(style=style)).scene_graph
    shot = graph.scenes[0].shots[0]
    assert graph.style == style and shot.prompt.startswith(STYLES[style].lead)
    assert "lighthouse rock" in shot.prompt and "dawn" in shot.prompt
    assert STYLES[style].negative in shot.negative_prompt


@pytest.mark.parametrize("target", [4.9, 300.5, 0.5])
def test_target_out_of_range_is_refused(target):
    with pytest.raises(InvalidArgument, match="5-300 s"):
        parse_script(LIGHTHOUSE, settings(target))


def test_unknown_style_lists_the_known_ones():
    with pytest.raises(InvalidArgument, match="cinematic, noir, anime, watercolor, documentary"):
        parse_script(LIGHTHOUSE, settings(style="vaporwave"))


def test_prose_becomes_scenes_and_shots():
    parsed = parse_script((EXAMPLES / "morning.txt").read_bytes())
    graph = parsed.scene_graph
    assert graph.format == script_pb2.SCRIPT_FORMAT_PROSE and graph.title == "The Baker's Morning"
    assert [s.location for s in graph.scenes][:2] == ["BAKERY", "HARBOUR"]
    assert graph.scenes[0].setting == script_pb2.SETTING_INTERIOR
    assert graph.scenes[-1].time_of_day == "NIGHT"
    assert [c.name for c in graph.characters] == ["Ana", "Tomas"]
    assert len(shots(graph)) == 8 and all(not s.dialogue for s in shots(graph))  # a sentence a shot at 60 s


def test_dual_dialogue_shares_one_shot_and_offset():
    script = "INT. BAR - NIGHT\n\nNoise.\n\nBRICK\nGet down!\n\nSTEEL ^\nNot now!\n"
    (scene,) = parse_script(script).scene_graph.scenes
    dual = scene.shots[-1]
    assert [d.character_id for d in dual.dialogue] == ["char-brick", "char-steel"]
    assert dual.dialogue[0].offset == dual.dialogue[1].offset and all(d.dual for d in dual.dialogue)
    assert dual.character_ids == ["char-brick", "char-steel"]


def test_shot_list_text(lighthouse):
    text = format_shot_list(lighthouse)
    assert text.startswith("The Last Keeper - 4 scenes")
    assert "s02-sh01" in text and "MAYA (without turning): I know why they sent you." in text
