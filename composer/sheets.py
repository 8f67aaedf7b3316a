"""Stills about the film: the poster JPEG and the storyboard contact sheet (one thumbnail per cut,
labelled with the shot and its timecode)."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw

from composer.encode import planes_to_frame
from composer.motion import Planes
from composer.subtitles import caption_font

THUMB_LONG_SIDE = 320
LABEL_H = 28
GAP = 8


def to_rgb(planes: Planes) -> Image.Image:
    """An RGB picture of a yuv420p frame (BT.709, limited range)."""
    return planes_to_frame(planes).to_image()


def poster_jpeg(planes: Planes) -> bytes:
    """The poster: the frame as a quality-90 JPEG."""
    out = io.BytesIO()
    to_rgb(planes).save(out, "JPEG", quality=90, optimize=True)
    return out.getvalue()


class Storyboard:
    """Collects one small thumbnail per cut while the film renders (memory stays small)."""

    def __init__(self, width: int, height: int) -> None:
        scale = THUMB_LONG_SIDE / max(width, height)
        self.thumb = (round(width * scale), round(height * scale))
        self.entries: list[tuple[Image.Image, str]] = []

    def add(self, planes: Planes, label: str) -> None:
        tw, th = self.thumb  # scaled and converted to RGB in one libswscale pass
        thumb = planes_to_frame(planes).reformat(width=tw, height=th, format="rgb24", interpolation="LANCZOS")
        self.entries.append((thumb.to_image(), label))

    def png(self) -> bytes:
        """The contact sheet: rows of thumbnails, each with its label underneath."""
        tw, th = self.thumb
        columns = max(1, min(len(self.entries), 4 if tw >= th else 6))
        rows = max(1, math.ceil(len(self.entries) / columns))
        sheet = Image.new("RGB", (GAP + columns * (tw + GAP), GAP + rows * (th + LABEL_H + GAP)), (24, 24, 24))
        draw = ImageDraw.Draw(sheet)
        font = caption_font(14)
        for i, (thumb, label) in enumerate(self.entries):
            x = GAP + (i % columns) * (tw + GAP)
            y = GAP + (i // columns) * (th + LABEL_H + GAP)
            sheet.paste(thumb, (x, y))
            draw.text((x, y + th + 6), label, font=font, fill=(220, 220, 220))
        out = io.BytesIO()
        sheet.save(out, "PNG", optimize=False)
        return out.getvalue()
