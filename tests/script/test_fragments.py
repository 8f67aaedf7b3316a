"""A Fountain fragment with no scene heading (pasted from the middle of a script) is one scene in no
stated place, with a warning naming its first line."""

from __future__ import annotations

from filmstudio.v1 import script_pb2
from orchestrator.script import parse_script


def test_dialogue_with_no_heading_is_one_scene_in_no_stated_place():
    parsed = parse_script("BOB\nHello.\n\nALICE\nHi.\n")
    (scene,) = parsed.scene_graph.scenes
    assert (scene.heading, scene.location, scene.setting) == ("", "", script_pb2.SETTING_UNSPECIFIED)
    assert (scene.span.line, scene.span.end_line) == (1, 5)
    said = [(line.character_id, line.text) for shot in scene.shots for line in shot.dialogue]
    assert said == [("char-bob", "Hello."), ("char-alice", "Hi.")]
    assert parsed.warnings[0].startswith("line 1: the script has no scene heading; filming it as one scene")


def test_the_warning_names_the_first_line_a_camera_films():
    parsed = parse_script("FADE IN:\n\nMaya waits.\n\nMAYA\nWell?\n")
    assert parsed.warnings[0].startswith("line 3: the script has no scene heading")
    (scene,) = parsed.scene_graph.scenes
    assert "Maya waits." in [shot.description for shot in scene.shots]
    assert scene.shots[0].transition_in == script_pb2.TRANSITION_FADE_FROM_BLACK
