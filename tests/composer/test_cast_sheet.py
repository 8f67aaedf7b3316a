"""The storyboard sheet shows the cast: a strip under the title, each character's portrait beside their
name and look. A portrait that cannot be read leaves the name alone on its card, never fails the film."""

from __future__ import annotations

import io
import logging

import numpy as np
import pytest
from PIL import Image, ImageDraw

from composer import compose_film
from composer.compose import fetch_cast
from composer.sheets import GAP, PORTRAIT, CastCard, Storyboard, portrait_thumbnail
from composer.timeline import plan_film
from filmstudio.v1 import composer_pb2
from tests.composer.media import cut, seconds, still_png
from tests.composer.test_sheets import frame, sheet_image

MAGENTA, CYAN = (250, 20, 230), (20, 235, 245)  # colours no thumbnail or writing on the sheet comes near
MAYA = "Maya, the keeper: seventy, weathered, long grey hair in a braid, a yellow oilskin over a fisherman's jumper."
THEO = "Theo, the engineer: thirty, clean-shaven, short black hair, a grey suit and a lanyard."
HEAD = GAP + round(22 * 1.6) + GAP  # the title's band


def portrait(colour: tuple[int, int, int], size=(300, 400)) -> Image.Image:
    """A portrait in one distinctive colour, with a darker head so it is not flat."""
    image = Image.new("RGB", size, colour)
    w, h = size
    ImageDraw.Draw(image).ellipse((w * 0.3, h * 0.15, w * 0.7, h * 0.5), fill=tuple(c // 2 for c in colour))
    return image


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def near(image: np.ndarray, colour: tuple[int, int, int], tolerance: int = 30) -> np.ndarray:
    return (np.abs(image - np.array(colour)) <= tolerance).all(axis=-1)


def board(cast=(), width=640, height=360, shots=3) -> Storyboard:
    sheet = Storyboard(width, height, "The Last Keeper", cast)
    for k in range(shots):
        sheet.add(frame(width, height, k), f"{k + 1}. s1-sh0{k + 1}  00:0{k}.0", "Waves break.", ("MAYA: Go.",))
    return sheet


def two_cards(maya=MAGENTA, theo=CYAN) -> list[CastCard]:
    return [CastCard("MAYA", MAYA, portrait_thumbnail(portrait(maya)) if maya else None),
            CastCard("THEO", THEO, portrait_thumbnail(portrait(theo)) if theo else None)]


def test_the_cast_strip_stands_between_the_title_and_the_shots():
    bare, cast = sheet_image(board()), sheet_image(board(two_cards()))
    strip_h = cast.shape[0] - bare.shape[0]
    assert strip_h >= PORTRAIT[1] and cast.shape[1] == bare.shape[1]  # taller, as wide
    # The title and the shots are as they were; the strip is the band inserted between them.
    assert np.array_equal(cast[:HEAD], bare[:HEAD])
    assert np.array_equal(cast[HEAD + strip_h:], bare[HEAD:])
    strip = cast[HEAD:HEAD + strip_h]
    for colour in (MAGENTA, CYAN):  # each portrait, at its full size, in the strip and nowhere else
        ys, xs = np.nonzero(near(strip, colour))
        assert ys.size > 0.5 * PORTRAIT[0] * PORTRAIT[1]
        assert xs.max() - xs.min() + 1 == PORTRAIT[0] and ys.max() - ys.min() + 1 == PORTRAIT[1]
        assert not near(cast[HEAD + strip_h:], colour).any() and not near(cast[:HEAD], colour).any()
    maya_x = np.nonzero(near(strip, MAGENTA))[1].min()
    theo_x = np.nonzero(near(strip, CYAN))[1].min()
    assert maya_x == GAP and theo_x > maya_x + PORTRAIT[0]  # in order of appearance, side by side
    # The words beside each portrait: the name (near-white) and the look (grey, several lines).
    for x in (maya_x, theo_x):
        beside = strip[:, x + PORTRAIT[0] + GAP // 2:x + PORTRAIT[0] + 200]
        assert (beside.min(axis=-1) > 220).sum() > 40  # the name
        inked_rows = np.nonzero((beside.max(axis=-1) > 120).any(axis=1))[0]
        assert inked_rows.max() - inked_rows.min() > 2 * 15  # the name, and its look wrapped under it


def test_the_names_and_looks_are_written_on_the_cards():
    """OCR-free: the same strip with other names or looks is drawn differently, where the words are."""
    base = sheet_image(board(two_cards()))
    renamed = two_cards()
    renamed[1] = CastCard("THEODORE", THEO, renamed[1].portrait)
    relooked = two_cards()
    relooked[0] = CastCard("MAYA", "Someone else entirely.", relooked[0].portrait)
    for other in (renamed, relooked):
        changed = sheet_image(board(other))
        strip_h = min(base.shape[0], changed.shape[0]) - HEAD
        assert not np.array_equal(base[HEAD:HEAD + strip_h], changed[HEAD:HEAD + strip_h])
        assert np.array_equal(base[:HEAD], changed[:HEAD])


def test_a_card_without_a_portrait_shows_the_name_alone():
    with_pictures, without = sheet_image(board(two_cards())), sheet_image(board(two_cards(maya=None)))
    assert without.shape == with_pictures.shape  # the same layout
    assert not near(without, MAGENTA).any() and near(without, CYAN).any()
    strip = without[HEAD:HEAD + without.shape[0] - sheet_image(board()).shape[0]]
    top = np.nonzero(near(strip, CYAN).any(axis=1))[0].min()  # the cards' top, where THEO's picture starts
    blank = strip[top:top + PORTRAIT[1], GAP:GAP + PORTRAIT[0]]
    assert blank.max() < 130  # a dark frame with the initial, in place of the picture
    beside = strip[:, GAP + PORTRAIT[0] + GAP // 2:GAP + PORTRAIT[0] + 200]
    assert (beside.min(axis=-1) > 220).sum() > 40  # MAYA is still written


def test_no_cast_is_today_s_sheet():
    assert board().png() == board([]).png() == board([CastCard("  ", "nobody")]).png()


@pytest.mark.parametrize("width,height,shots", [(360, 640, 1), (640, 360, 1), (480, 480, 8)])
def test_the_strip_fits_any_sheet(width, height, shots, tmp_path):
    cards = two_cards() + [CastCard(f"EXTRA {k}", "A face in the crowd.") for k in range(5)]
    image = sheet_image(board(cards, width, height, shots))
    bare = sheet_image(board((), width, height, shots))
    assert image.shape[1] == bare.shape[1] and image.shape[0] > bare.shape[0] + PORTRAIT[1]
    strip = image[HEAD:HEAD + image.shape[0] - bare.shape[0]]
    assert not (strip[:, -GAP:].max(axis=-1) > 120).any()  # nothing runs off the right edge
    for colour in (MAGENTA, CYAN):
        assert near(strip, colour).sum() > 0.5 * PORTRAIT[0] * PORTRAIT[1]


async def test_fetch_cast_reads_portraits_and_warns_about_the_ones_it_cannot(store, caplog):
    good = await store.put("cast/maya.png", png(portrait(MAGENTA, (512, 512))))
    broken = await store.put("cast/theo.png", b"\x89PNG\r\n\x1a\n not really")
    request = composer_pb2.ComposeFilmRequest(
        cuts=[cut("s1", "img/1.png", 1.0)], output_prefix="films/f",
        format=composer_pb2.OutputFormat(width=320, height=180, fps=24),
        cast_sheet=[composer_pb2.CastCard(name="MAYA", description=MAYA, portrait_uri=good),
                    composer_pb2.CastCard(name="THEO", description="  short   black hair ", portrait_uri=broken),
                    composer_pb2.CastCard(name="ANNIE", portrait_uri=store.uri("cast/nobody.png")),
                    composer_pb2.CastCard(name="AL", portrait_uri="s3://elsewhere/al.png"),
                    composer_pb2.CastCard(name="  "),  # no name: nothing to show
                    composer_pb2.CastCard(name="MAY")])  # no portrait: the name alone, no warning
    plan = plan_film(request)
    assert [(m.name, m.description) for m in plan.cast_sheet] == [
        ("MAYA", MAYA), ("THEO", "short black hair"), ("ANNIE", ""), ("AL", ""), ("MAY", "")]
    with caplog.at_level(logging.WARNING, logger="composer.compose"):
        cards = await fetch_cast(plan, store)
    assert [card.name for card in cards] == ["MAYA", "THEO", "ANNIE", "AL", "MAY"]
    assert cards[0].portrait is not None and cards[0].portrait.size == PORTRAIT
    assert [card.portrait for card in cards[1:]] == [None] * 4
    warned = sorted(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert len(warned) == 3
    assert "AL's portrait s3://elsewhere/al.png cannot be read" in warned[0] and "not in this store" in warned[0]
    assert "ANNIE's portrait" in warned[1] and "does not exist" in warned[1]
    assert "THEO's portrait" in warned[2] and "(not a readable image" in warned[2]


async def test_a_film_with_a_cast_and_a_missing_portrait_is_made_with_its_cast_on_the_sheet(store, caplog):
    still = await store.put("assets/0.png", still_png(320, 180, seed=1))
    maya = await store.put("cast/maya.png", png(portrait(MAGENTA)))
    talk = cut("s1", still, 1.0, subtitles=[composer_pb2.SubtitleCue(text="Where were you?", speaker="MAYA",
                                                                     offset=seconds(0.1), duration=seconds(0.6))])

    async def compose(prefix: str, cast_sheet, names: bool):
        request = composer_pb2.ComposeFilmRequest(
            cuts=[talk], output_prefix=store.uri(prefix) + "/", title="The Last Keeper", cast_sheet=cast_sheet,
            format=composer_pb2.OutputFormat(width=320, height=180, fps=24, srt_speaker_names=names))
        result = await compose_film(request, store, lambda *_: None)
        sheet = np.asarray(Image.open(store.local_path(result.storyboard_uri)).convert("RGB")).astype(int)
        return sheet, store.local_path(result.subtitles_srt_uri).read_text(), result

    bare, plain_srt, _ = await compose("films/bare", [], False)
    with caplog.at_level(logging.WARNING, logger="composer.compose"):
        sheet, named_srt, result = await compose("films/cast", [
            composer_pb2.CastCard(name="MAYA", description=MAYA, portrait_uri=maya),
            composer_pb2.CastCard(name="THEO", description=THEO, portrait_uri=store.uri("cast/theo.png"))], True)
    assert result.frame_count == 24 and store.local_path(result.video_uri).stat().st_size > 0
    assert any("THEO's portrait" in r.getMessage() for r in caplog.records)
    assert sheet.shape[0] > bare.shape[0] + PORTRAIT[1] and near(sheet, MAGENTA).sum() > PORTRAIT[0] * PORTRAIT[1] / 2
    assert "\nWhere were you?\n" in plain_srt and "MAYA" not in plain_srt
    assert "\nMAYA: Where were you?\n" in named_srt
