"""Storyboard frames: each shot drawn as an animatic panel, deterministically, on the CPU.

The frame is a plain function of the shot brief, the seed and the size:
- the palette comes from INT/EXT and the time of day (sky, walls, ground, light on the figures);
- the set (horizon, buildings, trees, water, furniture) comes from the location's name, so every shot of
  one place shares its set;
- each character is a figure whose colour and build come from the character's seed, so they look the same
  in every shot, placed and scaled by the framing;
- the only text is the location, titled on the first shot of a scene.
"""

from __future__ import annotations

import colorsys
import dataclasses
import re
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from filmstudio.light import light_in
from filmstudio.seeds import stable_seed
from filmstudio.v1 import script_pb2
from inference.signature import check_size

T = script_pb2

RGB = tuple[int, int, int]


@dataclasses.dataclass(frozen=True)
class Palette:
    """The colours of one setting at one time of day."""

    sky_top: RGB
    sky_horizon: RGB
    ground: RGB
    wall: RGB
    floor: RGB
    light: float  # how lit the figures and the set are, 0-1
    tint: RGB  # colour of the light falling on the figures
    night: bool


# Palette -> (sky top, sky at the horizon, ground, light, tint).
_TIMES: dict[str, tuple[RGB, RGB, RGB, float, RGB]] = {
    "DAY": ((92, 156, 222), (190, 222, 245), (120, 150, 90), 1.0, (255, 255, 255)),
    "MORNING": ((120, 170, 225), (245, 220, 180), (125, 150, 95), 0.95, (255, 245, 230)),
    "AFTERNOON": ((85, 145, 215), (215, 225, 235), (130, 145, 85), 1.0, (255, 250, 235)),
    "DAWN": ((70, 80, 140), (245, 170, 130), (85, 95, 75), 0.7, (255, 215, 190)),
    "DUSK": ((45, 45, 100), (235, 125, 80), (70, 70, 60), 0.6, (255, 190, 150)),
    "NIGHT": ((8, 12, 35), (30, 40, 80), (20, 25, 30), 0.4, (150, 170, 255)),
}
# The scene graph's TimeOfDay -> the palette it is drawn in; a light not listed is drawn as DAY.
_PALETTE_OF = {
    T.TIME_OF_DAY_NIGHT: "NIGHT", T.TIME_OF_DAY_MIDNIGHT: "NIGHT", T.TIME_OF_DAY_DAWN: "DAWN",
    T.TIME_OF_DAY_SUNRISE: "DAWN", T.TIME_OF_DAY_MORNING: "MORNING", T.TIME_OF_DAY_AFTERNOON: "AFTERNOON",
    T.TIME_OF_DAY_SUNSET: "DUSK", T.TIME_OF_DAY_DUSK: "DUSK", T.TIME_OF_DAY_TWILIGHT: "DUSK",
    T.TIME_OF_DAY_EVENING: "DUSK",
}


def time_key(time_of_day: int) -> str:
    """The palette a scene's light (script_pb2.TimeOfDay) uses: DAY, MORNING, AFTERNOON, DAWN, DUSK or NIGHT."""
    return _PALETTE_OF.get(time_of_day, "DAY")


def brief_light(brief: script_pb2.ShotBrief) -> int:
    """The brief's light; a client that sent only the time of day in words is read with filmstudio.light."""
    return brief.light or light_in(brief.time_of_day)


def palette_for(setting: int, time_of_day: int) -> Palette:
    """Palette for a scene: exteriors take the sky's colours, interiors warm walls (tungsten at night)."""
    sky_top, sky_horizon, ground, light, tint = _TIMES[time_key(time_of_day)]
    night = time_key(time_of_day) == "NIGHT"
    if night:
        wall, floor = (70, 58, 52), (45, 36, 32)
        if setting == script_pb2.SETTING_INTERIOR:
            light, tint = 0.65, (255, 205, 150)  # lamps on
    else:
        wall, floor = _mix((225, 212, 190), tint, 0.2), (150, 120, 95)
    return Palette(sky_top, sky_horizon, ground, wall, floor, light, tint, night)


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))  # type: ignore[return-value]


def _lit(colour: RGB, palette: Palette) -> RGB:
    return tuple(int(c * t / 255 * (0.35 + 0.65 * palette.light)) for c, t in zip(colour, palette.tint))  # type: ignore


@dataclasses.dataclass(frozen=True)
class Figure:
    """How one character is drawn, derived from their seed alone."""

    colour: RGB  # clothes
    skin: RGB
    hair: RGB
    build: float  # shoulder width relative to height
    height: float  # relative to the average figure
    hat: bool


