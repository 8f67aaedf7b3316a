"""The storyboard's actors: each character a figure drawn from their cast entry (hair, skin, build,
wardrobe, age and gender, read by inference.looks), what it leaves unsaid from their seed (the same in
every shot), posed per shot (which way the face turns, how the head tilts, the mouth and
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
from inference import looks
from inference.palette import RGB, Palette, mix

F = script_pb2
SAFE = 0.8  # the share of the frame's width the figures stand in

_SKINS: tuple[RGB, ...] = ((255, 224, 196), (234, 192, 160), (198, 145, 105), (141, 96, 66), (96, 62, 42))
# The seed's hair colours: grey and white come from age (or words), never by chance.
_HAIRS: tuple[RGB, ...] = ((30, 24, 20), (90, 60, 35), (180, 140, 80), (140, 40, 25))
HEAD = 0.13  # an adult's head (crown to chin is two of these) as a share of their height

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
# The seed's hair shapes by gender, with their chances: (shape, weight).
_SHAPES = {
    F.GENDER_FEMALE: (("long", 0.55), ("bun", 0.2), ("short", 0.15), ("curly", 0.1)),
    F.GENDER_MALE: (("short", 0.75), ("curly", 0.1), ("none", 0.1), ("long", 0.05)),
    F.GENDER_UNSPECIFIED: (("short", 0.45), ("long", 0.3), ("curly", 0.15), ("bun", 0.1)),
}


@dataclasses.dataclass(frozen=True)
class Figure:
    """How one character is drawn: their cast entry's look (inference.looks), the rest from their seed."""

    colour: RGB  # clothes
    skin: RGB
    hair: RGB
    build: float  # shoulder width relative to height
    height: float  # relative to the average figure
    hat: bool
    hair_shape: str = "short"  # "none", "short", "long", "curly" or "bun"
    hat_colour: RGB | None = None  # None: a dark shade of the clothes
    inner: RGB | None = None  # a shirt at the neck of a coat
    legs: RGB | None = None  # None: a dark shade of the clothes
    garment: str = "top"  # "top" to the hips, "coat" to the knees, "dress" to the calves
    freckles: bool = False
    head: float = HEAD  # the head's share of the height: a child's is larger
    stoop: float = 0.0  # 0 upright .. 1 an old back: the head sinks forward between the shoulders
    hips: float = 0.38  # half the hips' width, as a share of the shoulders

    def half_width(self, h: float) -> float:
        """Half the width of the figure drawn h tall: its shoulders, hair or hat brim, whichever is widest."""
        return max(h * self.build / 2, self.head_half_width(h))

    def head_half_width(self, h: float) -> float:
        """Half the width of its head drawn h tall: the hair, or the hat's brim."""
        hair = {"curly": 1.05, "long": 0.95}.get(self.hair_shape, 0.85)
        return h * self.head * (1.1 if self.hat else hair)


