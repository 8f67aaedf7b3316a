"""Transitions, played inside the first frames of the incoming cut (they never change the frame count).

- crossfade: the previous shot's last frame dissolves into this shot;
- fade from black: this shot rises out of black (the previous shot cuts to black);
- fade to black / dip to white: the previous shot goes to the colour over the first half, this shot
  comes out of it over the second half.
The first cut of a film has no previous shot: black stands in for it.
"""

from __future__ import annotations

import functools

import numpy as np

from composer.motion import Planes
from filmstudio.v1 import script_pb2

# Limited-range BT.709 black and white.
BLACK = (16, 128, 128)
WHITE = (235, 128, 128)


@functools.lru_cache(maxsize=8)
def solid(width: int, height: int, yuv: tuple[int, int, int]) -> Planes:
    """A flat colour picture (cached and read-only)."""
    planes = Planes(np.full((height, width), yuv[0], np.uint8), np.full((height // 2, width // 2), yuv[1], np.uint8),
                    np.full((height // 2, width // 2), yuv[2], np.uint8))
    for plane in (planes.y, planes.u, planes.v):
        plane.flags.writeable = False
    return planes


def _blend(a: np.ndarray, b: np.ndarray, alpha: float) -> np.ndarray:
    """(1 - alpha) * a + alpha * b in 8-bit fixed point (alpha in 1/256 steps; equal pixels stay equal)."""
    k = round(alpha * 256)
    return ((a.astype(np.uint16) * (256 - k) + b.astype(np.uint16) * k + 128) >> 8).astype(np.uint8)


def mix(a: Planes, b: Planes, alpha: float) -> Planes:
    """(1 - alpha) * a + alpha * b, plane by plane."""
    if alpha <= 0:
        return a
    if alpha >= 1:
        return b
    return Planes(_blend(a.y, b.y, alpha), _blend(a.u, b.u, alpha), _blend(a.v, b.v, alpha))


def apply(kind: int, i: int, frames: int, incoming: Planes, outgoing: Planes | None) -> Planes:
    """Frame i (0-based) of a `frames`-long transition of `kind` into `incoming`."""
    if frames <= 0 or i >= frames or kind in (script_pb2.TRANSITION_UNSPECIFIED, script_pb2.TRANSITION_CUT):
        return incoming
    w, h = incoming.size
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
