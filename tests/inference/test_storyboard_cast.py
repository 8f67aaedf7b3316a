"""The storyboard draws each character from their cast entry: hair, skin, build, wardrobe, age, gender."""

from __future__ import annotations

import numpy as np
import pytest

from filmstudio.v1 import script_pb2
from inference.figures import figure_for
from inference.looks import look_of
from inference.storyboard import render_storyboard

W = H = 256


def person(**fields) -> script_pb2.Character:
    return script_pb2.Character(**{"id": "char-maya", "name": "MAYA", "seed": 1234, **fields})


def portrait(character: script_pb2.Character | None, style: str = "") -> np.ndarray:
    brief = script_pb2.ShotBrief(shot=script_pb2.Shot(id="portrait"), portrait=True, style=style,
                                 characters=[character] if character else [])
    return render_storyboard(brief, 5, W, H)


def regions(character: script_pb2.Character) -> tuple[np.ndarray, np.ndarray]:
    """The pixels of the sitter's crown (the top rows of the figure) and of their chest."""
    image = portrait(character).astype(int)
    figure = (image != portrait(None).astype(int)).any(axis=2)
    rows = np.flatnonzero(figure.any(axis=1))
    top = rows[0]
    crown = image[top:top + int(H * 0.05)][figure[top:top + int(H * 0.05)]]
    chest = image[int(H * 0.85):, int(W * 0.42):int(W * 0.58)].reshape(-1, 3)
    return crown, chest


def luma(pixels: np.ndarray) -> float:
    return float(np.median(pixels @ np.array([0.299, 0.587, 0.114])))


def chroma(pixels: np.ndarray) -> float:
    return float(np.median(pixels.max(axis=1) - pixels.min(axis=1)))


def test_long_black_hair_is_drawn_black_and_grey_hair_grey():
    black, _ = regions(person(hair="long black hair", age="70s"))  # the field wins over age's grey
    grey, _ = regions(person(hair="grey hair", age="40"))
    assert luma(black) < 40
    assert luma(grey) > 120 and chroma(grey) < 20


def test_a_shaved_head_shows_skin_not_hair():
    crown, _ = regions(person(hair="shaved head", skin="dark skin"))
    skin = np.array(figure_for(person(hair="shaved head", skin="dark skin")).skin)
    assert np.abs(np.median(crown, axis=0) - skin).max() < 25
    haired, _ = regions(person(hair="long black hair", skin="dark skin"))
    assert luma(haired) < luma(crown) - 20


def test_editing_the_wardrobe_recolours_the_coat():
    _, yellow = regions(person(wardrobe="a yellow raincoat"))
    _, navy = regions(person(wardrobe="a navy wool coat"))
    r, g, b = np.median(yellow, axis=0)
    assert r > 180 and g > 150 and b < 100
    r, g, b = np.median(navy, axis=0)
    assert b > r + 25 and luma(navy) < 70


def test_an_edit_changes_the_figure_in_a_shot_too():
    def shot(character):
        brief = script_pb2.ShotBrief(shot=script_pb2.Shot(id="s1", framing=script_pb2.FRAMING_MEDIUM),
                                     setting=script_pb2.SETTING_EXTERIOR, location="STREET", characters=[character])
        return render_storyboard(brief, 5, 320, 184)

    before = shot(person(hair="long black hair", wardrobe="a yellow raincoat"))
    after = shot(person(hair="shaved head", wardrobe="a yellow raincoat"))
    changed = (before != after).any(axis=2)
    assert changed.sum() > 200
    assert np.flatnonzero(changed.any(axis=0)).ptp() < 320 * 0.4  # the one figure's head, not the set


def test_fields_win_over_the_description_and_the_description_over_the_seed():
    told = person(description="MAYA, a woman with long red hair, in a green dress")
    assert look_of(told).hair_shape == "long" and look_of(told).garment == "dress"
    assert figure_for(told).hair == look_of(told).hair != figure_for(person()).hair
    edited = person(hair="short black hair", description=told.description)
    look = look_of(edited)
    assert look.hair_shape == "short" and luma(np.array([figure_for(edited).hair])) < 40
    assert look.garment == "dress"  # the wardrobe field is empty: the description still dresses her


