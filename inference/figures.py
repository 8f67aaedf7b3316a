"""The storyboard's actors: each character a figure whose colours and build come from their seed alone
(the same in every shot), posed per shot (which way the face turns, how the head tilts, the mouth and
brows, where the light falls: from the shot's own seed), placed and scaled by the framing.

Figures stand inside the central 80 % of the frame's width, whatever its aspect: inside the 90 %
title-safe box with room to spare for the composer's camera, whose pans and push-ins take up to ~7 %
off one side (composer.motion). Too many or too wide for that at this aspect (a two-shot at 9:16),
they are drawn smaller rather than cut off.
"""

from __future__ import annotations

import colorsys
import dataclasses
import math

import numpy as np
from PIL import ImageDraw

from filmstudio.seeds import stable_seed
from filmstudio.v1 import script_pb2
from inference.palette import RGB, Palette, mix

F = script_pb2
SAFE = 0.8  # the share of the frame's width the figures stand in

_SKINS: tuple[RGB, ...] = ((255, 224, 196), (234, 192, 160), (198, 145, 105), (141, 96, 66), (96, 62, 42))
_HAIRS: tuple[RGB, ...] = ((30, 24, 20), (90, 60, 35), (180, 140, 80), (140, 40, 25), (200, 200, 200))

# Standing height of a figure, as a fraction of the frame height, by framing.
SCALE = {
    F.FRAMING_EXTREME_WIDE: 0.16,
    F.FRAMING_WIDE: 0.5,
    F.FRAMING_MEDIUM: 1.55,
    F.FRAMING_CLOSE_UP: 3.6,
    F.FRAMING_EXTREME_CLOSE_UP: 7.5,
    F.FRAMING_OVER_THE_SHOULDER: 1.55,
}
CLOSE = (F.FRAMING_CLOSE_UP, F.FRAMING_EXTREME_CLOSE_UP)


@dataclasses.dataclass(frozen=True)
class Figure:
    """How one character is drawn, derived from their seed alone."""

    colour: RGB  # clothes
    skin: RGB
    hair: RGB
    build: float  # shoulder width relative to height
    height: float  # relative to the average figure
    hat: bool

    def half_width(self, h: float) -> float:
        """Half the width of the figure drawn h tall: its shoulders, hair or hat brim, whichever is widest."""
        return max(h * self.build / 2, self.head_half_width(h))

    def head_half_width(self, h: float) -> float:
        """Half the width of its head drawn h tall: the hair, or the hat's brim."""
        return h * 0.13 * (1.1 if self.hat else 0.85)


def figure_for(character: script_pb2.Character) -> Figure:
    """A character's figure: same seed, same figure in every shot and every film render."""
    seed = character.seed or stable_seed(character.id or character.name)
    rng = np.random.default_rng(seed & 0xFFFFFFFFFFFFFFFF)
    hue = rng.random()
    r, g, b = colorsys.hsv_to_rgb(hue, 0.55 + 0.35 * rng.random(), 0.55 + 0.4 * rng.random())
    return Figure(
        colour=(int(r * 255), int(g * 255), int(b * 255)),
        skin=_SKINS[int(rng.integers(len(_SKINS)))],
        hair=_HAIRS[int(rng.integers(len(_HAIRS)))],
        build=0.26 + 0.1 * rng.random(),
        height=0.9 + 0.2 * rng.random(),
        hat=bool(rng.random() < 0.25),
    )


@dataclasses.dataclass(frozen=True)
class Pose:
    """How a figure holds itself in one shot."""

    yaw: float  # -1 (face turned to frame left) .. 1 (to frame right)
    tilt: float  # head tilt, radians
    mouth: str  # "neutral", "smile", "open" or "frown"
    brows: str  # "flat", "raised" or "knit"
    gaze: float  # where the eyes look, -1 .. 1
    key: int  # the side the light comes from: -1 (left) or 1 (right)

    @property
    def facing(self) -> int:
        return 1 if self.yaw > 0.05 else -1 if self.yaw < -0.05 else 0


