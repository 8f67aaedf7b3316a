"""The storyboard renderer as a plain function."""

from __future__ import annotations

import numpy as np
import pytest

from filmstudio.v1 import script_pb2
from inference.signature import BadRequest
from filmstudio.light import light_in
from inference.figures import figure_for
from inference.palette import palette_for, time_key
from inference.setpieces import brief_light
from inference.storyboard import brief_from_prompt, render_storyboard

MAYA = script_pb2.Character(id="char-maya", name="MAYA", seed=1234)
BO = script_pb2.Character(id="char-bo", name="BO", seed=987)


def brief(**fields) -> script_pb2.ShotBrief:
    shot = script_pb2.Shot(framing=fields.pop("framing", script_pb2.FRAMING_MEDIUM))
    defaults = dict(setting=script_pb2.SETTING_EXTERIOR, location="STREET", time_of_day="DAY", characters=[MAYA])
    return script_pb2.ShotBrief(shot=shot, **{**defaults, **fields})


def test_same_inputs_same_pixels():
    a = render_storyboard(brief(), 5, 320, 184)
    assert a.shape == (184, 320, 3) and a.dtype == np.uint8
    assert np.array_equal(a, render_storyboard(brief(), 5, 320, 184))


def test_night_is_darker_than_day_and_interiors_differ_from_exteriors():
    day, night = render_storyboard(brief(), 1, 320, 184), render_storyboard(brief(time_of_day="NIGHT"), 1, 320, 184)
    assert night.mean() < day.mean() * 0.6
    inside = render_storyboard(brief(setting=script_pb2.SETTING_INTERIOR, location="KITCHEN"), 1, 320, 184)
    assert not np.array_equal(inside, day)


@pytest.mark.parametrize("spoken,key", [("NIGHT", "NIGHT"), ("LATE NIGHT", "NIGHT"), ("sunset", "DUSK"),
                                        ("CONTINUOUS", "DAY"), ("", "DAY"), ("EARLY MORNING", "DAWN")])
def test_times_of_day_choose_a_palette(spoken, key):
    assert time_key(light_in(spoken)) == key
    assert time_key(brief_light(brief(time_of_day=spoken))) == key  # a brief with words only


def test_the_brief_light_wins_over_its_words():
    assert time_key(brief_light(brief(time_of_day="DAY", light=script_pb2.TIME_OF_DAY_NIGHT))) == "NIGHT"


def test_a_character_keeps_the_same_figure_in_every_shot_and_differs_from_others():
    assert figure_for(MAYA) == figure_for(script_pb2.Character(id="other-id", name="MAYA", seed=1234))
    assert figure_for(MAYA).colour != figure_for(BO).colour
    # Her clothes colour shows in a wide shot and in a medium shot of another scene.
    for shot in (brief(framing=script_pb2.FRAMING_WIDE), brief(setting=script_pb2.SETTING_INTERIOR, location="OFFICE")):
        image = render_storyboard(shot, 3, 640, 360)
        assert (image.reshape(-1, 3) == _lit(figure_for(MAYA).colour, shot)).all(axis=1).any()


def _lit(colour, shot):
    # The renderer's lighting, repeated: the figure's clothes under the scene's light.
    palette = palette_for(shot.setting, brief_light(shot))
    return np.array([int(c * t / 255 * (0.35 + 0.65 * palette.light)) for c, t in zip(colour, palette.tint)])


def test_framing_scales_the_figures():
    def figure_pixels(framing):  # pixels the character covers: the frame with her against the empty set
        with_her = render_storyboard(brief(framing=framing), 3, 640, 360)
        empty = render_storyboard(brief(framing=framing, characters=[]), 3, 640, 360)
        return int((with_her != empty).any(axis=2).sum())

    sizes = [figure_pixels(f) for f in (script_pb2.FRAMING_EXTREME_WIDE, script_pb2.FRAMING_WIDE,
                                        script_pb2.FRAMING_MEDIUM, script_pb2.FRAMING_CLOSE_UP)]
    assert 0 < sizes[0] < sizes[1] < sizes[2] < sizes[3]


def test_only_a_scene_opening_is_titled():
    plain = render_storyboard(brief(), 2, 640, 360)
    titled = render_storyboard(brief(opens_scene=True), 2, 640, 360)
    changed = np.argwhere((plain != titled).any(axis=2))
    assert changed.size and changed[:, 0].min() >= int(360 * 0.8)  # the title band in the lower fifth
    assert np.array_equal(render_storyboard(brief(opens_scene=True, location=""), 2, 640, 360),
                          render_storyboard(brief(location=""), 2, 640, 360))


def test_every_location_kind_and_framing_renders():
    for location in ("BEACH", "FOREST", "DESERT", "CITY STREET", "MARS", "KITCHEN", "BEDROOM", "OFFICE", "BAR", "CAR"):
        for setting in (script_pb2.SETTING_EXTERIOR, script_pb2.SETTING_INTERIOR, script_pb2.SETTING_INTERIOR_EXTERIOR):
            for framing in range(7):
                shot = brief(location=location, setting=setting, framing=framing, characters=[MAYA, BO])
                assert render_storyboard(shot, 9, 64, 40).shape == (40, 64, 3)


def test_prompt_words_stand_in_for_a_missing_brief():
    guessed = brief_from_prompt("Interior kitchen at night, a woman waits")
    assert guessed.setting == script_pb2.SETTING_INTERIOR and guessed.light == script_pb2.TIME_OF_DAY_NIGHT
    assert brief_from_prompt("a field").setting == script_pb2.SETTING_EXTERIOR


@pytest.mark.parametrize("width,height", [(100, 64), (64, 0), (2056, 64)])
def test_bad_sizes_are_refused(width, height):
    with pytest.raises(BadRequest, match="multiple of 8"):
        render_storyboard(brief(), 1, width, height)


@pytest.mark.parametrize("setting", [script_pb2.SETTING_EXTERIOR, script_pb2.SETTING_INTERIOR])
def test_no_panel_border_for_the_camera_to_reveal(setting):
    # The composer pans and zooms over the whole still: its edges must be picture, not a frame line.
    # A border is a band along the edge unlike the picture inside it; a set with buildings or windows
    # changes from line to line anyway, so the edge is held to how much the picture changes inside.
    image = render_storyboard(brief(setting=setting, time_of_day="DAY"), seed=3, width=640, height=360).astype(int)
    for edge, inward, further in ((image[0], image[8], image[16]), (image[:, 0], image[:, 8], image[:, 16]),
                                  (image[-1], image[-9], image[-17]), (image[:, -1], image[:, -9], image[:, -17])):
        assert np.abs(edge - inward).mean() < np.abs(inward - further).mean() + 12
