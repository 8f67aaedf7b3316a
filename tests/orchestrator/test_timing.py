"""Pure pieces of the orchestrator: content keys, seeds, frame sizes, voice placement and mixing."""

import numpy as np
import pytest
from google.protobuf import duration_pb2

from filmstudio import wav
from filmstudio.errors import InvalidArgument
from filmstudio.settings import STYLES, normalize
from filmstudio.v1 import film_pb2, script_pb2
from orchestrator import voicing
from filmstudio.seeds import stable_seed
from orchestrator.assets import asset_key
from orchestrator.timeline import frame_size, image_size, place_lines, shot_seconds


def d(seconds: float) -> duration_pb2.Duration:
    out = duration_pb2.Duration()
    out.FromNanoseconds(int(seconds * 1e9))
    return out


def test_asset_keys_change_with_every_input_and_nothing_else():
    base = {"prompt": "a lighthouse", "seed": 7, "brief": script_pb2.ShotBrief(location="PIER")}
    key = asset_key("image", "storyboard", "1", base, "png")
    assert key == asset_key("image", "storyboard", "1", dict(reversed(list(base.items()))), "png")
    assert key.startswith("assets/image/") and key.endswith(".png")
    others = [asset_key("image", "storyboard", "1", {**base, "seed": 8}, "png"),
              asset_key("image", "storyboard", "2", base, "png"),
              asset_key("image", "sdxl", "1", base, "png"),
              asset_key("image", "storyboard", "1", {**base, "brief": script_pb2.ShotBrief(location="PIER2")}, "png")]
    assert len({key, *others}) == 5


def test_seeds_are_stable_and_31_bit():
    assert stable_seed(1, "char-maya", "PIER") == stable_seed(1, "char-maya", "PIER")
    assert stable_seed(1, "char-maya", "PIER") != stable_seed(2, "char-maya", "PIER")
    assert 0 <= stable_seed("x") < 2 ** 31


@pytest.mark.parametrize("aspect,resolution,size", [
    (film_pb2.ASPECT_RATIO_LANDSCAPE, film_pb2.RESOLUTION_720P, (1280, 720)),
    (film_pb2.ASPECT_RATIO_PORTRAIT, film_pb2.RESOLUTION_720P, (720, 1280)),
    (film_pb2.ASPECT_RATIO_SQUARE, film_pb2.RESOLUTION_1080P, (1080, 1080)),
    (film_pb2.ASPECT_RATIO_LANDSCAPE, film_pb2.RESOLUTION_1080P, (1920, 1080)),
    (film_pb2.ASPECT_RATIO_UNSPECIFIED, film_pb2.RESOLUTION_UNSPECIFIED, (1280, 720)),
])
def test_frame_sizes(aspect, resolution, size):
    settings = normalize(film_pb2.FilmSettings(aspect_ratio=aspect, resolution=resolution))
    assert frame_size(settings) == size
    assert image_size(settings, "storyboard") == size
    width, height = image_size(settings, "sdxl")
    assert width % 64 == 0 and height % 64 == 0 and (width > height) == (size[0] > size[1])


def shot_with(*lines, duration=3.0):
    return script_pb2.Shot(id="s01-sh01", duration=d(duration), dialogue=list(lines))


def test_lines_keep_their_planned_offsets_when_speech_fits():
    shot = shot_with(script_pb2.DialogueLine(text="a", offset=d(0.3)), script_pb2.DialogueLine(text="b", offset=d(2.0)))
    placed = place_lines(shot, [1.0, 0.5])
    assert [p.offset_s for p in placed] == pytest.approx([0.3, 2.0])
    assert shot_seconds(shot, placed) == pytest.approx(3.0)


def test_a_long_line_pushes_the_next_and_lengthens_the_shot():
    shot = shot_with(script_pb2.DialogueLine(text="a", offset=d(0.3)), script_pb2.DialogueLine(text="b", offset=d(1.5)))
    placed = place_lines(shot, [2.0, 1.0])
    assert placed[1].offset_s == pytest.approx(0.3 + 2.0 + 0.25)
    assert shot_seconds(shot, placed) == pytest.approx(0.3 + 2.0 + 0.25 + 1.0 + 0.35)


def test_dual_dialogue_stays_simultaneous():
    shot = shot_with(script_pb2.DialogueLine(text="a", offset=d(0.5), dual=True),
                     script_pb2.DialogueLine(text="b", offset=d(0.5), dual=True))
    placed = place_lines(shot, [1.0, 1.2])
    assert placed[0].offset_s == placed[1].offset_s == pytest.approx(0.5)


def test_mixing_places_clips_at_their_offsets():
    rate = 24000
    shot = shot_with(script_pb2.DialogueLine(text="a", offset=d(0.0)), script_pb2.DialogueLine(text="b", offset=d(1.0)))
    clips = [(np.full(rate // 2, 1000, np.int16), rate), (np.full(rate // 4, -2000, np.int16), rate)]
    placed = place_lines(shot, [0.5, 0.25])
    samples, got_rate = wav.decode(voicing.mix(placed, clips))
    assert got_rate == rate and len(samples) / rate == pytest.approx(1.25)
    assert samples[rate // 4] == 1000 and samples[rate * 3 // 4] == 0 and samples[rate + 10] == -2000


def test_settings_get_defaults():
    settings = normalize(film_pb2.FilmSettings())
    assert (settings.fps, settings.target_duration.seconds, settings.style, settings.image_backend) == \
        (24, 60, "cinematic", "storyboard")
    assert settings.aspect_ratio == film_pb2.ASPECT_RATIO_LANDSCAPE


@pytest.mark.parametrize("settings,named", [
    (film_pb2.FilmSettings(fps=60), "settings.fps 60"),
    (film_pb2.FilmSettings(image_backend="dall-e"), "settings.image_backend 'dall-e'"),
    (film_pb2.FilmSettings(aspect_ratio=9), "settings.aspect_ratio 9"),
])
def test_out_of_range_settings_are_named(settings, named):
    with pytest.raises(InvalidArgument, match=named):
        normalize(settings)


def test_every_style_has_a_look_in_the_bible():
    from orchestrator.script.bible import STYLES as LOOKS

    assert tuple(LOOKS) == STYLES