FRONT = Pose(0.0, 0.0, "neutral", "flat", 0.0, 1)
_MOUTHS = ("neutral", "smile", "open", "frown")
_BROWS = ("flat", "raised", "knit")


def pose_for(shot_seed: int, character: script_pb2.Character) -> Pose:
    """The character's pose in one shot: same shot, same pose; another shot of them, most likely another."""
    rng = np.random.default_rng(stable_seed(shot_seed, character.id or character.name))
    return Pose(yaw=float(rng.choice((-0.6, -0.35, -0.15, 0.15, 0.35, 0.6))), tilt=float((rng.random() - 0.5) * 0.3),
                mouth=_MOUTHS[int(rng.integers(4))], brows=_BROWS[int(rng.integers(3))],
                gaze=float(rng.random() * 2 - 1), key=int(rng.choice((-1, 1))))


def draw_characters(draw: ImageDraw.ImageDraw, characters: list[script_pb2.Character], width: int, height: int,
                    horizon: int, palette: Palette, framing: int, shot_seed: int, shore: float | None = None) -> None:
    """Every character of the shot, placed for its framing inside the safe width; in a wide shot with
    water in it they stand on the `shore` (the y where the water ends), not on the sea."""
    if not characters:
        return
    rng = np.random.default_rng(shot_seed & 0xFFFFFFFFFFFFFFFF)
    size = SCALE.get(framing, SCALE[F.FRAMING_MEDIUM]) * height
    left, safe = width * (1 - SAFE) / 2, width * SAFE
    if framing in CLOSE:
        _close_up(draw, characters[0], width, height, palette, framing, size, shot_seed)
        return
    if framing == F.FRAMING_OVER_THE_SHOULDER and len(characters) >= 2:
        # The listener faces us across the frame; the first character is a dark shoulder in the foreground.
        listener = figure_for(characters[1])
        x = width * 0.66
        h = min(size * 0.8, (min(x - left, left + safe - x) / listener.half_width(1.0)))
        _figure(draw, listener, x, height * 0.2, h, palette, pose_for(shot_seed, characters[1]))
        _figure(draw, figure_for(characters[0]), width * 0.18, height * 0.42, size * 1.5, palette, None)
        return
    figures = [figure_for(c) for c in characters]
    slot = safe / len(figures)
    # One scale for all, so that who is taller stays true: the widest must fit its slot.
    scale = min(1.0, min(slot * 0.45 / f.half_width(size * f.height) for f in figures))
    for index, (character, figure) in enumerate(zip(characters, figures)):
        x = left + slot * (index + 0.5) + (rng.random() - 0.5) * slot * 0.1
        h = size * figure.height * scale
        if framing in (F.FRAMING_EXTREME_WIDE, F.FRAMING_WIDE):
            feet = horizon + (height - horizon) * (0.35 if framing == F.FRAMING_WIDE else 0.1)
            if shore is not None:
                feet = max(feet, shore + (height - shore) * 0.4)
            top = feet - h
        else:
            top = height * 0.14
        _figure(draw, figure, x, top, h, palette, pose_for(shot_seed, character))


def looking_side(shot_seed: int) -> int:
    """The side of a close-up's frame the face looks into (-1 left, 1 right): the face stands on the other
    third, and the set's detail behind it shows on this one (inference.storyboard)."""
    return 1 if stable_seed(shot_seed, "looking") % 2 else -1


def _close_up(draw: ImageDraw.ImageDraw, character: script_pb2.Character, width: int, height: int, palette: Palette,
              framing: int, size: float, shot_seed: int) -> None:
    """One face fills a close-up, on a third of the frame with room to look into (centred when tall)."""
    side = looking_side(shot_seed)
    figure, pose = figure_for(character), pose_for(shot_seed, character)
    pose = dataclasses.replace(pose, yaw=math.copysign(max(abs(pose.yaw), 0.15), side))
    h = size * figure.height
    # The head's half width, and how far its tilt (about the neck, ~1.9 heads below its top) swings it.
    def half(h: float) -> float:
        return figure.head_half_width(h) + abs(pose.tilt) * 1.9 * h * 0.13

    h *= min(1.0, width * SAFE / (2 * half(h)))  # the whole head stays in the safe width
    third = 0.16 if width > height * 1.1 else 0.06
    x = width * (0.5 - side * third)
    x = min(max(x, width * (1 - SAFE) / 2 + half(h)), width * (1 + SAFE) / 2 - half(h))
    top = -h * 0.02 if framing == F.FRAMING_EXTREME_CLOSE_UP else height * 0.1
    _figure(draw, figure, x, top, h, palette, pose)


