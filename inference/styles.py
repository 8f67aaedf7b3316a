"""The film's style preset (filmstudio.settings.STYLES) as the storyboard's last treatment of a frame:
the drawn frame is graded, softened, outlined or grained the way the preset looks.

- cinematic: the frame as drawn (the renderer's own look: the default);
- noir: monochrome, hard-lit: a steep tone curve that crushes the shadows, a heavy vignette, grain;
- anime: saturated flat colours inside clean dark outlines;
- watercolor: soft washes on paper: drawn small and washed up to size, muted and lifted towards the
  paper's tone, with its grain;
- documentary: natural and a little desaturated, flatter contrast, film grain and a light vignette.

Every step is a Pillow operation on the whole frame (C loops, no per-pixel Python), as few full-colour
ones as the look allows (grey work is a third the cost), and what a size needs (grain and vignette,
paper) is made once per size: a treatment costs a few milliseconds a 720p frame.
The same frame and style give the same pixels.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image, ImageChops, ImageFilter

from filmstudio.settings import DEFAULT_STYLE, STYLES

PAPER = (243, 235, 218)  # watercolour paper, warm off-white
INK = (28, 22, 34)  # anime's outlines


def treat(image: Image.Image, style: str, size: tuple[int, int], frame: tuple[int, int] | None = None,
          at: tuple[int, int] = (0, 0)) -> Image.Image:
    """The frame in the style's look, at `size` (a watercolour's is drawn smaller: drawing_scale); a
    style not in STYLES (or none) is drawn as the default. With `frame`, `image` is the part of a frame
    of that size (treated) lying at `at` there, and gets the frame's own grain, vignette and paper: a
    part treated so matches the whole frame's treatment but within a few pixels of its edges, where the
    outlines and the wash would need what lies outside it."""
    style = style if style in STYLES else DEFAULT_STYLE
    place = (frame or size, at)
    if style == "watercolor":
        return _watercolor(image, size, place)
    if style == "noir":
        return _noir(image, place)
    if style == "anime":
        return _anime(image)
    if style == "documentary":
        return _documentary(image, place)
    return image


def drawing_scale(style: str, height: int) -> int:
    """How many times smaller the frame is drawn before its treatment: a watercolour is drawn small and
    washed up to size, so every edge bleeds (and drawing it costs less than drawing it sharp)."""
    return 2 if style == "watercolor" and height >= 96 else 1


def bleed(style: str, height: int) -> int:
    """How many pixels a style's treatment of a frame `height` tall reaches past a drawn edge, up and to
    the left of it: anime's outline (its width) falls on the pixels before the step. 0 for the others."""
    if style != "anime":
        return 0
    return 2 if height >= 480 else 1


Place = tuple[tuple[int, int], tuple[int, int]]  # the whole frame's size, and where the picture lies in it


def _part(pattern: Image.Image, size: tuple[int, int], place: Place) -> Image.Image:
    """The piece of a whole frame's pattern (grain, paper) under a picture of `size` at its place."""
    if pattern.size == size:
        return pattern
    x, y = place[1]
    return pattern.crop((x, y, x + size[0], y + size[1]))


def _noir(image: Image.Image, place: Place) -> Image.Image:
    grey = ImageChops.add(image.convert("L").point(_NOIR_CURVE), _part(_film(place[0], 7, 110), image.size, place),
                          1.0, -128)
    return Image.merge("RGB", (grey, grey, grey))


def _anime(image: Image.Image) -> Image.Image:
    # Outlines where the drawing's brightness steps (a polygon's edge), not along a sky's gradient.
    grey = image.convert("L")
    w, h = image.size
    reach = bleed("anime", h)  # the line's width
    across = ImageChops.difference(grey, grey.crop((reach, 0, w + reach, h)))
    down = ImageChops.difference(grey, grey.crop((0, reach, w, h + reach)))
    edges = ImageChops.lighter(across, down)
    edges.paste(0, (w - reach, 0, w, h))  # the crop's padding past the frame's edge is no outline
    edges.paste(0, (0, h - reach, w, h))
    ink = edges.point(_INK)
    # Saturated: the colour pushed away from its grey. (The drawing's own fills are flat already:
    # stepping every channel as well would cost more than the rest together.)
    cel = Image.blend(Image.merge("RGB", (grey, grey, grey)), image, 1.5)
    return ImageChops.darker(cel, Image.merge("RGB", (ink, ink, ink)))


def _watercolor(image: Image.Image, size: tuple[int, int], place: Place) -> Image.Image:
    # The frame was drawn small (drawing_scale): blurred a little there and washed up to size, each
    # edge bleeds; blended with the paper (its tone and grain), the colours mute and the darks lift.
    wash = image.filter(ImageFilter.BoxBlur(1))
    wash = wash.resize(size, Image.BILINEAR) if wash.size != size else wash
    return Image.blend(wash, _part(_paper(place[0]), size, place), 0.3)


def _documentary(image: Image.Image, place: Place) -> Image.Image:
    # A third of the colour is replaced by its grey, and the grey carries the grain, the vignette and
    # the flatter curve: one full-colour operation for all of it.
    grey = ImageChops.add(image.convert("L").point(_FLAT_CURVE), _part(_film(place[0], 14, 150), image.size, place),
                          1.0, -128)
    return Image.blend(image, Image.merge("RGB", (grey, grey, grey)), 0.32)


def _curve(f) -> list[int]:
    x = np.arange(256, dtype=np.float64) / 255
    return [int(v) for v in np.clip(np.round(f(x) * 255), 0, 255)]


# Noir's tone curve: the shadows crushed to black below a tenth, a steep middle, the lights held.
_NOIR_CURVE = _curve(lambda x: 1 / (1 + np.exp(-6.5 * (np.clip((x - 0.08) / 0.92, 0, 1) - 0.42))))
# Anime's ink: where the brightness steps by more than a tenth, the line (dark); elsewhere white, which
# `darker` leaves alone.
_INK = [28 if v > 26 else 255 for v in range(256)]
# Documentary: the blacks lifted and the whites eased, as film records them.
_FLAT_CURVE = _curve(lambda x: 0.12 + 0.75 * x)


@lru_cache(maxsize=8)
def _film(size: tuple[int, int], grain: int, vignette: int) -> Image.Image:
    """Film grain and a vignette in one L image to add with an offset of -128: 128 plus the grain,
    less up to `vignette` levels towards the corners. The same for every frame of a size."""
    w, h = size
    y, x = np.ogrid[-1:1:h * 1j, -1:1:w * 1j]
    falloff = np.clip((x * x + y * y) / 2, 0, 1) ** 1.5
    noise = np.random.default_rng(12).normal(0, grain, (h, w))
    return Image.fromarray(np.clip(128 + noise - vignette * falloff, 0, 255).astype(np.uint8), "L")


@lru_cache(maxsize=8)
def _paper(size: tuple[int, int]) -> Image.Image:
    """Watercolour paper: its warm tone, with a fine tooth and soft blotches."""
    w, h = size
    rng = np.random.default_rng(7)
    tooth = rng.normal(0, 1, (h, w))
    blotch = np.asarray(Image.fromarray((rng.random((max(h // 24, 2), max(w // 24, 2))) * 255).astype(np.uint8), "L")
                        .resize((w, h), Image.BICUBIC), dtype=np.float64) / 255
    shade = (1 - 0.03 * tooth - 0.07 * blotch)[..., None]
    return Image.fromarray(np.clip(np.asarray(PAPER, np.float64) * shade, 0, 255).astype(np.uint8), "RGB")
