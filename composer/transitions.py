"""Transitions, played inside the first frames of the incoming cut (they never change the frame count).

- crossfade: the previous shot's last frame dissolves into this shot;
- fade from black: this shot rises out of black (the previous shot cuts to black);
- fade to black / dip to white: the previous shot goes to the colour over the first half, this shot
  comes out of it over the second half.
The first cut of a film has no previous shot: black stands in for it.
"""

from __future__ import annotations

import functools

from PIL import Image

from composer.motion import Planes
from filmstudio.v1 import script_pb2

# Limited-range BT.709 black and white.
BLACK = (16, 128, 128)
WHITE = (235, 128, 128)


@functools.lru_cache(maxsize=8)
def solid(width: int, height: int, yuv: tuple[int, int, int]) -> Planes:
    """A flat colour picture (cached: never draw on it)."""
    return Planes(Image.new("L", (width, height), yuv[0]), Image.new("L", (width // 2, height // 2), yuv[1]),
                  Image.new("L", (width // 2, height // 2), yuv[2]))


def mix(a: Planes, b: Planes, alpha: float) -> Planes:
    """(1 - alpha) * a + alpha * b, plane by plane."""
    if alpha <= 0:
        return a
    if alpha >= 1:
        return b
    return Planes(Image.blend(a.y, b.y, alpha), Image.blend(a.u, b.u, alpha), Image.blend(a.v, b.v, alpha))


def apply(kind: int, i: int, frames: int, incoming: Planes, outgoing: Planes | None) -> Planes:
    """Frame i (0-based) of a `frames`-long transition of `kind` into `incoming`."""
    if frames <= 0 or i >= frames or kind in (script_pb2.TRANSITION_UNSPECIFIED, script_pb2.TRANSITION_CUT):
        return incoming
    w, h = incoming.y.size
    black = solid(w, h, BLACK)
    previous = outgoing if outgoing is not None else black
    t = (i + 1) / (frames + 1)  # strictly between 0 and 1: each transition frame is a true blend
    if kind == script_pb2.TRANSITION_CROSSFADE:
        return mix(previous, incoming, t)
    if kind == script_pb2.TRANSITION_FADE_FROM_BLACK:
        return mix(black, incoming, t)
    colour = black if kind == script_pb2.TRANSITION_FADE_TO_BLACK else solid(w, h, WHITE)
    if outgoing is None and kind == script_pb2.TRANSITION_FADE_TO_BLACK:
        return mix(black, incoming, t)
    if t < 0.5:
        return mix(previous, colour, 2 * t)
    return mix(colour, incoming, 2 * t - 1)