def _oval(cx: float, cy: float, rx: float, ry: float, start: float = 0.0, end: float = 2 * math.pi,
          steps: int = 40) -> list[tuple[float, float]]:
    return [(cx + rx * math.cos(t), cy + ry * math.sin(t)) for t in np.linspace(start, end, steps)]


def _figure(draw: ImageDraw.ImageDraw, figure: Figure, x: float, top: float, h: float, palette: Palette,
            pose: Pose | None) -> None:
    """A figure whose head top is at (x, top) and whose full standing height is h; pose None: seen from behind."""
    head = h * 0.13
    shoulders = h * figure.build
    clothes, skin, hair = (palette.lit(c) for c in (figure.colour, figure.skin, figure.hair))
    neck_y = top + head * 2
    # Body: shoulders, torso tapering to the hips, then legs.
    hip_y, feet_y = top + h * 0.53, top + h
    draw.polygon([(x - shoulders / 2, neck_y + head * 0.25), (x + shoulders / 2, neck_y + head * 0.25),
                  (x + shoulders * 0.38, hip_y), (x - shoulders * 0.38, hip_y)], fill=clothes)
    draw.ellipse((x - shoulders / 2, neck_y, x + shoulders / 2, neck_y + head * 0.7), fill=clothes)
    legs = mix(clothes, (30, 30, 40), 0.55)
    draw.rectangle((x - shoulders * 0.36, hip_y - 1, x - shoulders * 0.04, feet_y), fill=legs)
    draw.rectangle((x + shoulders * 0.04, hip_y - 1, x + shoulders * 0.36, feet_y), fill=legs)
    draw.rectangle((x - head * 0.3, top + head * 1.8, x + head * 0.3, neck_y + head * 0.4), fill=skin)
    _head(draw, figure, x, top, head, skin, hair, clothes, pose)


