"""Stills about the film: the poster JPEG (the film's longest picture, billed with its title and cast) and
the storyboard contact sheet (the title; the cast, each character's portrait beside their name and look;
then one thumbnail per cut with its shot and timecode, and the shot's action and dialogue written under
it). Both are drawn once, beside the render, never per frame."""

from __future__ import annotations

import dataclasses
import io
import math
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont, ImageOps

from composer.encode import planes_to_frame
from composer.motion import Planes
from filmstudio import fonts

THUMB_LONG_SIDE = 320
GAP = 8
TEXT_SIZE = 13  # px, the sheet's writing
ACTION_LINES, DIALOGUE_LINES = 4, 4  # at most, under a thumbnail
BILLING_AREA = 0.8  # the poster's words keep inside the central 80 %, well inside the title-safe area
INK, SHADOW = (246, 244, 236), (0, 0, 0)
PORTRAIT = (90, 120)  # px, a cast card's picture (3:4, a head and shoulders)
CAST_CARD_W = 320  # px at most, a cast card: the portrait, and beside it the name and look
CAST_LINES = 5  # at most, of a character's look


@dataclasses.dataclass(frozen=True)
class CastCard:
    """One character on the storyboard sheet: name, look in words and portrait (None: the name alone)."""

    name: str
    description: str = ""
    portrait: Image.Image | None = None


def portrait_thumbnail(image: Image.Image) -> Image.Image:
    """A portrait cut to the cast card's picture: filled (cropped, not squashed), keeping the upper middle
    where a face is."""
    return ImageOps.fit(image.convert("RGB"), PORTRAIT, Image.Resampling.LANCZOS, centering=(0.5, 0.35))


def to_rgb(planes: Planes) -> Image.Image:
    """An RGB picture of a yuv420p frame (BT.709, limited range)."""
    return planes_to_frame(planes).to_image()


def poster_jpeg(planes: Planes, title: str = "", cast: Sequence[str] = ()) -> bytes:
    """The poster: the frame billed with the film's title and cast, as a quality-90 JPEG."""
    image = to_rgb(planes)
    bill(image, title.strip(), [name for name in cast if name.strip()])
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, optimize=True)
    return out.getvalue()


