"""Storyboard frames: each shot drawn as an animatic panel, deterministically, on the CPU.

The frame is a plain function of the shot brief, the seed and the size, drawn in this order:
1. read the brief (inference.setpieces): the set pieces its action and place name, its weather, its light;
2. the palette (inference.palette): INT/EXT, the light and the weather;
3. the set (inference.sets), laid out by the location so every shot of one place shares it; a close-up
   shows a detail of it behind the face, magnified and soft (which detail, from the shot);
4. the characters (inference.figures): their look from their cast entry (inference.looks), what it
   leaves unsaid from their seed, pose from the shot;
5. the weather falling in front of everything (inference.weather);
6. on the first shot of a scene, the location's card, inside the title-safe area at any aspect;
7. the film's style preset as the last treatment (inference.styles): noir, anime, watercolor...

A portrait brief (ShotBrief.portrait) is not a shot: characters[0] alone, head and shoulders, centred
on a softly lit studio backdrop, in the film's style.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from filmstudio import fonts
from filmstudio.light import light_in
from filmstudio.seeds import stable_seed
from filmstudio.v1 import script_pb2
from inference import figures, sets, setpieces, styles, weather
from inference.palette import RGB, mix, palette_for
from inference.stage import glow, gradient
from inference.signature import check_size

F = script_pb2
# How far a close-up's background is magnified from the set behind it.
DETAIL_ZOOM = {F.FRAMING_CLOSE_UP: 2.4, F.FRAMING_EXTREME_CLOSE_UP: 3.4}
CARD_WIDTH = 0.8  # a location card's text stays in the central 80 %: the camera's moves keep it in view


def brief_from_prompt(prompt: str) -> script_pb2.ShotBrief:
    """A minimal brief for a request without SHOT: INT/EXT and time of day guessed from the prompt words."""
    text = prompt.upper()
    brief = script_pb2.ShotBrief(shot=script_pb2.Shot(prompt=prompt))
    if re.search(r"\b(INTERIOR|INT\.|INSIDE|ROOM|KITCHEN|OFFICE|BEDROOM)\b", text):
        brief.setting = script_pb2.SETTING_INTERIOR
    else:
        brief.setting = script_pb2.SETTING_EXTERIOR
    brief.light = light_in(prompt)
    return brief


def render_storyboard(brief: script_pb2.ShotBrief, seed: int, width: int, height: int) -> np.ndarray:
    """Draw one shot as a storyboard panel: an H x W x 3 uint8 array. Same inputs, same pixels."""
    check_size(width, height)
    # A watercolour is drawn small and washed up to size (inference.styles); the card goes on after.
    scale = styles.drawing_scale(brief.style, height)
    size, (width, height) = (width, height), (width // scale, height // scale)
    if brief.portrait:
        return np.asarray(styles.treat(portrait(brief, seed, width, height), brief.style, size), dtype=np.uint8)
    dressing = setpieces.read(brief)
    palette = palette_for(brief.setting, dressing.light, dressing.weather)
    framing = brief.shot.framing or script_pb2.FRAMING_MEDIUM
    # The shot's own seed: two close-ups of one character in one place (one planned seed) still differ.
    shot_seed = stable_seed(seed, brief.shot.id or brief.shot.description)

    close = framing in DETAIL_ZOOM
    stage = sets.draw_set(dressing, palette, brief.setting, brief.location, width, height,
                          F.FRAMING_MEDIUM if close else framing)
    image = stage.image
    if close:
        image = detail(stage, dressing, DETAIL_ZOOM[framing], shot_seed, figures.looking_side(shot_seed))
    image = weather.veil(image, dressing.weather, palette)
    draw = ImageDraw.Draw(image)
    shore = stage.water[1] if stage.water and not close else None
    figures.draw_characters(draw, list(brief.characters), width, height, stage.horizon, palette, framing, shot_seed,
                            shore)
    if brief.setting != script_pb2.SETTING_INTERIOR:
        weather.fall(image, dressing.weather, palette, shot_seed)
    image = styles.treat(image, brief.style, size)
    if brief.opens_scene and brief.location:
        location_card(image, brief.location.upper())
    # No panel border: the composer moves over the whole still, so a border would slide into view.
    return np.asarray(image, dtype=np.uint8)


# A portrait's backdrop: a studio paper behind the sitter, lit in a soft pool behind the head.
_BACKDROP: tuple[RGB, RGB] = ((132, 138, 146), (70, 74, 82))
_BACKDROP_LIGHT: RGB = (196, 196, 192)


def portrait(brief: script_pb2.ShotBrief, seed: int, width: int, height: int) -> Image.Image:
    """The reference portrait of brief.characters[0]: head and shoulders, centred, in even daylight (the
    cast entry's colours as they are) on a plain backdrop; a close-up framing frames the face tighter."""
    palette = palette_for(script_pb2.SETTING_INTERIOR, script_pb2.TIME_OF_DAY_DAY)
    top, bottom = _BACKDROP
    image = gradient(width, height, top, bottom)
    glow(image, width / 2, height * 0.38, max(width, height) * 0.55, mix(_BACKDROP_LIGHT, top, 0.2), 0.8)
    if brief.characters:
        close = brief.shot.framing in DETAIL_ZOOM
        figures.draw_portrait(ImageDraw.Draw(image), brief.characters[0], width, height, palette, seed, close)
    return image


def detail(stage: sets.Stage, dressing: setpieces.Dressing, zoom: float, shot_seed: int, side: int) -> Image.Image:
    """A close-up's background: part of the set magnified behind the face, soft as if out of focus. It
    frames a piece the action names (else any drawn piece), chosen by the shot, on the `side` of the
    frame the face looks into (-1 left, 1 right), so the face does not hide it."""
    rng = np.random.default_rng(shot_seed)
    w, h = stage.w, stage.h
    wanted = [n.piece.name for n in dressing.pieces if n.in_action and n.piece.name in stage.boxes]
    names = wanted or sorted(stage.boxes)
    zoom *= 0.85 + 0.3 * rng.random()
    cw, ch = w / zoom, h / zoom
    if names:
        x0, y0, x1, y1 = stage.boxes[names[int(rng.integers(len(names)))]]
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    else:
        cx, cy = w * rng.random(), stage.horizon * 0.8
    at = 0.5 + side * (0.2 + 0.1 * rng.random())  # where it shows across the frame
    left = min(max(cx - cw * at, 0.0), w - cw)
    top = min(max(cy - ch * (0.35 + 0.3 * rng.random()), 0.0), h - ch)
    crop = stage.image.crop((int(left), int(top), int(left + cw), int(top + ch)))
    crop = crop.filter(ImageFilter.BoxBlur(max(1, int(2 * h / 720))))
    return crop.resize((w, h), Image.BILINEAR)


def location_card(image: Image.Image, text: str) -> None:
    """The location titled in the lower third: DejaVu (every Latin, Greek and Cyrillic letter), wrapped
    or shrunk to stay inside the central 80 % whatever the aspect, on a dark box of its own size."""
    card = _card(image.size, text)
    band = Image.new("RGBA", card.box[2:], (0, 0, 0, 150))
    image.paste(band, card.box[:2], band)
    card.write(ImageDraw.Draw(image), card.box[:2])


def card_layer(width: int, height: int, text: str) -> tuple[Image.Image, tuple[int, int]]:
    """location_card as a picture of its own (RGBA, the box and its text) and where it goes in a
    width x height frame: the living animatic's title, which the camera does not move (inference.rig)."""
    card = _card((width, height), text)
    image = Image.new("RGBA", card.box[2:], (0, 0, 0, 150))
    card.write(ImageDraw.Draw(image), (0, 0))
    return image, card.box[:2]


@dataclasses.dataclass(frozen=True)
class _Card:
    fitted: fonts.Fitted
    spacing: int
    box: tuple[int, int, int, int]  # left, top, width, height in the frame
    at: tuple[float, float]  # where the text goes from the box's top left

    def write(self, draw: ImageDraw.ImageDraw, box_at: tuple[int, int]) -> None:
        draw.multiline_text((box_at[0] + self.at[0], box_at[1] + self.at[1]), self.fitted.text, font=self.fitted.face,
                            fill=(245, 245, 240), spacing=self.spacing, align="center")


def _card(size: tuple[int, int], text: str) -> _Card:
    width, height = size
    short = min(width, height)
    fitted = fonts.fit(text, max(10, round(short * 0.055)), width * CARD_WIDTH - 2 * short * 0.03, max_lines=2,
                       min_size=6)
    spacing = fitted.size // 4
    left, top, right, bottom = _MEASURE.multiline_textbbox((0, 0), fitted.text, font=fitted.face, spacing=spacing,
                                                           align="center")
    pad = max(2, round(short * 0.02))
    box_w, box_h = int(right - left) + 2 * pad, int(bottom - top) + 2 * pad
    x0 = (width - box_w) // 2
    y0 = min(int(height * 0.82), int(height * 0.9) - box_h)  # the lower third, above the safe bottom
    return _Card(fitted, spacing, (x0, y0, box_w, box_h), (pad - left, pad - top))


_MEASURE = ImageDraw.Draw(Image.new("L", (1, 1)))  # text is measured without a picture to draw in
