"""Subtitles three ways: WebVTT and SRT sidecars, mov_text events for the MP4, and captions burned
into the picture (white with a dark outline, inside the 90 % title-safe area, wrapped to fit)."""

from __future__ import annotations

import functools

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from composer.motion import plane_rows, rgb_to_planes
from composer.timeline import Cue
from filmstudio import fonts
from filmstudio.v1 import composer_pb2

MAX_LINES = 3


def _clock(seconds: float, separator: str) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{separator}{ms:03d}"


# WebVTT cue settings for where a subtitle stands: dual dialogue's speakers each under their half.
_VTT_SETTINGS = {
    composer_pb2.SUBTITLE_POSITION_LEFT: " position:25% size:45% align:center",
    composer_pb2.SUBTITLE_POSITION_RIGHT: " position:75% size:45% align:center",
}


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_webvtt(cues: list[Cue] | tuple[Cue, ...]) -> str:
    """A WebVTT file; a cue with a speaker carries it as a <v> voice span. Lines spoken at once (a
    cue's sides) are cues of their own, on screen together, each where it stands."""
    lines = ["WEBVTT", ""]
    number = 0
    for cue in cues:
        for side in cue.sides or (cue,):
            number += 1
            text = _vtt_escape(side.text)
            text = "\n".join(t for t in text.splitlines() if t.strip())  # a blank line would end the cue
            if side.speaker:
                text = f"<v {_vtt_escape(side.speaker)}>{text}"
            timing = f"{_clock(side.start_s, '.')} --> {_clock(side.end_s, '.')}{_VTT_SETTINGS.get(side.position, '')}"
            lines += [str(number), timing, text, ""]
    return "\n".join(lines)


def to_srt(cues: list[Cue] | tuple[Cue, ...], speaker_names: bool = False) -> str:
    """An SRT file (plain text, numbered from 1); lines spoken at once share one cue, each led by
    its speaker. With speaker_names, every other cue with a speaker is led by it too ("MAYA: ...")."""
    lines = []
    for i, cue in enumerate(cues, 1):
        text = "\n".join(t for t in cue.text.splitlines() if t.strip())
        if speaker_names:
            text = _led_by_speaker(cue, text)
        lines += [str(i), f"{_clock(cue.start_s, ',')} --> {_clock(cue.end_s, ',')}", text, ""]
    return "\n".join(lines)


def _led_by_speaker(cue: Cue, text: str) -> str:
    """The cue's text led by "SPEAKER: ", once: a cue of lines spoken at once has no speaker of its own
    (each of its lines is led by its side's already), and words that begin with the name keep theirs."""
    speaker = " ".join(cue.speaker.split())
    if not speaker or cue.sides or text.casefold().startswith(f"{speaker}:".casefold()):
        return text
    return f"{speaker}: {text}"


# The ASS header the mov_text encoder reads its default style from.
ASS_HEADER = b"""[Script Info]
ScriptType: v4.00+
PlayResX: 384
PlayResY: 288

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, \
Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, \
MarginV, Encoding
Style: Default,Sans,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
"""


def ass_event(cue: Cue, read_order: int) -> bytes:
    """One cue as the ASS event line FFmpeg's text subtitle encoders take."""
    text = cue.text.replace("\\", "/").replace("{", "(").replace("}", ")")
    text = "\\N".join(t for t in text.splitlines() if t.strip())
    speaker = cue.speaker.replace(",", " ")
    return f"{read_order},0,Default,{speaker},0,0,0,,{text}".encode()


@functools.lru_cache(maxsize=8)
def caption_font(size: int) -> ImageFont.FreeTypeFont:
    """The captions' face: filmstudio.fonts' bold DejaVu Sans (every Latin, Greek and Cyrillic letter)."""
    return fonts.font(size)


wrap = fonts.wrap  # greedy word wrap to a width in pixels, keeping the writer's own line breaks


class Caption:
    """A cue drawn once as yuv420p planes plus alpha, pasted onto each frame it covers."""

    def __init__(self, cue: Cue, width: int, height: int) -> None:
        self.cue = cue
        short = min(width, height)
        size = max(12, round(short * 0.05))
        font = caption_font(size)
        stroke = max(2, size // 12)
        safe_w = width * 0.9 - 2 * stroke
        lines = wrap(cue.text, font, safe_w)
        while len(lines) > MAX_LINES and size > 12:  # too long: shrink rather than cover the picture
            size = max(12, round(size * 0.85))
            font, stroke = caption_font(size), max(2, size // 12)
            lines = wrap(cue.text, font, safe_w)
        text = "\n".join(lines)
        probe = ImageDraw.Draw(Image.new("L", (1, 1)))
        left, top, right, bottom = probe.multiline_textbbox((0, 0), text, font=font, align="center",
                                                            stroke_width=stroke, spacing=size // 4)
        box_w = min(width, int(right - left) + 4) // 2 * 2 + 2
        box_h = min(height, int(bottom - top) + 4) // 2 * 2 + 2
        rgba = Image.new("RGBA", (box_w, box_h), (0, 0, 0, 0))
        ImageDraw.Draw(rgba).multiline_text((box_w / 2, box_h / 2), text, font=font, anchor="mm",
                                            align="center", fill=(255, 255, 255, 255), stroke_width=stroke,
                                            stroke_fill=(0, 0, 0, 255), spacing=size // 4)
        # Bottom centre, lifted into the title-safe area (5 % margin each side).
        self.x = (width - box_w) // 2 // 2 * 2
        self.y = max(0, height - round(height * 0.07) - box_h) // 2 * 2
        planes = rgb_to_planes(rgba.convert("RGB"))
        coverage = rgba.getchannel("A")
        alpha = np.asarray(coverage)
        alpha_half = np.asarray(coverage.resize((box_w // 2, box_h // 2), Image.BOX))
        # Per yuv420p plane, precomputed for burn's 8-bit alpha blend: the caption times its coverage
        # (plus 127 to round), one minus the coverage, and where the box goes.
        self.layers = tuple(
            ((pixels * cover.astype(np.uint16) + 127).astype(np.uint16), 255 - cover.astype(np.uint16), x, y)
            for pixels, cover, x, y in ((planes.y, alpha, self.x, self.y),
                                        (planes.u, alpha_half, self.x // 2, self.y // 2),
                                        (planes.v, alpha_half, self.x // 2, self.y // 2)))

    def burn(self, frame: av.VideoFrame) -> None:
        """Draw this caption over the picture in frame (yuv420p), rewriting only the caption's box:
        (picture * (255 - a) + caption * a) / 255."""
        for plane, (caption, uncovered, x, y) in zip(frame.planes, self.layers):
            box = plane_rows(plane)[y:y + caption.shape[0], x:x + caption.shape[1]]
            box[:] = (box * uncovered + caption) // 255  # at most 255 * 255 + 127: uint16 holds it


class CaptionTrack:
    """Which caption (if any) frame i shows; draws each cue once, keeping only the current one."""

    def __init__(self, cues: list[Cue] | tuple[Cue, ...], width: int, height: int, fps: int) -> None:
        self.cues, self.width, self.height, self.fps = list(cues), width, height, fps
        self._current: Caption | None = None

    def at(self, frame_index: int) -> Caption | None:
        t = (frame_index + 0.5) / self.fps
        while self.cues and self.cues[0].end_s <= t:
            self.cues.pop(0)
        if not self.cues or self.cues[0].start_s > t:
            return None
        if self._current is None or self._current.cue is not self.cues[0]:
            self._current = Caption(self.cues[0], self.width, self.height)
        return self._current

