"""The storyboard's stage: the picture a set is drawn into, with the scale of its framing and what its
pieces leave for the next ones (where each stands, the surfaces and water they make), and the
drawing helpers every piece shares (gradients, hills, glows)."""

from __future__ import annotations

import dataclasses
import math
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

from filmstudio.seeds import stable_seed
from filmstudio.v1 import script_pb2
from inference.palette import RGB, Palette

F = script_pb2

Box = tuple[float, float, float, float]


# Where the horizon (or a room's floor line) sits, as a fraction of the frame height, by framing.
HORIZON = {F.FRAMING_EXTREME_WIDE: 0.62, F.FRAMING_WIDE: 0.66, F.FRAMING_MEDIUM: 0.72}


# (person height near the actors, person height on the horizon) as fractions of the frame height.
_DEPTH = {F.FRAMING_EXTREME_WIDE: (0.14, 0.07), F.FRAMING_WIDE: (0.4, 0.12)}


_DEPTH_CLOSE = (0.5, 0.14)  # medium and closer: the set stands behind the actors


def horizon_for(framing: int, height: int) -> int:
    return int(height * HORIZON.get(framing, 0.8))


@dataclasses.dataclass
class Stage:
    """The set being drawn and what its pieces have left for the next ones."""

    image: Image.Image
    draw: ImageDraw.ImageDraw
    pal: Palette
    horizon: int
    seed: int  # the location's: the same layout in every shot of a place
    near: float  # px height of a person near the actors: the props' scale
    far: float  # px height of a person on the horizon: the landmarks' scale
    boxes: dict[str, Box] = dataclasses.field(default_factory=dict)
    surfaces: list[tuple[float, float, float]] = dataclasses.field(default_factory=list)  # x0, x1, top
    taken: list[tuple[float, float]] = dataclasses.field(default_factory=list)  # props' spans
    water: tuple[float, float] | None = None  # top and bottom of the water band
    road: float | None = None  # y where cars stand
    weather: tuple[str, ...] = ()
    backdrop: Image.Image | None = None  # the set before its nearest pieces (inference.sets)

    @property
    def w(self) -> int:
        return self.image.width

    @property
    def h(self) -> int:
        return self.image.height

    @property
    def unit(self) -> float:
        return self.h / 720

    def rng(self, name: str) -> np.random.Generator:
        """A generator for one piece of this set: its shape is the same whatever else is drawn."""
        return np.random.default_rng(stable_seed(self.seed, name))

    def spot(self, name: str, width: float, lo: float = 0.06, hi: float = 0.94) -> float:
        """Where a piece of `width` px stands across the frame: its own place in this set, moved
        aside when another piece already stands there."""
        x = self.w * (lo + (hi - lo) * self.rng(name + "/x").random())
        for _ in range(len(self.taken) + 1):
            clash = next(((a, b) for a, b in self.taken if x - width / 2 < b and x + width / 2 > a), None)
            if clash is None:
                break
            gap = width / 2 + 4 * self.unit
            x = clash[1] + gap if x >= (clash[0] + clash[1]) / 2 else clash[0] - gap
            if not 0 <= x <= self.w:
                x %= self.w
        self.taken.append((x - width / 2, x + width / 2))
        return x

    def covered(self, colour: RGB) -> RGB:
        """A ground's own colour (a field's, a beach's), or the snow's when it snows."""
        return self.pal.ground if "snow" in self.weather else colour

    def line_w(self, px: float) -> int:
        return max(1, int(px * self.unit))


def new_stage(image: Image.Image, pal: Palette, seed: int, framing: int, horizon: int,
               weather: tuple[str, ...]) -> Stage:
    """A stage for a set drawn into `image` at this framing."""
    near, far = _DEPTH.get(framing, _DEPTH_CLOSE)
    # Props near the actors are as wide as they are tall: in a frame narrower than 16:9 they shrink a
    # little, as the actors do (inference.figures fits them to the width), or a car would fill a 9:16 frame.
    narrow = min(1.0, math.sqrt(image.width / image.height / (16 / 9)))
    return Stage(image, ImageDraw.Draw(image), pal, horizon, seed, near * image.height * narrow, far * image.height,
                 weather=weather)


def gradient(width: int, height: int, top: RGB, bottom: RGB) -> Image.Image:
    """A vertical gradient from top to bottom (one column, widened by Pillow: no per-pixel numpy)."""
    t = np.linspace(0.0, 1.0, max(height, 1), dtype=np.float32)[:, None]
    column = np.asarray(top, np.float32) * (1 - t) + np.asarray(bottom, np.float32) * t
    return Image.fromarray(column.astype(np.uint8)[:, None, :], "RGB").resize((max(width, 1), max(height, 1)),
                                                                               Image.NEAREST)


def hills(stage: Stage, colour: RGB, amplitude: float, name: str) -> Box:
    xs = np.linspace(0, stage.w, 9)
    ys = stage.horizon - stage.rng(name + "/hills").random(9) * amplitude * stage.h
    stage.draw.polygon([(0, stage.horizon), *zip(xs.tolist(), ys.tolist()), (stage.w, stage.horizon)], fill=colour)
    return 0, float(ys.min()), stage.w, stage.horizon


@lru_cache(maxsize=1)
def _glow_mask() -> Image.Image:
    r = np.linspace(-1, 1, 96, dtype=np.float32)
    d = np.sqrt(r[None, :] ** 2 + r[:, None] ** 2)
    return Image.fromarray((np.clip(1 - d, 0, 1) ** 2 * 255).astype(np.uint8), "L")


def glow(image: Image.Image, x: float, y: float, r: float, colour: RGB, strength: float) -> None:
    """Light around a source: colour fading out over radius r."""
    size = max(2, int(2 * r))
    mask = _glow_mask().resize((size, size), Image.BILINEAR)
    if strength < 1:
        mask = mask.point(lambda v: int(v * strength))
    image.paste(colour, (int(x - size / 2), int(y - size / 2)), mask)