def figure_for(character: script_pb2.Character) -> Figure:
    """A character's figure: what their cast entry says (inference.looks), the rest from their seed, so
    the same entry draws the same figure in every shot and every film render."""
    seed = character.seed or stable_seed(character.id or character.name)
    rng = np.random.default_rng(seed & 0xFFFFFFFFFFFFFFFF)
    hue = rng.random()
    r, g, b = colorsys.hsv_to_rgb(hue, 0.55 + 0.35 * rng.random(), 0.55 + 0.4 * rng.random())
    colour = (int(r * 255), int(g * 255), int(b * 255))
    skin, hair = _SKINS[int(rng.integers(len(_SKINS)))], _HAIRS[int(rng.integers(len(_HAIRS)))]
    build, height, hat = 0.26 + 0.1 * rng.random(), 0.9 + 0.2 * rng.random(), bool(rng.random() < 0.25)
    shape_draw, grey_draw = rng.random(), rng.random()

    look = looks.look_of(character)
    shapes = _SHAPES[look.gender]
    weights = np.cumsum([w for _, w in shapes])
    shape = look.hair_shape or shapes[min(int(np.searchsorted(weights, shape_draw * weights[-1])), len(shapes) - 1)][0]
    age = look.age
    if look.hair is not None:
        hair = look.hair
    elif age is not None and age >= 50:  # greying from fifty, grey from sixty, white from seventy-five
        old = looks.WHITE_HAIR if age >= 75 else looks.GREY_HAIR
        hair = mix(hair, old, min(1.0, 0.35 + (age - 50) / 20) * (0.85 + 0.15 * grey_draw))
    build = look.width or build
    height = look.height or height
    if look.gender == F.GENDER_FEMALE:  # narrower shoulders, wider hips, a little shorter
        build, height, hips = build * 0.9, height * 0.97, 0.44
    elif look.gender == F.GENDER_MALE:
        build, height, hips = build * 1.06, height * 1.03, 0.36
    else:
        hips = 0.4
    head, stoop = HEAD, 0.0
    if age is not None:
        if age < 13:  # a child: smaller, with a larger head for their size
            height, head, build = height * (0.4 + 0.033 * max(age, 2)), HEAD * 1.3, build * 0.85
        elif age < 18:
            height, head = height * 0.92, HEAD * 1.06
        elif age < 30 and look.height is None:
            height *= 0.98
        if age >= 68:
            stoop = min(1.0, (age - 66) / 14)
            height *= 1 - 0.05 * stoop
    # A cast entry that speaks of the hair or the clothes shows them: no hat unless it names one.
    said = look.dressed or look.hair is not None or look.hair_shape is not None
    return Figure(
        colour=look.coat or colour, skin=look.skin or skin, hair=hair, build=build, height=height,
        hat=look.hat is not None if said else hat, hair_shape=shape, hat_colour=look.hat, inner=look.inner,
        legs=look.legs, garment=look.garment or "top", freckles=bool(look.freckles), head=head, stoop=stoop,
        hips=hips)


@dataclasses.dataclass(frozen=True)
class Pose:
    """How a figure holds itself in one shot."""

    yaw: float  # -1 (face turned to frame left) .. 1 (to frame right)
    tilt: float  # head tilt, radians
    mouth: str  # "neutral", "smile", "open" or "frown"
    brows: str  # "flat", "raised" or "knit"
    gaze: float  # where the eyes look, -1 .. 1
    key: int  # the side the light comes from: -1 (left) or 1 (right)
    eyes: str = "open"  # "open" or "closed" (a blink: the living animatic, inference.rig)

    @property
    def facing(self) -> int:
        return 1 if self.yaw > 0.05 else -1 if self.yaw < -0.05 else 0


FRONT = Pose(0.0, 0.0, "neutral", "flat", 0.0, 1)
_MOUTHS = ("neutral", "smile", "open", "frown")  # a pose's own; "half" is a speaking mouth (inference.rig)
_BROWS = ("flat", "raised", "knit")


def pose_for(shot_seed: int, character: script_pb2.Character) -> Pose:
    """The character's pose in one shot: same shot, same pose; another shot of them, most likely another."""
    rng = np.random.default_rng(stable_seed(shot_seed, character.id or character.name))
    return Pose(yaw=float(rng.choice((-0.6, -0.35, -0.15, 0.15, 0.35, 0.6))), tilt=float((rng.random() - 0.5) * 0.3),
                mouth=_MOUTHS[int(rng.integers(4))], brows=_BROWS[int(rng.integers(3))],
                gaze=float(rng.random() * 2 - 1), key=int(rng.choice((-1, 1))))


@dataclasses.dataclass(frozen=True)
class Placed:
    """One character as the shot places them: the head's top at (x, top), standing h tall, in their pose
    (None: seen from behind, the shoulder in the foreground of an over-the-shoulder shot)."""

    character: script_pb2.Character
    figure: Figure
    x: float
    top: float
    h: float
    pose: Pose | None

    @property
    def feet(self) -> tuple[float, float]:
        return self.x, self.top + self.h


