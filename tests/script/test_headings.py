"""Scene headings: the place, the time of day from any dashed part, and continuity words keeping the light."""

from __future__ import annotations

import pytest

from filmstudio.v1 import script_pb2
from orchestrator.script import parse_script
from orchestrator.script.draft import split_heading

T = script_pb2


@pytest.mark.parametrize("rest, location, time_of_day", [
    ("GARAGE - NIGHT - 1995", "GARAGE", "NIGHT"),
    ("HOUSE - KITCHEN - DAY", "HOUSE - KITCHEN", "DAY"),
    ("BAR - SATURDAY NIGHT - 1975", "BAR", "SATURDAY NIGHT"),
    ("HOUSE - HOLIDAY - NIGHT", "HOUSE - HOLIDAY", "NIGHT"),
    ("ROAD - MOMENTS LATER - RAIN", "ROAD", "MOMENTS LATER"),
    ("HALL -- NIGHT", "HALL", "NIGHT"),
    ("LAB - DAY (FLASHBACK)", "LAB", "DAY"),
    ("PIER - 1995", "PIER - 1995", ""),
    ("NIGHT", "NIGHT", ""),
])
def test_time_of_day_from_any_dashed_part(rest, location, time_of_day):
    assert split_heading("INT", rest) == (T.SETTING_INTERIOR, location, time_of_day)


def test_continuity_words_carry_the_scene_before_s_light():
    script = "".join(f"{heading}\n\nSomething happens.\n\n" for heading in (
        "EXT. ROAD - DAY", "INT. GARAGE - NIGHT - 1995", "INT. HALL - CONTINUOUS", "EXT. YARD - MOMENTS LATER",
        "INT. KITCHEN - LATER", "INT. LAB - DAY (FLASHBACK)"))
    scenes = parse_script(script).scene_graph.scenes
    assert [(s.location, s.light) for s in scenes] == [
        ("ROAD", T.TIME_OF_DAY_DAY), ("GARAGE", T.TIME_OF_DAY_NIGHT), ("HALL", T.TIME_OF_DAY_NIGHT),
        ("YARD", T.TIME_OF_DAY_NIGHT), ("KITCHEN", T.TIME_OF_DAY_NIGHT), ("LAB", T.TIME_OF_DAY_DAY)]
    assert scenes[1].heading == "INT. GARAGE - NIGHT - 1995"  # the year stays in the heading


def test_the_year_is_in_the_establishing_shot_of_a_scene_that_opens_on_dialogue():
    (scene,) = parse_script("INT. GARAGE - NIGHT - 1995\n\nBOB\nHi.\n").scene_graph.scenes
    assert scene.shots[0].description == "INT. GARAGE - NIGHT - 1995"
    assert "garage" in scene.shots[0].prompt and "night" in scene.shots[0].prompt
