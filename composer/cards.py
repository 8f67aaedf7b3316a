"""Title cards: a cut whose card_text the composer draws, the words on black, centred, in the film's one
typeface (filmstudio.fonts). The card is a still like any other: the camera moves over it and the
transitions play into and out of it, so it costs the renderer nothing per frame that a still does not.

The words keep inside the central 80 % of the frame: inside the 90 % title-safe area with room for the
camera, whose push-ins and pans take up to ~7 % off a side (composer.motion).
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from filmstudio import fonts

CARD_AREA = 0.8  # of the frame's width and height the words may take
INK = (242, 240, 232)  # a warm white, as film titles are


def card_still(text: str, width: int, height: int) -> Image.Image:
    """The card as an RGB still of the frame's size: the words wrapped (the writer's own line breaks
    kept) and shrunk until they fit, centred on black."""
    image = Image.new("RGB", (width, height), (0, 0, 0))
    short = min(width, height)
    box_w, box_h = width * CARD_AREA, height * CARD_AREA
    size = max(12, round(short * 0.08))
    draw = ImageDraw.Draw(image)
    while True:
        fitted = fonts.fit(text, size, box_w, max_lines=8, min_size=10)
        spacing = fitted.size // 3
        left, top, right, bottom = draw.multiline_textbbox((0, 0), fitted.text, font=fitted.face, spacing=spacing,
                                                           align="center")
        if bottom - top <= box_h or fitted.size <= 10:
            break
        size = max(10, int(fitted.size * 0.88))  # too tall for the frame (a 9:16 card is narrow but tall enough)
    draw.multiline_text(((width - (right - left)) / 2 - left, (height - (bottom - top)) / 2 - top), fitted.text,
                        font=fitted.face, fill=INK, spacing=spacing, align="center")
    return image
