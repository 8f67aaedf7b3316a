"""The storyboard's words and actors at any aspect: every Latin, Greek and Cyrillic letter of a location card
is drawn (no tofu boxes), and cards and figures stay inside the title-safe area at 16:9, 9:16 and 1:1."""

from __future__ import annotations

import numpy as np
import pytest

from filmstudio import fonts
from filmstudio.v1 import script_pb2
from inference.storyboard import render_storyboard

F = script_pb2
WORDS = ("ÉCOLE", "ÜBERGANG", "ΑΘΗΝΑ", "МОСКВА")
MISSING = "\U0010fffd"  # a private-use code point no font draws: the font's .notdef box
ASPECTS = [(640, 360), (360, 640), (480, 480)]
CAST = [script_pb2.Character(id=f"char-{i}", name=f"C{i}", seed=100 + 37 * i) for i in range(3)]


def card(location: str, framing: int = F.FRAMING_WIDE, opens_scene: bool = True, **fields) -> script_pb2.ShotBrief:
    return script_pb2.ShotBrief(shot=script_pb2.Shot(id="s01-sh01", framing=framing), setting=F.SETTING_EXTERIOR,
                                location=location, light=F.TIME_OF_DAY_DAY, opens_scene=opens_scene, **fields)


@pytest.mark.parametrize("word", WORDS)
def test_every_letter_has_its_own_glyph_in_the_shared_font(word):
    face = fonts.font(40)
    notdef = face.getmask(MISSING)
    for letter in word:
        mask = face.getmask(letter)
        assert mask.size != notdef.size or bytes(mask) != bytes(notdef), f"{letter!r} is drawn as the .notdef box"


@pytest.mark.parametrize("word", WORDS)
def test_a_location_card_draws_every_letter(word):
    # Were a letter drawn as .notdef, putting .notdef in its place would leave the card unchanged.
    drawn = render_storyboard(card(word), 2, 320, 184)
    for i, letter in enumerate(word):
        boxed = render_storyboard(card(word[:i] + MISSING + word[i + 1:]), 2, 320, 184)
        assert not np.array_equal(drawn, boxed), f"{letter!r} in {word} is a tofu box"


def test_a_missing_font_is_an_error_naming_the_package(tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "DIRECTORY", tmp_path)
    fonts.font_file.cache_clear()
    fonts.font.cache_clear()
    try:
        with pytest.raises(fonts.FontMissing, match="fonts-dejavu-core"):
            fonts.font(20)
    finally:
        fonts.font_file.cache_clear()
        fonts.font.cache_clear()


def _inside_title_safe(mask: np.ndarray, what: str, bottom: bool = True) -> None:
    height, width = mask.shape
    ys, xs = np.nonzero(mask)
    assert xs.size, f"{what}: nothing drawn"
    box = (xs.min(), ys.min(), xs.max(), ys.max())
    assert box[0] >= 0.05 * width and box[2] < 0.95 * width, f"{what}: {box} leaves the safe width of {width}"
    assert box[1] >= 0.05 * height, f"{what}: {box} starts above the safe top of {height}"
    if bottom:
        assert box[3] < 0.95 * height, f"{what}: {box} runs below the safe bottom of {height}"


@pytest.mark.parametrize("width,height", ASPECTS)
@pytest.mark.parametrize("location", ["LIGHTHOUSE ROCK", "THE OLD HARBOUR MASTER'S COTTAGE - UPSTAIRS BEDROOM",
                                      "ÉCOLE ÜBERGANG ΑΘΗΝΑ МОСКВА"])
def test_location_cards_stay_inside_the_title_safe_area(width, height, location):
    titled = render_storyboard(card(location), 2, width, height)
    plain = render_storyboard(card(location, opens_scene=False), 2, width, height)
    _inside_title_safe((titled != plain).any(axis=2), f"card {location!r} at {width}x{height}")


@pytest.mark.parametrize("width,height", ASPECTS)
@pytest.mark.parametrize("framing,count", [(F.FRAMING_WIDE, 2), (F.FRAMING_WIDE, 3), (F.FRAMING_EXTREME_WIDE, 2),
                                           (F.FRAMING_MEDIUM, 2), (F.FRAMING_MEDIUM, 3), (F.FRAMING_MEDIUM, 1)])
def test_figures_stay_inside_the_title_safe_area(width, height, framing, count):
    with_them = render_storyboard(card("PARK", opens_scene=False, framing=framing, characters=CAST[:count]), 5,
                                  width, height)
    empty = render_storyboard(card("PARK", opens_scene=False, framing=framing), 5, width, height)
    # A medium shot cuts the figures at the waist or the knees: the frame's bottom edge is theirs to cross.
    _inside_title_safe((with_them != empty).any(axis=2), f"{count} at framing {framing}, {width}x{height}",
                       bottom=framing != F.FRAMING_MEDIUM)


@pytest.mark.parametrize("width,height", ASPECTS)
def test_a_close_up_face_stays_inside_the_safe_width(width, height):
    brief = card("PARK", opens_scene=False, framing=F.FRAMING_CLOSE_UP, characters=CAST[:1])
    with_her = render_storyboard(brief, 5, width, height)
    brief.ClearField("characters")
    empty = render_storyboard(brief, 5, width, height)
    changed = (with_her != empty).any(axis=2)
    head = changed[: int(height * 0.45)]  # the head, above the shoulders that a close-up crops
    xs = np.nonzero(head.any(axis=0))[0]
    assert xs.min() >= 0.05 * width and xs.max() < 0.95 * width