def draw_characters(draw: ImageDraw.ImageDraw, characters: list[script_pb2.Character], width: int, height: int,
                    horizon: int, palette: Palette, framing: int, shot_seed: int, shore: float | None = None) -> None:
    """Every character of the shot where place_characters puts them, back to front."""
    for placed in place_characters(characters, width, height, horizon, framing, shot_seed, shore):
        draw_figure(draw, placed, palette)


def draw_figure(draw: ImageDraw.ImageDraw, placed: Placed, palette: Palette, pose: Pose | None = None) -> None:
    """One placed character, in their placed pose or in `pose` (a blink, a spoken syllable, a turn)."""
    _figure(draw, placed.figure, placed.x, placed.top, placed.h, palette, pose or placed.pose)


def place_characters(characters: list[script_pb2.Character], width: int, height: int, horizon: int, framing: int,
                     shot_seed: int, shore: float | None = None) -> list[Placed]:
    """Where every character of the shot stands, back to front, placed for its framing inside the safe
    width; in a wide shot with water in it they stand on the `shore` (the y where the water ends), not on
    the sea."""
    if not characters:
        return []
    rng = np.random.default_rng(shot_seed & 0xFFFFFFFFFFFFFFFF)
    size = SCALE.get(framing, SCALE[F.FRAMING_MEDIUM]) * height
    left, safe = width * (1 - SAFE) / 2, width * SAFE
    if framing in CLOSE:
        return [_close_up(characters[0], width, height, framing, size, shot_seed)]
    if framing == F.FRAMING_OVER_THE_SHOULDER and len(characters) >= 2:
        # Over the listener's shoulder onto the speaker: the first character (the planner lists the one
        # speaking first) faces us across the frame; the second is the shoulder in the foreground.
        speaker = figure_for(characters[0])
        x = width * 0.66
        h = min(size * 0.8, (min(x - left, left + safe - x) / speaker.half_width(1.0)))
        return [Placed(characters[0], speaker, x, height * 0.2, h, pose_for(shot_seed, characters[0])),
                Placed(characters[1], figure_for(characters[1]), width * 0.18, height * 0.42, size * 1.5, None)]
    figures = [figure_for(c) for c in characters]
    slot = safe / len(figures)
    # One scale for all, so that who is taller stays true: the widest must fit its slot.
    scale = min(1.0, min(slot * 0.45 / f.half_width(size * f.height) for f in figures))
    tallest = max(f.height for f in figures)
    placed = []
    for index, (character, figure) in enumerate(zip(characters, figures)):
        x = left + slot * (index + 0.5) + (rng.random() - 0.5) * slot * 0.1
        h = size * figure.height * scale
        if framing in (F.FRAMING_EXTREME_WIDE, F.FRAMING_WIDE):
            feet = horizon + (height - horizon) * (0.35 if framing == F.FRAMING_WIDE else 0.1)
            if shore is not None:
                feet = max(feet, shore + (height - shore) * 0.4)
            top = feet - h
        else:  # heads near one line, a child's or a short one's lower (half the true drop: the camera finds them)
            top = height * 0.14 + min((tallest - figure.height) * size * scale * 0.5, height * 0.35)
        placed.append(Placed(character, figure, x, top, h, pose_for(shot_seed, character)))
    return placed


def looking_side(shot_seed: int) -> int:
    """The side of a close-up's frame the face looks into (-1 left, 1 right): the face stands on the other
    third, and the set's detail behind it shows on this one (inference.storyboard)."""
    return 1 if stable_seed(shot_seed, "looking") % 2 else -1


