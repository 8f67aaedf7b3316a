"""The style presets look different on the storyboard, measurably and in the way each is meant to."""

from __future__ import annotations

import numpy as np
import pytest

from filmstudio.settings import STYLES
from filmstudio.v1 import script_pb2
from inference.storyboard import render_storyboard

W, H = 320, 184
MAYA = script_pb2.Character(id="char-maya", name="MAYA", seed=1234, hair="long black hair",
                            wardrobe="a yellow raincoat")
TOM = script_pb2.Character(id="char-tom", name="TOM", seed=987, age="70s", wardrobe="a red jacket")


def frame(style: str, portrait: bool = False) -> np.ndarray:
    brief = script_pb2.ShotBrief(shot=script_pb2.Shot(id="s1", framing=script_pb2.FRAMING_MEDIUM,
                                                      description="They talk by the boats"),
                                 setting=script_pb2.SETTING_EXTERIOR, location="HARBOUR", time_of_day="DAY",
                                 characters=[MAYA, TOM], style=style, portrait=portrait)
    return render_storyboard(brief, 3, W, H).astype(np.float64)


def saturation(image: np.ndarray) -> float:
    top, bottom = image.max(axis=2), image.min(axis=2)
    return float(((top - bottom) / np.maximum(top, 1)).mean())


def luma(image: np.ndarray) -> np.ndarray:
    return image @ np.array([0.299, 0.587, 0.114])


def sharp_edges(image: np.ndarray) -> float:
    """The share of neighbouring pixels whose brightness steps by more than 24 levels: a drawn edge,
    not grain or a gradient."""
    y = luma(image)
    return float((np.abs(np.diff(y, axis=0)) > 24).mean() + (np.abs(np.diff(y, axis=1)) > 24).mean()) / 2


@pytest.fixture(scope="module")
def frames() -> dict[str, np.ndarray]:
    return {style: frame(style) for style in STYLES}


def test_cinematic_is_the_renderer_s_own_look(frames):
    assert np.array_equal(frames["cinematic"], frame(""))


def test_noir_is_monochrome_and_hard(frames):
    noir, cinematic = frames["noir"], frames["cinematic"]
    assert np.abs(noir - noir.mean(axis=2, keepdims=True)).max() == 0  # no colour at all
    # Hard-lit: deep shadows and a wider spread of tones than the colour frame's brightness.
    assert (luma(noir) < 30).mean() > (luma(cinematic) < 30).mean() * 1.5
    assert luma(noir).std() > luma(cinematic).std() * 1.1


def test_watercolor_is_soft_muted_and_on_paper(frames):
    water, cinematic = frames["watercolor"], frames["cinematic"]
    assert sharp_edges(water) < sharp_edges(cinematic) * 0.3  # soft edges
    assert luma(water).std() < luma(cinematic).std() * 0.85  # lower contrast
    assert saturation(water) < saturation(cinematic) * 0.85
    assert luma(water).min() > 40  # the darks lifted towards the paper


def test_anime_is_saturated_and_outlined(frames):
    anime, cinematic, documentary = frames["anime"], frames["cinematic"], frames["documentary"]
    assert saturation(anime) > saturation(cinematic) * 1.1
    assert saturation(anime) > saturation(documentary) * 1.4
    assert (luma(anime) < 35).mean() > (luma(cinematic) < 35).mean()  # the ink lines


def test_documentary_is_natural_grained_and_vignetted(frames):
    documentary, cinematic = frames["documentary"], frames["cinematic"]
    assert saturation(documentary) < saturation(cinematic) * 0.85
    # Grain: flat areas (the sky's top rows) vary pixel to pixel; the drawn sky does not.
    sky = slice(0, 6), slice(W // 3, W // 3 + 40)
    assert luma(documentary[sky]).std() > luma(cinematic[sky]).std() + 1
    corners = np.concatenate([documentary[:12, :12], documentary[:12, -12:]]).mean()
    drawn = np.concatenate([cinematic[:12, :12], cinematic[:12, -12:]]).mean()
    assert corners < drawn - 5


def test_every_pair_of_presets_differs(frames):
    for a in STYLES:
        for b in STYLES:
            if a < b:
                assert np.abs(frames[a] - frames[b]).mean() > 4, (a, b)


@pytest.mark.parametrize("style", STYLES)
def test_each_style_is_deterministic_and_portraits_take_it(style):
    assert np.array_equal(frame(style), frame(style))
    portrait = frame(style, portrait=True)
    assert portrait.shape == (H, W, 3)
    if style != "cinematic":
        assert not np.array_equal(portrait, frame("cinematic", portrait=True))


def test_an_unknown_style_draws_the_default():
    assert np.array_equal(frame("vaporwave"), frame("cinematic"))
