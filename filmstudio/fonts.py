"""The typeface every picture with words in it uses: DejaVu Sans, from Debian's fonts-dejavu-core.

Pillow's built-in font has no É, Ü, Greek or Cyrillic (they come out as boxes); DejaVu covers Latin,
Greek and Cyrillic in full. tools/bootstrap.sh and both images install the package; a machine without
it gets an error naming the package, never boxes. The storyboard's location cards, the composer's
title cards, captions, poster and storyboard sheet all draw with `font` and lay text out with `wrap`
and `fit`, so every service writes a name the same way.
"""

from __future__ import annotations

import dataclasses
import functools
import pathlib

from PIL import ImageFont

PACKAGE = "fonts-dejavu-core"
DIRECTORY = pathlib.Path("/usr/share/fonts/truetype/dejavu")
FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}  # bold -> file


class FontMissing(RuntimeError):
    """The font files are not installed."""


@functools.cache
def font_file(bold: bool = True) -> pathlib.Path:
    """The DejaVu Sans file (bold or book), found once; FontMissing names the package to install."""
    path = DIRECTORY / FILES[bold]
    if not path.is_file():
        raise FontMissing(f"{path} is missing: install the Debian package {PACKAGE} "
                          f"(apt-get install {PACKAGE}; tools/bootstrap.sh does it)")
    return path


@functools.lru_cache(maxsize=64)
def font(size: int, bold: bool = True) -> ImageFont.FreeTypeFont:
    """DejaVu Sans at `size` pixels (bold by default: captions, cards and titles are bold)."""
    return ImageFont.truetype(str(font_file(bold)), max(1, int(size)))


def wrap(text: str, face: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Greedy word wrap to max_width pixels, keeping the writer's own line breaks. A word wider than
    the line stands on a line of its own (fit shrinks the font until it does not)."""
    lines: list[str] = []
    for paragraph in text.splitlines():
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and face.getlength(candidate) > max_width:
                lines.append(line)
                line = word
            else:
                line = candidate
        if line:
            lines.append(line)
    return lines


@dataclasses.dataclass(frozen=True)
class Fitted:
    """Text laid out to fit a box: the font it is drawn in and its lines."""

    face: ImageFont.FreeTypeFont
    size: int
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def fit(text: str, size: int, max_width: float, max_lines: int, bold: bool = True, min_size: int = 8) -> Fitted:
    """The text wrapped to max_width at `size`, shrunk (down to min_size) until it takes at most
    max_lines lines and no line is wider than max_width."""
    size = max(min_size, int(size))
    while True:
        face = font(size, bold)
        lines = wrap(text, face, max_width)
        fits = len(lines) <= max_lines and all(face.getlength(line) <= max_width for line in lines)
        if fits or size <= min_size:
            return Fitted(face, size, lines)
        size = max(min_size, int(size * 0.88))