def _close_up(character: script_pb2.Character, width: int, height: int, framing: int, size: float,
              shot_seed: int) -> Placed:
    """One face fills a close-up, on a third of the frame with room to look into (centred when tall)."""
    side = looking_side(shot_seed)
    figure, pose = figure_for(character), pose_for(shot_seed, character)
    pose = dataclasses.replace(pose, yaw=math.copysign(max(abs(pose.yaw), 0.15), side))
    h = size * HEAD / figure.head  # the face one size whoever it is: a child's fills the frame too
    # The head's half width, and how far its tilt (about the neck, ~1.9 heads below its top) swings it.
    def half(h: float) -> float:
        return figure.head_half_width(h) + abs(pose.tilt) * 1.9 * h * figure.head

    h *= min(1.0, width * SAFE / (2 * half(h)))  # the whole head stays in the safe width
    third = 0.16 if width > height * 1.1 else 0.06
    x = width * (0.5 - side * third)
    x = min(max(x, width * (1 - SAFE) / 2 + half(h)), width * (1 + SAFE) / 2 - half(h))
    top = -h * 0.02 if framing == F.FRAMING_EXTREME_CLOSE_UP else height * 0.1
    return Placed(character, figure, x, top, h, pose)


def draw_portrait(draw: ImageDraw.ImageDraw, character: script_pb2.Character, width: int, height: int,
                  palette: Palette, seed: int, close: bool = False) -> None:
    """The character's reference portrait: head and shoulders centred, facing the camera with a slight
    turn and a quiet face, big enough that hair, skin and the clothes at the chest all read; `close`
    frames the face tighter."""
    figure = figure_for(character)
    rng = np.random.default_rng(stable_seed(seed, "portrait"))
    pose = Pose(yaw=float(rng.choice((-0.15, -0.08, 0.08, 0.15))), tilt=float((rng.random() - 0.5) * 0.08),
                mouth=("neutral", "smile")[int(rng.integers(2))], brows="flat", gaze=0.0, key=int(rng.choice((-1, 1))))
    face = height * (0.5 if close else 0.38)  # crown to chin
    h = face / (2 * figure.head)
    h = min(h, width * SAFE / 2 / figure.half_width(1.0))  # shoulders inside the safe width
    sink = h * figure.head * 0.35 * figure.stoop  # a stooped head sinks: the body is raised to keep it here
    _figure(draw, figure, width / 2, height * (0.1 if close else 0.13) - sink, h, palette, pose)


def _oval(cx: float, cy: float, rx: float, ry: float, start: float = 0.0, end: float = 2 * math.pi,
          steps: int = 40) -> list[tuple[float, float]]:
    return [(cx + rx * math.cos(t), cy + ry * math.sin(t)) for t in np.linspace(start, end, steps)]


