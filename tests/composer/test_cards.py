"""Title cards: a cut with card_text and no image is drawn by the composer, the words on black, centred
inside the title-safe area in the film's typeface, and moved and transitioned like any other cut."""

from __future__ import annotations

import av
import numpy as np
import pytest
from PIL import Image

from composer import compose_film
from composer.cards import card_still
from composer.timeline import plan_film
from filmstudio.errors import InvalidArgument
from filmstudio.v1 import composer_pb2, script_pb2
from tests.composer.media import cut, seconds, still_png

FPS = 24
MISSING = "\U0010fffd"  # a code point no font draws: the .notdef box


def card(shot_id: str, text: str, duration_s: float, move: int = 0, transition: int = 0,
         transition_s: float = 0.0) -> composer_pb2.Cut:
    return composer_pb2.Cut(shot_id=shot_id, card_text=text, duration=seconds(duration_s), camera_move=move,
                            transition_in=transition, transition_duration=seconds(transition_s))


def film_frames(path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray()[: frame.height] for frame in container.decode(video=0)]  # luma rows


def text_box(luma: np.ndarray, level: int = 120) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(luma > level)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


async def test_a_title_card_is_its_words_on_black_pushed_in_and_faded_like_any_cut(store):
    still = await store.put("assets/still.png", still_png(640, 360, seed=3))
    cuts = [card("s1-card", "THE LAST KEEPER", 2.0, script_pb2.CAMERA_MOVE_PUSH_IN,
                 script_pb2.TRANSITION_FADE_FROM_BLACK),
            cut("s1-sh01", still, 1.0, transition=script_pb2.TRANSITION_CROSSFADE, transition_s=0.5),
            card("s2-end", "THE END", 1.0, transition=script_pb2.TRANSITION_CROSSFADE, transition_s=0.5)]
    request = composer_pb2.ComposeFilmRequest(cuts=cuts, output_prefix=store.uri("films/f1") + "/",
                                              format=composer_pb2.OutputFormat(width=640, height=360, fps=FPS))
    result = await compose_film(request, store, lambda *_: None)
    luma = film_frames(store.local_path(result.video_uri))
    assert len(luma) == result.frame_count == 4 * FPS

    settled, last = luma[FPS], luma[2 * FPS - 1]  # the card after its fade from black, and at its end
    assert np.median(settled) <= 18  # black (limited-range 16) around the words
    x0, y0, x1, y1 = text_box(settled)
    assert 0.1 * 640 <= x0 and x1 < 0.9 * 640 and 0.1 * 360 <= y0 and y1 < 0.9 * 360  # inside the title-safe area
    assert abs((x0 + x1) / 2 - 320) < 8 and abs((y0 + y1) / 2 - 180) < 12  # centred
    lx0, _, lx1, _ = text_box(last)
    assert lx1 - lx0 > (x1 - x0) * 1.05  # the camera pushed in on it
    fading = [float(frame.max()) for frame in luma[:6]]
    assert fading == sorted(fading) and fading[0] < float(settled.max()) - 40  # it rose out of black

    # Into the still, and from it into the end card: crossfades, the card's words over the last picture.
    picture, end = luma[3 * FPS - 1].astype(int), luma[-1].astype(int)
    middle = luma[3 * FPS + FPS // 4 - 1].astype(int)
    assert np.abs(middle - (picture + end) / 2).mean() < np.abs(middle - end).mean() / 2
    ex0, _, ex1, _ = text_box(luma[-1])
    assert abs((ex0 + ex1) / 2 - 320) < 8


def test_a_cut_shows_a_still_a_title_card_or_black_never_two():
    request = composer_pb2.ComposeFilmRequest(cuts=[card("s1-card", "  FIN  ", 1.0)],
                                              format=composer_pb2.OutputFormat(width=320, height=180, fps=FPS))
    assert [(s.card_text, s.image_uri) for s in plan_film(request).shots] == [("FIN", "")]
    request.cuts[0].image_uri = "img/1.png"
    with pytest.raises(InvalidArgument, match="shot 's1-card': a title card .* has no image"):
        plan_film(request)
    request.cuts[0].image_uri = ""
    request.cuts[0].black = True
    with pytest.raises(InvalidArgument, match="shot 's1-card': a title card .* cannot also be black"):
        plan_film(request)
    request.cuts[0].black = False
    request.cuts[0].card_text = "   "
    with pytest.raises(InvalidArgument, match="shot 's1-card': image_uri is empty"):
        plan_film(request)


@pytest.mark.parametrize("word", ["ÉCOLE", "ÜBERGANG", "ΑΘΗΝΑ", "МОСКВА"])
def test_a_card_draws_every_latin_greek_and_cyrillic_letter(word):
    drawn = np.asarray(card_still(word, 640, 360))
    for i, letter in enumerate(word):
        boxed = np.asarray(card_still(word[:i] + MISSING + word[i + 1:], 640, 360))
        assert not np.array_equal(drawn, boxed), f"{letter!r} in {word} is drawn as the .notdef box"


@pytest.mark.parametrize("width,height", [(640, 360), (360, 640), (480, 480)])
@pytest.mark.parametrize("text", ["THE END", "A LONG TITLE CARD THAT HAS TO WRAP ONTO SEVERAL LINES TO FIT\nAND A "
                                  "SECOND PARAGRAPH OF ITS OWN", "ΤΕΛΟΣ — КОНЕЦ — FIN — ÉPILOGUE"])
def test_card_words_stay_inside_the_title_safe_area_at_every_aspect(width, height, text):
    pixels = np.asarray(card_still(text, width, height)).max(axis=2)
    x0, y0, x1, y1 = text_box(pixels, 60)
    assert 0.05 * width <= x0 and x1 < 0.95 * width and 0.05 * height <= y0 and y1 < 0.95 * height
    assert (pixels[pixels <= 60] == 0).mean() > 0.9  # black around them


async def test_the_poster_is_a_picture_not_a_title_card(store):
    still = await store.put("assets/still.png", still_png(320, 180, seed=1))
    request = composer_pb2.ComposeFilmRequest(
        cuts=[card("s1-card", "THE LONGEST CARD", 3.0), cut("s1-sh01", still, 1.0)],
        output_prefix=store.uri("films/f1") + "/", format=composer_pb2.OutputFormat(width=320, height=180, fps=FPS))
    result = await compose_film(request, store, lambda *_: None)
    poster = np.asarray(Image.open(store.local_path(result.poster_uri)).convert("L"))
    assert np.median(poster) > 40  # the still's colours, not a black card