_SKINS: tuple[RGB, ...] = ((255, 224, 196), (234, 192, 160), (198, 145, 105), (141, 96, 66), (96, 62, 42))
_HAIRS: tuple[RGB, ...] = ((30, 24, 20), (90, 60, 35), (180, 140, 80), (140, 40, 25), (200, 200, 200))


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


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def brief_from_prompt(prompt: str) -> script_pb2.ShotBrief:
    """A minimal brief for a request without SHOT: INT/EXT and time of day guessed from the prompt words."""
    text = prompt.upper()
    brief = script_pb2.ShotBrief()
    if re.search(r"\b(INTERIOR|INT\.|INSIDE|ROOM|KITCHEN|OFFICE|BEDROOM)\b", text):
        brief.setting = script_pb2.SETTING_INTERIOR
    else:
        brief.setting = script_pb2.SETTING_EXTERIOR
    brief.light = light_in(prompt)
    return brief


def render_storyboard(brief: script_pb2.ShotBrief, seed: int, width: int, height: int) -> np.ndarray:
    """Draw one shot as a storyboard panel: an H x W x 3 uint8 array. Same inputs, same pixels."""
    check_size(width, height)
    palette = palette_for(brief.setting, brief_light(brief))
    framing = brief.shot.framing or script_pb2.FRAMING_MEDIUM
    horizon = int(height * {script_pb2.FRAMING_EXTREME_WIDE: 0.62, script_pb2.FRAMING_WIDE: 0.66,
                            script_pb2.FRAMING_MEDIUM: 0.72}.get(framing, 0.8))
    location_seed = stable_seed(brief.location.upper().strip(), brief.setting)
    shot_rng = np.random.default_rng(seed & 0xFFFFFFFFFFFFFFFF)

    if brief.setting == script_pb2.SETTING_INTERIOR:
        image = _interior(width, height, horizon, palette, brief.location, location_seed, framing)
    elif brief.setting == script_pb2.SETTING_INTERIOR_EXTERIOR:
        image = _exterior(width, height, horizon, palette, brief.location, location_seed, framing)
        inside = _interior(width, height, horizon, palette, brief.location, location_seed, framing)
        image.paste(inside.crop((0, 0, width // 2, height)), (0, 0))  # half inside, half out
    else:
        image = _exterior(width, height, horizon, palette, brief.location, location_seed, framing)

    draw = ImageDraw.Draw(image)
    _characters(draw, brief, width, height, horizon, palette, framing, shot_rng)
    if brief.opens_scene and brief.location:
        _title(image, brief.location.upper(), width, height)
    # No panel border: the composer moves over the whole still, so a border would slide into view.
    return np.asarray(image, dtype=np.uint8)


def _gradient(width: int, height: int, top: RGB, bottom: RGB) -> Image.Image:
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    column = np.asarray(top, np.float32) * (1 - t) + np.asarray(bottom, np.float32) * t
    return Image.fromarray(np.repeat(column[:, None, :], width, axis=1).astype(np.uint8), "RGB")


def _has(location: str, *words: str) -> bool:
    return any(re.search(rf"\b{w}", location.upper()) for w in words)


def _exterior(width: int, height: int, horizon: int, palette: Palette, location: str, location_seed: int,
              framing: int) -> Image.Image:
    image = _gradient(width, height, palette.sky_top, palette.sky_horizon)
    draw = ImageDraw.Draw(image)
    rng = np.random.default_rng(location_seed)
    unit = height / 720
    if palette.night:
        stars = rng.random((60, 2))
        for x, y in stars:
            r = max(1, int(1.5 * unit))
            draw.ellipse((x * width - r, y * horizon * 0.8 - r, x * width + r, y * horizon * 0.8 + r),
                         fill=(230, 230, 255))
        cx, cy, r = width * 0.8, horizon * 0.25, 28 * unit
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(240, 240, 215))
    else:
        cx, cy, r = width * (0.15 + 0.7 * rng.random()), horizon * 0.3, 40 * unit
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=_mix(palette.sky_horizon, (255, 250, 210), 0.8))
    draw.rectangle((0, horizon, width, height), fill=palette.ground)

    if _has(location, "SEA", "OCEAN", "BEACH", "LAKE", "RIVER", "HARBO", "SHORE", "PIER", "DOCK", "COAST"):
        water = _mix(palette.sky_top, (20, 60, 110), 0.5)
        draw.rectangle((0, horizon, width, horizon + (height - horizon) * 0.45), fill=water)
        sand = _lit((220, 200, 150), palette)
        draw.rectangle((0, horizon + (height - horizon) * 0.45, width, height), fill=sand)
    elif _has(location, "STREET", "ROAD", "CITY", "ALLEY", "AVENUE", "TOWN", "SQUARE", "ROOF", "PARKING"):
        _skyline(draw, rng, width, horizon, palette, unit)
        road = _lit((80, 80, 85), palette)
        draw.rectangle((0, horizon, width, height), fill=road)
        for x in range(0, width, int(160 * unit)):
            y = horizon + (height - horizon) * 0.55
            draw.rectangle((x, y, x + 70 * unit, y + 6 * unit), fill=_lit((230, 220, 120), palette))
    elif _has(location, "FOREST", "WOOD", "PARK", "GARDEN", "JUNGLE", "ORCHARD", "TREE"):
        _hills(draw, rng, width, height, horizon, _mix(palette.ground, palette.sky_horizon, 0.35), 0.08)
        for _ in range(14):
            x = rng.random() * width
            s = (60 + 90 * rng.random()) * unit
            trunk = _lit((90, 60, 40), palette)
            leaves = _lit((40 + int(40 * rng.random()), 110, 50), palette)
            draw.rectangle((x - s * 0.08, horizon - s * 0.4, x + s * 0.08, horizon + s * 0.1), fill=trunk)
            draw.polygon([(x - s * 0.5, horizon - s * 0.3), (x + s * 0.5, horizon - s * 0.3), (x, horizon - s * 1.6)],
                         fill=leaves)
    elif _has(location, "DESERT", "FIELD", "MOUNTAIN", "HILL", "VALLEY", "CANYON", "FARM", "MEADOW", "PLAIN"):
        _hills(draw, rng, width, height, horizon, _mix(palette.ground, palette.sky_horizon, 0.5), 0.25)
        _hills(draw, rng, width, height, horizon, _mix(palette.ground, palette.sky_horizon, 0.2), 0.1)
    else:
        _hills(draw, rng, width, height, horizon, _mix(palette.ground, palette.sky_horizon, 0.4), 0.12)
        for _ in range(3):  # a few buildings in the distance
            x, w, h = rng.random() * width, (50 + 80 * rng.random()) * unit, (40 + 90 * rng.random()) * unit
            draw.rectangle((x, horizon - h, x + w, horizon), fill=_mix(palette.ground, palette.sky_top, 0.3))
            draw.polygon([(x - 8 * unit, horizon - h), (x + w + 8 * unit, horizon - h), (x + w / 2, horizon - h - 40 * unit)],
                         fill=_lit((140, 70, 60), palette))
    return image


def _skyline(draw: ImageDraw.ImageDraw, rng: np.random.Generator, width: int, horizon: int, palette: Palette,
             unit: float) -> None:
    x = -20 * unit
    body = _mix(palette.sky_top, (50, 50, 60), 0.6)
    lit_window = (250, 220, 130) if palette.night else _mix(palette.sky_horizon, (255, 255, 255), 0.3)
    while x < width:
        w, h = (80 + 120 * rng.random()) * unit, (120 + 260 * rng.random()) * unit
        draw.rectangle((x, horizon - h, x + w, horizon), fill=body)
        for wy in np.arange(horizon - h + 14 * unit, horizon - 20 * unit, 30 * unit):
            for wx in np.arange(x + 10 * unit, x + w - 18 * unit, 26 * unit):
                if rng.random() < (0.45 if palette.night else 0.8):
                    draw.rectangle((wx, wy, wx + 12 * unit, wy + 16 * unit), fill=lit_window)
        x += w + 6 * unit


def _hills(draw: ImageDraw.ImageDraw, rng: np.random.Generator, width: int, height: int, horizon: int, colour: RGB,
           amplitude: float) -> None:
    xs = np.linspace(0, width, 9)
    ys = horizon - rng.random(9) * amplitude * height
    draw.polygon([(0, horizon), *zip(xs.tolist(), ys.tolist()), (width, horizon)], fill=colour)


def _interior(width: int, height: int, horizon: int, palette: Palette, location: str, location_seed: int,
              framing: int) -> Image.Image:
    image = Image.new("RGB", (width, height), palette.wall)
    draw = ImageDraw.Draw(image)
    rng = np.random.default_rng(location_seed)
    unit = height / 720
    draw.rectangle((0, horizon, width, height), fill=palette.floor)
    draw.line((0, horizon, width, horizon), fill=_mix(palette.wall, (0, 0, 0), 0.4), width=max(1, int(3 * unit)))
    # A window shows the time of day; a door stands where the set allows.
    wx = width * (0.1 + 0.5 * rng.random())
    ww, wh = width * 0.22, horizon * 0.45
    wy = horizon * 0.18
    frame = _lit((245, 245, 240), palette)
    draw.rectangle((wx - 6 * unit, wy - 6 * unit, wx + ww + 6 * unit, wy + wh + 6 * unit), fill=frame)
    outside = _gradient(int(ww), int(wh), palette.sky_top, palette.sky_horizon)
    image.paste(outside, (int(wx), int(wy)))
    draw.line((wx + ww / 2, wy, wx + ww / 2, wy + wh), fill=frame, width=max(1, int(5 * unit)))
    draw.line((wx, wy + wh / 2, wx + ww, wy + wh / 2), fill=frame, width=max(1, int(5 * unit)))
    dx = (wx + ww + width * 0.1) if wx + ww + width * 0.25 < width else width * 0.03
    draw.rectangle((dx, horizon - horizon * 0.62, dx + width * 0.1, horizon), fill=_lit((120, 80, 55), palette))
    wood = _lit((140, 95, 60), palette)
    if _has(location, "KITCHEN"):
        top = horizon + (height - horizon) * 0.1
        draw.rectangle((0, horizon - 150 * unit, width, top), fill=_lit((200, 200, 195), palette))
        draw.rectangle((0, horizon - 160 * unit, width, horizon - 140 * unit), fill=wood)
        for x in np.arange(20 * unit, width, 140 * unit):
            draw.rectangle((x, horizon - 120 * unit, x + 110 * unit, top - 10 * unit), outline=wood,
                           width=max(1, int(3 * unit)))
    elif _has(location, "BEDROOM", "HOTEL", "MOTEL"):
        bx = width * 0.55
        draw.rectangle((bx, horizon - 120 * unit, bx + 380 * unit, horizon - 40 * unit), fill=wood)
        draw.rectangle((bx, horizon - 80 * unit, bx + 380 * unit, horizon + 60 * unit),
                       fill=_lit((200, 210, 235), palette))
    elif _has(location, "OFFICE", "STUDY", "LIBRARY", "CLASSROOM", "SCHOOL", "LAB"):
        for x in np.arange(width * 0.7, width, 60 * unit):  # a bookshelf
            draw.rectangle((x, horizon - 300 * unit, x + 50 * unit, horizon), fill=wood, outline=(60, 40, 30))
        draw.rectangle((width * 0.3, horizon - 20 * unit, width * 0.6, horizon), fill=wood)
    elif _has(location, "BAR", "PUB", "CAFE", "DINER", "RESTAURANT", "CLUB"):
        draw.rectangle((0, horizon - 110 * unit, width, horizon + 20 * unit), fill=wood)
        for x in np.arange(40 * unit, width, 120 * unit):
            draw.ellipse((x, horizon + 30 * unit, x + 60 * unit, horizon + 50 * unit), fill=_lit((170, 40, 40), palette))
    elif _has(location, "CAR", "TRUCK", "TAXI", "BUS", "TRAIN", "PLANE", "CAB"):
        draw.rectangle((0, 0, width, height), fill=_lit((50, 50, 55), palette))
        shield = _gradient(int(width * 0.8), int(height * 0.45), palette.sky_top, palette.sky_horizon)
        image.paste(shield, (int(width * 0.1), int(height * 0.08)))
        draw.ellipse((width * 0.12, height * 0.65, width * 0.38, height * 1.1), outline=(20, 20, 20),
                     width=max(2, int(14 * unit)))
    else:
        tx = width * (0.35 + 0.3 * rng.random())
        draw.rectangle((tx, horizon - 10 * unit, tx + 260 * unit, horizon + 10 * unit), fill=wood)
        draw.rectangle((tx + 20 * unit, horizon, tx + 35 * unit, horizon + 90 * unit), fill=wood)
        draw.rectangle((tx + 225 * unit, horizon, tx + 240 * unit, horizon + 90 * unit), fill=wood)
    if palette.night:
        lx = width * (0.2 + 0.6 * rng.random())
        draw.ellipse((lx - 30 * unit, horizon * 0.05, lx + 30 * unit, horizon * 0.05 + 40 * unit), fill=(255, 225, 160))
    return image


# Standing height of a figure, as a fraction of the frame height, by framing.
_SCALE = {
    script_pb2.FRAMING_EXTREME_WIDE: 0.16,
    script_pb2.FRAMING_WIDE: 0.5,
    script_pb2.FRAMING_MEDIUM: 1.55,
    script_pb2.FRAMING_CLOSE_UP: 3.6,
    script_pb2.FRAMING_EXTREME_CLOSE_UP: 7.5,
    script_pb2.FRAMING_OVER_THE_SHOULDER: 1.55,
}


def _characters(draw: ImageDraw.ImageDraw, brief: script_pb2.ShotBrief, width: int, height: int, horizon: int,
                palette: Palette, framing: int, rng: np.random.Generator) -> None:
    characters = list(brief.characters)
    if not characters:
        return
    size = _SCALE.get(framing, _SCALE[script_pb2.FRAMING_MEDIUM]) * height
    if framing in (script_pb2.FRAMING_CLOSE_UP, script_pb2.FRAMING_EXTREME_CLOSE_UP):
        characters = characters[:1]  # one face fills a close-up
    if framing == script_pb2.FRAMING_OVER_THE_SHOULDER and len(characters) >= 2:
        # The listener faces us across the frame; the first character is a dark shoulder in the foreground.
        _figure(draw, figure_for(characters[1]), width * 0.66, height * 0.2, size * 0.8, palette, facing=True)
        _figure(draw, figure_for(characters[0]), width * 0.18, height * 0.42, size * 1.5, palette, facing=False)
        return
    count = len(characters)
    for index, character in enumerate(characters):
        figure = figure_for(character)
        x = width * (index + 1) / (count + 1) + (rng.random() - 0.5) * width * 0.06 / count
        h = size * figure.height
        if framing in (script_pb2.FRAMING_EXTREME_WIDE, script_pb2.FRAMING_WIDE):
            feet = horizon + (height - horizon) * (0.35 if framing == script_pb2.FRAMING_WIDE else 0.1)
            top = feet - h
        elif framing == script_pb2.FRAMING_EXTREME_CLOSE_UP:
            top = -h * 0.02  # eyes at the middle of the frame
        elif framing == script_pb2.FRAMING_CLOSE_UP:
            top = height * 0.1
        else:
            top = height * 0.14
        _figure(draw, figure, x, top, h, palette, facing=True)


def _figure(draw: ImageDraw.ImageDraw, figure: Figure, x: float, top: float, h: float, palette: Palette,
            facing: bool) -> None:
    """A figure whose head top is at (x, top) and whose full standing height is h."""
    head = h * 0.13
    shoulders = h * figure.build
    clothes, skin, hair = (_lit(c, palette) for c in (figure.colour, figure.skin, figure.hair))
    neck_y = top + head * 2
    # Body: shoulders, torso tapering to the hips, then legs.
    hip_y, feet_y = top + h * 0.53, top + h
    draw.polygon([(x - shoulders / 2, neck_y + head * 0.25), (x + shoulders / 2, neck_y + head * 0.25),
                  (x + shoulders * 0.38, hip_y), (x - shoulders * 0.38, hip_y)], fill=clothes)
    draw.ellipse((x - shoulders / 2, neck_y, x + shoulders / 2, neck_y + head * 0.7), fill=clothes)
    legs = _mix(clothes, (30, 30, 40), 0.55)
    draw.rectangle((x - shoulders * 0.36, hip_y - 1, x - shoulders * 0.04, feet_y), fill=legs)
    draw.rectangle((x + shoulders * 0.04, hip_y - 1, x + shoulders * 0.36, feet_y), fill=legs)
    draw.rectangle((x - head * 0.3, top + head * 1.8, x + head * 0.3, neck_y + head * 0.4), fill=skin)
    # Head: hair behind, face in front unless seen from behind.
    draw.ellipse((x - head * 0.85, top - head * 0.08, x + head * 0.85, top + head * 1.6), fill=hair)
    if facing:
        draw.ellipse((x - head * 0.75, top + head * 0.2, x + head * 0.75, top + head * 2.0), fill=skin)
        eye = max(1.0, head * 0.1)
        for side in (-1, 1):
            ex, ey = x + side * head * 0.3, top + head * 1.0
            draw.ellipse((ex - eye, ey - eye, ex + eye, ey + eye), fill=(30, 25, 25))
    if figure.hat:
        draw.rectangle((x - head * 1.1, top + head * 0.1, x + head * 1.1, top + head * 0.3), fill=_mix(clothes, (0, 0, 0), 0.4))
        draw.rectangle((x - head * 0.7, top - head * 0.6, x + head * 0.7, top + head * 0.2), fill=_mix(clothes, (0, 0, 0), 0.4))


def _title(image: Image.Image, text: str, width: int, height: int) -> None:
    size = max(10, int(height * 0.06))
    font = _font(size)
    band = Image.new("RGBA", (width, int(size * 1.9)), (0, 0, 0, 150))
    y = int(height * 0.8)
    image.paste(band, (0, y), band)
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((width - (right - left)) / 2, y + (band.height - (bottom - top)) / 2 - top), text,
              fill=(245, 245, 240), font=font)