def _figure(draw: ImageDraw.ImageDraw, figure: Figure, x: float, top: float, h: float, palette: Palette,
            pose: Pose | None) -> None:
    """A figure whose head top is at (x, top) and whose full standing height is h; pose None: seen from behind."""
    head = h * figure.head
    shoulders = h * figure.build
    clothes, skin, hair = (palette.lit(c) for c in (figure.colour, figure.skin, figure.hair))
    neck_y = top + head * 2
    dark = mix(clothes, (30, 30, 40), 0.55)
    legs = palette.lit(figure.legs) if figure.legs else dark
    # Body: legs, shoulders, the torso tapering to the hips; a coat or a dress further down.
    hip_y, feet_y = top + h * 0.53, top + h
    draw.rectangle((x - shoulders * 0.36, hip_y - 1, x - shoulders * 0.04, feet_y), fill=legs)
    draw.rectangle((x + shoulders * 0.04, hip_y - 1, x + shoulders * 0.36, feet_y), fill=legs)
    # An old back: the head sinks forward between the shoulders.
    forward = (pose.facing if pose else 0) * head * 0.3 * figure.stoop
    head_top = top + head * 0.35 * figure.stoop
    long_hair = figure.hair_shape == "long" and not figure.hat
    down_the_back = [(x + forward - head * 0.9, head_top + head * 0.8), (x + forward + head * 0.9, head_top + head * 0.8),
                     (x + head * 0.95, neck_y + head * 0.9), (x - head * 0.95, neck_y + head * 0.9)]
    if long_hair and pose is not None:  # behind the shoulders
        draw.polygon(down_the_back, fill=hair)
    hips = shoulders * figure.hips
    shoulder_y = neck_y + head * 0.25
    if figure.garment == "coat":  # straight down from the shoulders, a little wider at the knees
        body = [(x - shoulders / 2, shoulder_y), (x + shoulders / 2, shoulder_y), (x + shoulders * 0.52, top + h * 0.8),
                (x - shoulders * 0.52, top + h * 0.8)]
    elif figure.garment == "dress":  # to the waist, then a skirt to the calves
        body = [(x - shoulders / 2, shoulder_y), (x + shoulders / 2, shoulder_y), (x + hips, hip_y),
                (x + shoulders * 0.62, top + h * 0.84), (x - shoulders * 0.62, top + h * 0.84), (x - hips, hip_y)]
    else:
        body = [(x - shoulders / 2, shoulder_y), (x + shoulders / 2, shoulder_y), (x + hips, hip_y), (x - hips, hip_y)]
    draw.polygon(body, fill=clothes)
    draw.ellipse((x - shoulders / 2, neck_y, x + shoulders / 2, neck_y + head * 0.7), fill=clothes)
    if long_hair and pose is None:  # seen from behind: over the shoulders
        draw.polygon(down_the_back, fill=hair)
    if pose is not None and (figure.inner or figure.garment == "coat"):
        # What shows at the neck: the shirt under the coat, or the coat's lapels in shadow.
        under = palette.lit(figure.inner) if figure.inner else mix(clothes, (0, 0, 0), 0.35)
        draw.polygon([(x - head * 0.45, neck_y + head * 0.15), (x + head * 0.45, neck_y + head * 0.15),
                      (x, neck_y + head * 1.4)], fill=under)
    if figure.garment == "coat":  # the coat's opening, down to its hem
        draw.line([(x, neck_y + head * 1.4), (x, top + h * 0.8)], fill=mix(clothes, (0, 0, 0), 0.3),
                  width=max(1, int(head * 0.05)))
    if long_hair and pose is not None:  # and a lock on each side of the face, over the shoulders
        for side in (-1, 1):
            outer, inner = x + forward + side * head * 0.92, x + forward + side * head * 0.6
            draw.polygon([(outer, head_top + head * 0.9), (inner, head_top + head * 0.9),
                          (x + side * head * 0.62, neck_y + head * 0.75), (x + side * head * 0.95, neck_y + head * 0.6)],
                         fill=hair)
    draw.rectangle((x + forward - head * 0.3, head_top + head * 1.8, x + forward + head * 0.3, neck_y + head * 0.4),
                   fill=skin)
    hat = palette.lit(figure.hat_colour) if figure.hat_colour else mix(clothes, (0, 0, 0), 0.4)
    _head(draw, figure, x + forward, head_top, head, skin, hair, hat, pose)


