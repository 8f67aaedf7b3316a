"""Weather over a storyboard frame: rain, snow, fog and storm, drawn after the actors (it falls in
front of them). The sky's greys and a snowy ground are the palette's (inference.palette); this draws
what falls and what veils."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from inference.palette import Palette, mix

FOG = (200, 204, 208)


def veil(image: Image.Image, weather: tuple[str, ...], pal: Palette) -> Image.Image:
    """The set seen through fog (before the actors come in: they stand nearer, and clearer)."""
    if "fog" not in weather:
        return image
    colour = mix(FOG, pal.sky_top, 0.5) if pal.night else FOG
    return Image.blend(image, Image.new("RGB", image.size, colour), 0.5)


def fall(image: Image.Image, weather: tuple[str, ...], pal: Palette, seed: int) -> None:
    """What falls in front of everything: rain streaks, snowflakes, a storm's lightning, a last veil of fog."""
    if not weather:
        return
    streaks(ImageDraw.Draw(image), image.size, weather, pal, seed)
    fog_over(image, weather)


def streaks(draw: ImageDraw.ImageDraw, size: tuple[int, int], weather: tuple[str, ...], pal: Palette,
            seed: int) -> None:
    """What falls, drawn with `draw` over a picture of `size`: lightning, rain, snow (each opaque)."""
    rng = np.random.default_rng(seed)
    w, h = size
    u = h / 720
    if "storm" in weather:
        _lightning(draw, rng, w, h, u)
    if "rain" in weather:
        streak = (190, 200, 215) if not pal.night else (120, 135, 170)
        count = int(w * h / (2600 if "storm" in weather else 4000))
        slant = 0.35 if "storm" in weather else 0.15
        length = 34 * u
        for x, y, k in rng.random((count, 3)):
            x0, y0 = x * (w + length) - length * slant, y * h
            size = length * (0.5 + k)
            draw.line((x0, y0, x0 + size * slant, y0 + size), fill=streak, width=max(1, int(1.6 * u)))
    if "snow" in weather:
        flake = (250, 250, 255) if not pal.night else (200, 205, 225)
        for x, y, k in rng.random((int(w * h / 2600), 3)):
            r = (1.2 + 3.2 * k * k) * u
            draw.ellipse((x * w - r, y * h - r, x * w + r, y * h + r), fill=flake)


def fog_over(image: Image.Image, weather: tuple[str, ...]) -> None:
    """Fog's last veil, over everything (the actors too), in place."""
    if "fog" in weather:
        image.paste(Image.blend(image, Image.new("RGB", image.size, FOG), 0.18))


def _lightning(draw: ImageDraw.ImageDraw, rng: np.random.Generator, w: int, h: int, u: float) -> None:
    x, y = w * (0.2 + 0.6 * rng.random()), 0.0
    points = [(x, y)]
    while y < h * 0.5:
        y += (20 + 40 * rng.random()) * u
        x += (rng.random() - 0.5) * 70 * u
        points.append((x, y))
    draw.line(points, fill=(235, 235, 255), width=max(2, int(5 * u)), joint="curve")
    fork = points[len(points) // 2]
    draw.line([fork, (fork[0] + 60 * u * math.copysign(1, rng.random() - 0.5), fork[1] + 80 * u)],
              fill=(235, 235, 255), width=max(1, int(3 * u)))