def _head(draw: ImageDraw.ImageDraw, figure: Figure, x: float, top: float, head: float, skin: RGB, hair: RGB,
          clothes: RGB, pose: Pose | None) -> None:
    """The head, turned and tilted by the pose: every part is a polygon turned about the neck."""
    tilt = pose.tilt if pose else 0.0
    pivot = (x, top + head * 1.9)
    cos, sin = math.cos(tilt), math.sin(tilt)

    def turn(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        px, py = pivot
        return [(px + (a - px) * cos - (b - py) * sin, py + (a - px) * sin + (b - py) * cos) for a, b in points]

    def oval(cx: float, cy: float, rx: float, ry: float, fill: RGB, start: float = 0.0,
             end: float = 2 * math.pi) -> None:
        draw.polygon(turn(_oval(cx, cy, rx, ry, start, end, 40 if head > 30 else 16)), fill=fill)

    oval(x, top + head * 0.76, head * 0.85, head * 0.84, hair)  # hair behind
    if pose is not None:
        yaw = pose.yaw
        fx = x + yaw * head * 0.12
        fw = head * 0.75 * (1 - 0.12 * abs(yaw))
        if abs(yaw) > 0.2:  # the far ear shows past the turned face
            oval(x - math.copysign(head * 0.7, yaw), top + head * 1.15, head * 0.14, head * 0.24,
                 mix(skin, (0, 0, 0), 0.1))
        oval(fx, top + head * 1.1, fw, head * 0.9, skin)
        # The side away from the light, in shadow: a crescent along the face's far edge.
        shade = mix(skin, (0, 0, 0), 0.16)
        side = math.pi if pose.key > 0 else 0.0
        outer = _oval(fx, top + head * 1.1, fw, head * 0.9, side - math.pi / 2, side + math.pi / 2, 20)
        inner = _oval(fx - pose.key * fw * 0.35, top + head * 1.1, fw * 0.6, head * 0.9, side + math.pi / 2,
                      side - math.pi / 2, 20)
        draw.polygon(turn(outer + inner), fill=shade)
        _features(draw, turn, fx, top, head, pose, skin, hair)
    if figure.hat:
        dark = mix(clothes, (0, 0, 0), 0.4)
        draw.polygon(turn([(x - head * 1.1, top + head * 0.1), (x + head * 1.1, top + head * 0.1),
                           (x + head * 1.1, top + head * 0.3), (x - head * 1.1, top + head * 0.3)]), fill=dark)
        draw.polygon(turn([(x - head * 0.7, top - head * 0.6), (x + head * 0.7, top - head * 0.6),
                           (x + head * 0.7, top + head * 0.2), (x - head * 0.7, top + head * 0.2)]), fill=dark)
    elif pose is not None:  # a fringe over the brow
        fringe = _oval(x + pose.yaw * head * 0.1, top + head * 0.45, head * 0.8, head * 0.42, math.pi, 2 * math.pi, 24)
        draw.polygon(turn(fringe), fill=hair)


def _features(draw: ImageDraw.ImageDraw, turn, fx: float, top: float, head: float, pose: Pose, skin: RGB,
              hair: RGB) -> None:
    ink = (30, 25, 25)
    yaw = pose.yaw
    cx = fx + yaw * head * 0.2  # the features follow the turn further than the face's outline
    spacing = head * 0.3 * (1 - 0.25 * abs(yaw))
    eye_y = top + head * 1.0
    detailed = head > 40
    eye = max(1.0, head * 0.1)
    for side in (-1, 1):
        ex = cx + side * spacing
        if detailed:
            draw.polygon(turn(_oval(ex, eye_y, eye * 1.7, eye * 1.05)), fill=(245, 242, 235))
            g = ex + pose.gaze * eye * 0.6
            draw.polygon(turn(_oval(g, eye_y, eye * 0.95, eye * 0.95, steps=20)), fill=ink)
        else:
            draw.polygon(turn(_oval(ex, eye_y, eye, eye, steps=12)), fill=ink)
        if detailed:  # brows
            lift = {"flat": 0.0, "raised": -0.12, "knit": 0.04}[pose.brows]
            inner = {"flat": 0.0, "raised": -0.04, "knit": 0.1}[pose.brows]
            y = eye_y - head * (0.24 - lift)
            a = (ex - side * eye * 2.0, y + inner * head)
            b = (ex + side * eye * 2.0, y)
            draw.line(turn([a, b]), fill=mix(hair, (0, 0, 0), 0.35), width=max(1, int(head * 0.045)))
    if not detailed:
        return
    # The nose points where the face turns; the mouth sits under it.
    nx, ny = cx + yaw * head * 0.1, top + head * 1.32
    point = math.copysign(head * (0.07 + 0.1 * abs(yaw)), yaw or 1)
    draw.polygon(turn([(nx, ny - head * 0.22), (nx + point, ny), (nx - point * 0.3, ny + head * 0.04)]),
                 fill=mix(skin, (0, 0, 0), 0.14))
    mx, my, mw = cx + yaw * head * 0.06, top + head * 1.6, head * 0.3 * (1 - 0.3 * abs(yaw))
    lips = (150, 60, 60)
    line_w = max(1, int(head * 0.05))
    if pose.mouth == "open":
        draw.polygon(turn(_oval(mx, my, mw * 0.55, head * 0.1, steps=24)), fill=(80, 30, 30))
    elif pose.mouth == "smile":
        draw.line(turn(_oval(mx, my - head * 0.08, mw, head * 0.12, 0.15 * math.pi, 0.85 * math.pi, 12)), fill=lips,
                  width=line_w)
    elif pose.mouth == "frown":
        draw.line(turn(_oval(mx, my + head * 0.08, mw * 0.8, head * 0.08, 1.15 * math.pi, 1.85 * math.pi, 12)),
                  fill=lips,
                  width=line_w)
    else:
        draw.line(turn([(mx - mw * 0.7, my), (mx + mw * 0.7, my)]), fill=lips, width=line_w)