def _head(draw: ImageDraw.ImageDraw, figure: Figure, x: float, top: float, head: float, skin: RGB, hair: RGB,
          hat: RGB, pose: Pose | None) -> None:
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

    shape = "short" if figure.hat and figure.hair_shape in ("curly", "bun") else figure.hair_shape
    if shape == "none":  # the bare crown, a shade darker than the face
        oval(x, top + head * 0.8, head * 0.8, head * 0.8, mix(skin, (0, 0, 0), 0.07))
    elif shape == "curly":  # a halo of curls
        oval(x, top + head * 0.8, head * 1.0, head * 0.95, hair)
        for t in np.linspace(math.pi * 0.9, math.pi * 2.1, 9):
            oval(x + head * 0.92 * math.cos(t), top + head * 0.8 + head * 0.88 * math.sin(t), head * 0.24,
                 head * 0.24, hair)
    else:
        size = 0.8 if shape == "short" else 0.85
        oval(x, top + head * 0.76, head * size, head * 0.84, hair)  # hair behind
        if shape == "bun" and not figure.hat:
            oval(x, top - head * 0.05, head * 0.34, head * 0.3, hair)
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
        _features(draw, turn, fx, top, head, pose, skin, hair, figure.freckles)
    if figure.hat:
        draw.polygon(turn([(x - head * 1.1, top + head * 0.1), (x + head * 1.1, top + head * 0.1),
                           (x + head * 1.1, top + head * 0.3), (x - head * 1.1, top + head * 0.3)]), fill=hat)
        draw.polygon(turn([(x - head * 0.7, top - head * 0.6), (x + head * 0.7, top - head * 0.6),
                           (x + head * 0.7, top + head * 0.2), (x - head * 0.7, top + head * 0.2)]), fill=hat)
    elif pose is not None and shape == "curly":  # curls over the brow
        for t in np.linspace(-0.7, 0.7, 5):
            oval(x + pose.yaw * head * 0.1 + t * head, top + head * 0.32, head * 0.22, head * 0.2, hair)
    elif pose is not None and shape != "none":  # a fringe over the brow
        depth = 0.36 if shape == "short" else 0.42
        fringe = _oval(x + pose.yaw * head * 0.1, top + head * 0.45, head * 0.8, head * depth, math.pi, 2 * math.pi, 24)
        draw.polygon(turn(fringe), fill=hair)


def _features(draw: ImageDraw.ImageDraw, turn, fx: float, top: float, head: float, pose: Pose, skin: RGB,
              hair: RGB, freckles: bool = False) -> None:
    ink = (30, 25, 25)
    yaw = pose.yaw
    cx = fx + yaw * head * 0.2  # the features follow the turn further than the face's outline
    spacing = head * 0.3 * (1 - 0.25 * abs(yaw))
    eye_y = top + head * 1.0
    detailed = head > 40
    eye = max(1.0, head * 0.1)
    for side in (-1, 1):
        ex = cx + side * spacing
        if pose.eyes == "closed":  # the lid's lashes, a little below where the eye's middle was
            lid = eye * (1.7 if detailed else 1.2)
            draw.line(turn([(ex - lid, eye_y + eye * 0.2), (ex, eye_y + eye * 0.45), (ex + lid, eye_y + eye * 0.2)]),
                      fill=ink, width=max(1, int(eye * 0.45)))
        elif detailed:
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
    if freckles:  # a scatter over both cheeks and the nose's bridge, the same on every face of theirs
        spot, r = mix(skin, (150, 80, 40), 0.4), max(1.0, head * 0.022)
        for dx, dy in ((-0.42, 1.22), (-0.3, 1.3), (-0.48, 1.32), (-0.36, 1.17), (-0.22, 1.24), (-0.1, 1.15),
                       (0.1, 1.16), (0.22, 1.25), (0.36, 1.18), (0.48, 1.3), (0.3, 1.31), (0.42, 1.21)):
            draw.polygon(turn(_oval(cx + dx * head, top + dy * head, r, r, steps=8)), fill=spot)
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
    elif pose.mouth == "half":  # a syllable on its way: open a little
        draw.polygon(turn(_oval(mx, my, mw * 0.5, head * 0.045, steps=24)), fill=(80, 30, 30))
    elif pose.mouth == "smile":
        draw.line(turn(_oval(mx, my - head * 0.08, mw, head * 0.12, 0.15 * math.pi, 0.85 * math.pi, 12)), fill=lips,
                  width=line_w)
    elif pose.mouth == "frown":
        draw.line(turn(_oval(mx, my + head * 0.08, mw * 0.8, head * 0.08, 1.15 * math.pi, 1.85 * math.pi, 12)),
                  fill=lips,
                  width=line_w)
    else:
        draw.line(turn([(mx - mw * 0.7, my), (mx + mw * 0.7, my)]), fill=lips, width=line_w)