def bill(image: Image.Image, title: str, cast: Sequence[str]) -> None:
    """Print the title and, above it, the cast in order of appearance over the lower part of the frame,
    on a shade that darkens towards the bottom so that they read over any picture."""
    if not title and not cast:
        return
    width, height = image.size
    short = min(width, height)
    box_w = width * BILLING_AREA
    draw = ImageDraw.Draw(image)
    blocks = []  # the cast, then the title, from the top down
    if cast:
        blocks.append(fonts.fit("  ·  ".join(cast), round(short * 0.045), box_w, max_lines=2, bold=False, min_size=9))
    if title:
        blocks.append(fonts.fit(title, round(short * 0.12), box_w, max_lines=3, min_size=12))
    sizes = [_text_box(draw, block) for block in blocks]
    gap = round(short * 0.03)
    total = sum(h for _, h in sizes) + gap * (len(blocks) - 1)
    y = height * (1 + BILLING_AREA) / 2 - total  # the last line sits on the safe area's bottom
    _shade(image, int(max(0, y - short * 0.15)))
    for block, (w, h) in zip(blocks, sizes):
        x = (width - w) / 2
        offset = max(1, block.size // 18)
        for colour, (dx, dy) in ((SHADOW, (offset, offset)), (INK, (0, 0))):
            _draw_block(draw, block, x + dx, y + dy, colour)
        y += h + gap


def _text_box(draw: ImageDraw.ImageDraw, block: fonts.Fitted) -> tuple[int, int]:
    left, top, right, bottom = draw.multiline_textbbox((0, 0), block.text, font=block.face, align="center",
                                                       spacing=block.size // 4)
    return int(right - left), int(bottom - top)


def _draw_block(draw: ImageDraw.ImageDraw, block: fonts.Fitted, x: float, y: float, colour) -> None:
    left, top, _, _ = draw.multiline_textbbox((0, 0), block.text, font=block.face, align="center",
                                              spacing=block.size // 4)
    draw.multiline_text((x - left, y - top), block.text, font=block.face, fill=colour, align="center",
                        spacing=block.size // 4)


def _shade(image: Image.Image, top: int) -> None:
    """Darken the frame from `top` down: a ramp into a near-black band behind the billing (which also
    hides whatever words the picture itself carries there, such as a storyboard's location card)."""
    height = image.height - top
    if height <= 0:
        return
    ramp = Image.linear_gradient("L").resize((1, height)).point(lambda v: int(min(1.0, v / 255 / 0.6) * 230))
    image.paste((0, 0, 0), (0, top, image.width, image.height), ramp.resize((image.width, height)))


class Storyboard:
    """Collects one small thumbnail per cut while the film renders (memory stays small)."""

    def __init__(self, width: int, height: int, title: str = "", cast: Sequence[CastCard] = ()) -> None:
        scale = THUMB_LONG_SIDE / max(width, height)
        self.thumb = (round(width * scale), round(height * scale))
        self.title = title.strip()
        self.cast = [card for card in cast if card.name.strip()]
        self.entries: list[tuple[Image.Image, str, str, tuple[str, ...]]] = []

    def add(self, planes: Planes, label: str, action: str = "", lines: Sequence[str] = ()) -> None:
        """A cut's thumbnail, its label (shot and timecode), its action and its dialogue."""
        tw, th = self.thumb  # scaled and converted to RGB in one libswscale pass
        thumb = planes_to_frame(planes).reformat(width=tw, height=th, format="rgb24", interpolation="LANCZOS")
        self.entries.append((thumb.to_image(), label, action, tuple(lines)))

    def png(self) -> bytes:
        """The contact sheet: the title, the cast strip, then rows of thumbnails, each with its label,
        action and dialogue underneath, wrapped to the thumbnail's width."""
        tw, th = self.thumb
        columns = max(1, min(len(self.entries), 4 if tw >= th else 6))
        label_face, text_face = fonts.font(TEXT_SIZE + 1), fonts.font(TEXT_SIZE, bold=False)
        line_h = round(TEXT_SIZE * 1.35)
        captions = [self._caption(label, action, lines, label_face, text_face, tw)
                    for _, label, action, lines in self.entries]
        rows = [captions[r * columns:(r + 1) * columns] for r in range(math.ceil(len(captions) / columns))] or [[]]
        row_h = [th + 6 + line_h * max((len(c) for c in row), default=1) + GAP for row in rows]
        head = round(22 * 1.6) + GAP if self.title else 0
        width = GAP + columns * (tw + GAP)
        strip = _CastStrip(self.cast, width, label_face, text_face, line_h)
        sheet = Image.new("RGB", (width, GAP + head + strip.height + sum(row_h)), (24, 24, 24))
        draw = ImageDraw.Draw(sheet)
        if self.title:
            fitted = fonts.fit(self.title, 22, width - 2 * GAP, max_lines=1, min_size=12)
            draw.text((GAP, GAP), fitted.text, font=fitted.face, fill=(240, 240, 240))
        strip.draw(sheet, draw, GAP + head)
        y = GAP + head + strip.height
        for r, row in enumerate(rows):
            for c, caption in enumerate(row):
                thumb = self.entries[r * columns + c][0]
                x = GAP + c * (tw + GAP)
                sheet.paste(thumb, (x, y))
                for k, (text, face, colour) in enumerate(caption):
                    draw.text((x, y + th + 6 + k * line_h), text, font=face, fill=colour)
            y += row_h[r]
        out = io.BytesIO()
        sheet.save(out, "PNG", optimize=False)
        return out.getvalue()

    @staticmethod
    def _caption(label: str, action: str, lines: tuple[str, ...], label_face: ImageFont.FreeTypeFont,
                 text_face: ImageFont.FreeTypeFont, width: int) -> list[tuple[str, ImageFont.FreeTypeFont, tuple]]:
        """The lines written under one thumbnail: its label, its action (grey) and its dialogue (amber)."""
        out = [(_clip(label, label_face, width), label_face, (225, 225, 225))]
        out += [(text, text_face, (180, 180, 180)) for text in _at_most(action, text_face, width, ACTION_LINES)]
        said = "\n".join(lines)
        out += [(text, text_face, (235, 205, 130)) for text in _at_most(said, text_face, width, DIALOGUE_LINES)]
        return out


class _CastStrip:
    """The sheet's cast: a heading, then a card per character, as many to a row as the sheet is wide.
    A card is the portrait (or, without one, a blank frame with the name's initial), and beside it the
    name and the character's look, wrapped to the card. No cast: no strip (height 0)."""

    HEADING = "CAST"

    def __init__(self, cast: Sequence[CastCard], width: int, name_face: ImageFont.FreeTypeFont,
                 text_face: ImageFont.FreeTypeFont, line_h: int) -> None:
        self.cast, self.name_face, self.line_h = list(cast), name_face, line_h
        inner = width - GAP
        self.per_row = max(1, inner // (min(CAST_CARD_W, inner - GAP) + GAP))
        self.card_w = inner // self.per_row - GAP  # the row shared out evenly (a landscape sheet's columns)
        self.text_x = PORTRAIT[0] + GAP if self.card_w - PORTRAIT[0] - GAP >= 120 else 0  # narrow: text below
        text_w = self.card_w - self.text_x
        self.words = [(_clip(card.name.strip(), name_face, text_w),
                       _at_most(card.description, text_face, text_w, CAST_LINES)) for card in self.cast]
        self.text_face = text_face
        card_h = [self._text_top() + line_h * (1 + len(look)) if self.text_x == 0
                  else max(PORTRAIT[1], line_h * (1 + len(look))) for _, look in self.words]
        rows = range(0, len(self.cast), self.per_row)
        self.row_h = [max(card_h[r:r + self.per_row]) + GAP for r in rows]
        self.height = line_h + sum(self.row_h) + GAP if self.cast else 0

    def _text_top(self) -> int:
        return 0 if self.text_x else PORTRAIT[1] + 4

    def draw(self, sheet: Image.Image, draw: ImageDraw.ImageDraw, top: int) -> None:
        if not self.cast:
            return
        draw.text((GAP, top), self.HEADING, font=self.text_face, fill=(150, 150, 150))
        y = top + self.line_h
        for r, row_h in enumerate(self.row_h):
            for c, index in enumerate(range(r * self.per_row, min(len(self.cast), (r + 1) * self.per_row))):
                x = GAP + c * (self.card_w + GAP)
                self._portrait(sheet, draw, self.cast[index], x, y)
                name, look = self.words[index]
                tx, ty = x + self.text_x, y + self._text_top()
                draw.text((tx, ty), name, font=self.name_face, fill=(240, 240, 240))
                for k, text in enumerate(look, 1):
                    draw.text((tx, ty + k * self.line_h), text, font=self.text_face, fill=(180, 180, 180))
            y += row_h
        rule = y + GAP // 2 - 1  # a hairline between the cast and the shots
        draw.line((GAP, rule, sheet.width - GAP - 1, rule), fill=(60, 60, 60))

    @staticmethod
    def _portrait(sheet: Image.Image, draw: ImageDraw.ImageDraw, card: CastCard, x: int, y: int) -> None:
        pw, ph = PORTRAIT
        if card.portrait is not None:
            picture = card.portrait if card.portrait.size == PORTRAIT else portrait_thumbnail(card.portrait)
            sheet.paste(picture.convert("RGB"), (x, y))
            return
        draw.rectangle((x, y, x + pw - 1, y + ph - 1), fill=(40, 40, 40), outline=(72, 72, 72))
        draw.text((x + pw / 2, y + ph / 2), card.name.strip()[:1].upper(), font=fonts.font(40),
                  fill=(110, 110, 110), anchor="mm")


def _at_most(text: str, face: ImageFont.FreeTypeFont, width: float, count: int) -> list[str]:
    """The text wrapped to `width`, at most `count` lines; an ellipsis ends it when it runs on."""
    lines = fonts.wrap(text, face, width)
    if len(lines) > count:
        lines = lines[:count]
        lines[-1] = _clip(lines[-1] + " …", face, width)
    return [_clip(line, face, width) for line in lines]


def _clip(text: str, face: ImageFont.FreeTypeFont, width: float) -> str:
    """The text cut to `width` pixels, ending in an ellipsis if anything was cut."""
    if face.getlength(text) <= width:
        return text
    base = text.removesuffix("…").rstrip()
    while base and face.getlength(base + "…") > width:
        base = base[:-1].rstrip()
    return base + "…"
