"""The poster carries the film's title and cast; the storyboard sheet writes each shot's action and dialogue
under its thumbnail, wrapped to it."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from composer import compose_film
from composer.motion import held_planes
from composer.sheets import GAP, Storyboard, poster_jpeg
from filmstudio.v1 import composer_pb2
from tests.composer.media import cut, seconds, still_png

ASPECTS = [(640, 360), (360, 640), (480, 480)]


def frame(width: int, height: int, seed: int = 2):
    return held_planes(Image.open(io.BytesIO(still_png(width, height, seed=seed))).convert("RGB"), width, height)


def decoded(jpeg: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB")).astype(int)


@pytest.mark.parametrize("width,height", ASPECTS)
def test_the_poster_bills_the_title_and_cast_inside_the_title_safe_area(width, height):
    planes = frame(width, height)
    bare = decoded(poster_jpeg(planes))
    billed = decoded(poster_jpeg(planes, "The Last Keeper", ["Maya", "Theo", "Élodie"]))
    assert (np.abs(billed - bare).max(axis=2) > 40).mean() > 0.02  # a shade across the bottom, and the words
    # The words themselves: near-white where the bare frame was not.
    words = (billed.min(axis=2) > 215) & (bare.min(axis=2) < 200)
    wy, wx = np.nonzero(words)
    assert words.sum() > 200 and wx.min() >= 0.05 * width and wx.max() < 0.95 * width
    assert wy.min() >= 0.05 * height and wy.max() < 0.95 * height
    assert not np.array_equal(billed, decoded(poster_jpeg(planes, "The Last Keeper", ["Maya"])))  # the cast shows
    assert not np.array_equal(billed, decoded(poster_jpeg(planes, "Another Film", ["Maya", "Theo", "Élodie"])))


def sheet_image(board: Storyboard) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(board.png())).convert("RGB")).astype(int)


def test_the_sheet_writes_each_shot_s_action_and_dialogue_wrapped_under_its_thumbnail():
    action = "Grey waves break over black rocks while a white lighthouse stands against a pink sky at dawn."
    lines = ("MAYA: Forty years I kept this light.", "THEO: They sent me to automate it, and it will run itself.")
    plain, written = Storyboard(640, 360, "The Last Keeper"), Storyboard(640, 360, "The Last Keeper")
    for k in range(3):
        plain.add(frame(640, 360, k), f"{k + 1}. s1-sh0{k + 1}  00:0{k}.0")
        written.add(frame(640, 360, k), f"{k + 1}. s1-sh0{k + 1}  00:0{k}.0", action, lines)
    bare, sheet = sheet_image(plain), sheet_image(written)
    assert sheet.shape[0] > bare.shape[0] + 5 * 17  # room for wrapped action and dialogue lines
    tw, th = written.thumb
    top = GAP + round(22 * 1.6) + GAP  # under the title
    under = sheet[top + th + 6:]
    for column in range(3):  # every thumbnail's writing stays in its own column
        x0 = GAP + column * (tw + GAP)
        ink = (under[:, x0 - GAP:x0 + tw + GAP] > 120).any(axis=2)
        inked_rows = np.nonzero(ink.any(axis=1))[0]
        assert inked_rows.size > 0 and (inked_rows.max() - inked_rows.min()) > 5 * 15  # several lines
        assert not ink[:, :GAP].any() and not ink[:, -GAP:].any()  # none spills into the gaps
    amber = (under[:, :, 0] > 200) & (under[:, :, 2] < 160)
    assert amber.sum() > 100  # the dialogue, in its own colour


def test_a_long_action_is_cut_with_an_ellipsis_not_run_off_the_sheet():
    board = Storyboard(640, 360)
    board.add(frame(640, 360), "1. s1  00:00.0", "word " * 400, ("MAYA: " + "line " * 300,))
    image = sheet_image(board)
    assert image.shape[0] < board.thumb[1] + 20 * 20  # at most a few lines each


async def test_compose_publishes_a_billed_poster_and_a_written_sheet(store):
    stills = [await store.put(f"assets/{i}.png", still_png(640, 360, seed=i)) for i in range(2)]

    async def compose(prefix, title, cast, described):
        cuts = [cut("s1", stills[0], 1.0), cut("s2", stills[1], 2.0, subtitles=[
            composer_pb2.SubtitleCue(text="Where were you?", speaker="MAYA", offset=seconds(0.1),
                                     duration=seconds(1.0))])]
        if described:
            cuts[0].description, cuts[1].description = "Maya climbs the stairs.", "Theo waits by the boat."
        request = composer_pb2.ComposeFilmRequest(cuts=cuts, output_prefix=store.uri(prefix) + "/", title=title,
                                                  cast=cast, format=composer_pb2.OutputFormat(width=640, height=360,
                                                                                              fps=24))
        result = await compose_film(request, store, lambda *_: None)
        return (np.asarray(Image.open(store.local_path(result.poster_uri)).convert("RGB")).astype(int),
                np.asarray(Image.open(store.local_path(result.storyboard_uri)).convert("RGB")))

    bare_poster, bare_sheet = await compose("films/bare", "", [], False)
    poster, sheet = await compose("films/billed", "The Last Keeper", ["Maya", "Theo"], True)
    assert (np.abs(poster - bare_poster).max(axis=2) > 40).mean() > 0.02  # the billing is on the poster
    assert sheet.shape[0] > bare_sheet.shape[0]  # the title above, the action under the thumbnails
