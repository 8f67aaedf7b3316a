"""Timing that depends on real voices: where each spoken line sits in its shot once its true length
is known, and how long the shot must then be. Pure functions, shared by the voicing and the cut."""

from __future__ import annotations

import dataclasses

from filmstudio.v1 import film_pb2, script_pb2

LINE_GAP_S = 0.25  # pause between two consecutive lines in one shot
TAIL_S = 0.35  # breath after the last line before the cut

# (width, height) of the film by resolution and aspect ratio.
_SHORT_SIDE = {film_pb2.RESOLUTION_720P: 720, film_pb2.RESOLUTION_1080P: 1080}
# SDXL's trained buckets: images near one megapixel in these shapes come out best.
_SDXL_SIZE = {film_pb2.ASPECT_RATIO_LANDSCAPE: (1344, 768), film_pb2.ASPECT_RATIO_PORTRAIT: (768, 1344),
              film_pb2.ASPECT_RATIO_SQUARE: (1024, 1024)}


def frame_size(settings: film_pb2.FilmSettings) -> tuple[int, int]:
    """Output width and height for normalised settings (filmstudio.settings.normalize)."""
    short = _SHORT_SIDE[settings.resolution]
    long = short * 16 // 9
    aspect = settings.aspect_ratio
    if aspect == film_pb2.ASPECT_RATIO_PORTRAIT:
        return short, long
    if aspect == film_pb2.ASPECT_RATIO_SQUARE:
        return short, short
    return long, short


def image_size(settings: film_pb2.FilmSettings, backend: str) -> tuple[int, int]:
    """The size to ask an image model for: the frame itself, or SDXL's nearest bucket."""
    if backend == "sdxl":
        return _SDXL_SIZE[settings.aspect_ratio]
    return frame_size(settings)


@dataclasses.dataclass(frozen=True)
class SpokenLine:
    """A line placed in its shot: seconds from the shot's start, and its true length."""

    line: script_pb2.DialogueLine
    offset_s: float
    duration_s: float


def seconds(duration) -> float:
    return duration.seconds + duration.nanos / 1e9


def place_lines(shot: script_pb2.Shot, durations_s: list[float]) -> list[SpokenLine]:
    """Place each line at its planned offset, pushed later if the line before runs long.
    Dual dialogue (two lines at the same planned offset) stays simultaneous."""
    placed: list[SpokenLine] = []
    for line, duration in zip(shot.dialogue, durations_s):
        offset = seconds(line.offset)
        if placed:
            previous = placed[-1]
            simultaneous = line.dual and previous.line.dual and seconds(previous.line.offset) == offset
            if simultaneous:
                offset = previous.offset_s
            else:
                offset = max(offset, max(p.offset_s + p.duration_s for p in placed) + LINE_GAP_S)
        placed.append(SpokenLine(line, offset, duration))
    return placed


def shot_seconds(shot: script_pb2.Shot, placed: list[SpokenLine]) -> float:
    """The shot's screen time: as planned, or longer if its real speech needs it."""
    speech_end = max((p.offset_s + p.duration_s for p in placed), default=0.0)
    return max(seconds(shot.duration), speech_end + TAIL_S if placed else 0.0)