@pytest.mark.parametrize("text,expected", [
    ("long black hair", ("long", (22, 20, 22))), ("shaved head", ("none", None)), ("curly red hair", ("curly", None)),
    ("grey hair", (None, (165, 165, 168))),
])
def test_hair_words(text, expected):
    look = look_of(person(hair=text))
    shape, colour = expected
    assert look.hair_shape == shape
    if colour:
        assert look.hair == colour


def test_age_greys_unstated_hair_and_children_are_smaller():
    forty, seventy = figure_for(person(age="40")), figure_for(person(age="70s"))
    assert luma(np.array([forty.hair])) < 120  # a forty-year-old is not grey by chance
    assert luma(np.array([seventy.hair])) > 150 and chroma(np.array([seventy.hair])) < 20
    assert seventy.stoop > 0 and forty.stoop == 0
    child = figure_for(person(description="LITTLE ANNIE, a girl"))
    assert child.height < forty.height * 0.8 and child.head > forty.head


def test_skin_build_and_gender():
    dark, pale = figure_for(person(skin="dark skin")), figure_for(person(skin="pale, freckled"))
    assert luma(np.array([dark.skin])) < 90 < 200 < luma(np.array([pale.skin])) and pale.freckles
    assert figure_for(person(build="stocky")).build > figure_for(person(build="slight")).build
    assert figure_for(person(build="tall")).height > figure_for(person(build="short")).height
    # Unspecified still draws a whole person, neither the woman's nor the man's silhouette.
    sizes = {}
    for gender in (script_pb2.GENDER_UNSPECIFIED, script_pb2.GENDER_FEMALE, script_pb2.GENDER_MALE):
        figure = figure_for(person(gender=gender))
        sizes[gender] = figure.build
        image = portrait(person(gender=gender))
        assert (image != portrait(None)).any(axis=2).mean() > 0.15
    assert sizes[script_pb2.GENDER_FEMALE] < sizes[script_pb2.GENDER_UNSPECIFIED] < sizes[script_pb2.GENDER_MALE]


def test_a_portrait_is_centred_and_the_same_every_time():
    sitter = person(hair="long black hair", wardrobe="a yellow raincoat")
    image = portrait(sitter)
    assert np.array_equal(image, portrait(sitter))
    figure = (image != portrait(None)).any(axis=2)
    columns = np.flatnonzero(figure.any(axis=0))
    assert abs((columns[0] + columns[-1]) / 2 - W / 2) < W * 0.05
    assert figure.mean() > 0.2  # head and shoulders fill the frame


def test_an_over_the_shoulder_shot_faces_the_speaker_over_the_listeners_shoulder():
    """The planner lists the speaker first ("Patel talking to Al"): they face us on the right, the
    listener is the shoulder in the left foreground."""
    speaker = script_pb2.Character(id="char-patel", name="MRS. PATEL", seed=1, wardrobe="a bright yellow raincoat")
    listener = script_pb2.Character(id="char-al", name="AL", seed=2, wardrobe="a navy coat")
    shot = script_pb2.Shot(id="s01-sh04", framing=script_pb2.FRAMING_OVER_THE_SHOULDER,
                           character_ids=[speaker.id, listener.id])
    image = render_storyboard(script_pb2.ShotBrief(shot=shot, characters=[speaker, listener],
                                                   location="SHOP", setting=script_pb2.SETTING_INTERIOR), 5, 512, 288)
    pixels = image.astype(int)
    yellow = (pixels[..., 0] > 170) & (pixels[..., 1] > 140) & (pixels[..., 2] < 90)
    low = yellow[180:]  # below the shelves' books
    assert low[:, 256:].sum() > 2000 and low[:, :256].sum() < 50  # the speaker's coat, right of centre
