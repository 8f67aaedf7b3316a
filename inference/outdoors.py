"""Set pieces out of doors: the sky's lights and weather clouds, the far silhouettes (mountains, hills,
a skyline, a forest, a cliff), the ground (sea, lake, river, beach, harbour, field, desert, road,
street), landmarks (a bridge, a lighthouse, a tower, houses, trees, rocks, a fence, a train) and props
near the actors (boats, cars, a bench, a lamppost). Each draws itself on a Stage and returns its box."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw

from inference.indoors import clock_face, door, flames, window_frame
from inference.palette import RGB, mix
from inference.setpieces import BY_NAME, Named
from inference.stage import Box, Stage, glow, hills


def sky(stage: Stage, names: set[str]) -> None:
    """The sky's own lights: a sun by day, a moon and stars by night, clouds when it is overcast."""
    pal = stage.pal
    if pal.night:
        if "stars" not in names and not pal.overcast:  # no stars through cloud
            _stars(stage, Named(BY_NAME["stars"]))
        if "moon" not in names and not pal.overcast:
            _moon(stage, Named(BY_NAME["moon"]))
    elif "sun" not in names and not pal.overcast:
        _sun(stage, Named(BY_NAME["sun"]))
    if pal.overcast and "clouds" not in names:
        _clouds(stage, Named(BY_NAME["clouds"], many=True))


def _sun(stage: Stage, named: Named) -> Box | None:
    pal, rng, u = stage.pal, stage.rng("sun"), stage.unit
    if pal.night:
        return None
    big = named.in_action
    r = (58 if big else 40) * u
    cx = stage.w * (0.15 + 0.7 * rng.random())
    if pal.low_sun:
        r *= 1.5
        cy, colour = stage.horizon - r * 0.45, (255, 175, 95)
    else:
        cy, colour = stage.horizon * 0.28, mix(pal.sky_horizon, (255, 250, 210), 0.8)
    glow(stage.image, cx, cy, r * 3, mix(colour, (255, 255, 255), 0.3), 0.45)
    if big and not pal.low_sun:
        for k in range(12):
            a = k * math.pi / 6
            ray = (cx + math.cos(a) * r * 1.25, cy + math.sin(a) * r * 1.25, cx + math.cos(a) * r * 1.7,
                   cy + math.sin(a) * r * 1.7)
            stage.draw.line(ray, fill=colour, width=stage.line_w(5))
    stage.draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    return cx - r * 1.7, cy - r * 1.7, cx + r * 1.7, cy + r * 1.7


def _moon(stage: Stage, named: Named) -> Box:
    rng, u = stage.rng("moon"), stage.unit
    r = (46 if named.in_action else 28) * u
    cx, cy = stage.w * (0.62 + 0.28 * rng.random()), stage.horizon * (0.2 + 0.1 * rng.random())
    glow(stage.image, cx, cy, r * 3.5, (200, 210, 255), 0.35)
    stage.draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(240, 240, 215))
    if stage.rng("moon/phase").random() < 0.6:  # a crescent: the sky takes a bite
        bite = stage.pal.sky_at(cy, stage.horizon)
        stage.draw.ellipse((cx - r * 0.55, cy - r * 1.05, cx + r * 1.45, cy + r * 0.95), fill=bite)
    return cx - r * 2, cy - r * 2, cx + r * 2, cy + r * 2


def _stars(stage: Stage, named: Named) -> Box:
    rng, u = stage.rng("stars"), stage.unit
    count = 120 if named.in_action or named.many else 60
    colour = (230, 230, 255) if stage.pal.night else mix(stage.pal.sky_top, (255, 255, 255), 0.4)
    for x, y, big in rng.random((count, 3)):
        r = (2.2 if big > 0.85 else 1.3) * u
        cx, cy = x * stage.w, y * stage.horizon * 0.85
        stage.draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    return 0, 0, stage.w, stage.horizon * 0.85


def _clouds(stage: Stage, named: Named) -> Box:
    rng, u, pal = stage.rng("clouds"), stage.unit, stage.pal
    grey = mix(pal.sky_horizon, (70, 72, 80) if pal.overcast else (255, 255, 255), 0.55 if pal.overcast else 0.8)
    if pal.night:
        grey = mix(pal.sky_top, (90, 95, 120), 0.5)
    count = 6 if named.many or pal.overcast else 3
    box = [stage.w, stage.h, 0.0, 0.0]
    for _ in range(count):
        cx, cy = stage.w * rng.random(), stage.horizon * (0.1 + 0.45 * rng.random())
        size = (70 + 90 * rng.random()) * u
        for dx, dy, k in ((-0.6, 0.15, 0.55), (0.0, -0.1, 0.75), (0.6, 0.1, 0.6), (0.25, 0.25, 0.5)):
            r = size * k
            stage.draw.ellipse((cx + dx * size - r, cy + dy * size - r * 0.7, cx + dx * size + r,
                                cy + dy * size + r * 0.7),
                               fill=grey)
        box = [min(box[0], cx - size * 1.2), min(box[1], cy - size * 0.6), max(box[2], cx + size * 1.2),
               max(box[3], cy + size * 0.6)]
    return tuple(box)  # type: ignore[return-value]


def _birds(stage: Stage, named: Named) -> Box:
    rng, u = stage.rng("birds"), stage.unit
    cx, cy = stage.w * (0.2 + 0.6 * rng.random()), stage.horizon * (0.25 + 0.3 * rng.random())
    ink = (30, 30, 40) if not stage.pal.night else (160, 165, 190)
    big = 1.5 if named.in_action else 1.0  # the gulls the action names wheel nearer
    for _ in range(9 if named.many else 5):
        x, y = cx + (rng.random() - 0.5) * 260 * u, cy + (rng.random() - 0.5) * 100 * u
        s = (14 + 12 * rng.random()) * u * big
        stage.draw.line((x - s, y - s * 0.5, x, y, x + s, y - s * 0.5), fill=ink, width=max(1, round(s * 0.22)))
    return cx - 150 * u, cy - 70 * u, cx + 150 * u, cy + 70 * u


def _plane(stage: Stage, named: Named) -> Box:
    rng, u = stage.rng("plane"), stage.unit
    x, y, s = stage.w * (0.2 + 0.6 * rng.random()), stage.horizon * (0.2 + 0.2 * rng.random()), 60 * u
    body = (235, 235, 240) if not stage.pal.night else (90, 95, 110)
    stage.draw.line((x - s * 6, y + s * 0.1, x - s, y), fill=mix(stage.pal.sky_top, (255, 255, 255), 0.5),
                    width=stage.line_w(4))  # its trail
    stage.draw.polygon([(x - s, y - s * 0.1), (x + s, y - s * 0.12), (x + s * 1.2, y), (x + s, y + s * 0.1),
                        (x - s, y + s * 0.1)], fill=body)
    stage.draw.polygon([(x - s * 0.1, y), (x + s * 0.3, y), (x - s * 0.4, y + s * 0.8)], fill=body)
    stage.draw.polygon([(x - s * 0.9, y), (x - s * 0.7, y), (x - s * 1.0, y - s * 0.45)], fill=body)
    return x - s * 1.3, y - s, x + s * 1.3, y + s


def generic_country(stage: Stage) -> None:
    pal, rng, u = stage.pal, stage.rng("generic"), stage.unit
    hills(stage, mix(pal.ground, pal.sky_horizon, 0.4), 0.12, "generic")
    for _ in range(3):  # a few buildings in the distance
        x, w, h = rng.random() * stage.w, (50 + 80 * rng.random()) * u, (40 + 90 * rng.random()) * u
        y = stage.horizon
        stage.draw.rectangle((x, y - h, x + w, y), fill=mix(pal.ground, pal.sky_top, 0.3))
        stage.draw.polygon([(x - 8 * u, y - h), (x + w + 8 * u, y - h), (x + w / 2, y - h - 40 * u)],
                           fill=pal.lit((140, 70, 60)))


def _mountain(stage: Stage, named: Named) -> Box:
    pal, rng = stage.pal, stage.rng("mountain")
    rock = named.colour or mix(mix(pal.ground, (90, 100, 130), 0.5), pal.sky_horizon, 0.35)
    snow = mix((245, 245, 250), pal.sky_horizon, 0.2)
    top = stage.horizon
    for k in range(3):
        cx = stage.w * (0.15 + 0.35 * k + 0.15 * rng.random())
        peak = stage.horizon - stage.horizon * (0.35 + 0.3 * rng.random()) * (1 if k != 1 else 1.15)
        half = stage.w * (0.22 + 0.12 * rng.random())
        shade = mix(rock, (20, 20, 30), 0.12 * k)
        stage.draw.polygon([(cx - half, stage.horizon), (cx, peak), (cx + half, stage.horizon)], fill=shade)
        cap = (stage.horizon - peak) * 0.25
        stage.draw.polygon([(cx - half * cap / (stage.horizon - peak), peak + cap), (cx, peak),
                            (cx + half * cap / (stage.horizon - peak), peak + cap)], fill=snow)
        top = min(top, peak)
    return 0, top, stage.w, stage.horizon


def _hills(stage: Stage, named: Named) -> Box:
    pal = stage.pal
    box = hills(stage, named.colour or mix(pal.ground, pal.sky_horizon, 0.5), 0.25, "far")
    hills(stage, mix(pal.ground, pal.sky_horizon, 0.2), 0.1, "near")
    return box


def _city(stage: Stage, named: Named) -> Box:
    pal, rng, u = stage.pal, stage.rng("city"), stage.unit
    x, top = -20 * u, float(stage.horizon)
    body = named.colour or mix(pal.sky_top, (50, 50, 60), 0.6)
    lit_window = (250, 220, 130) if pal.night else mix(pal.sky_horizon, (255, 255, 255), 0.3)
    scale = stage.far / (0.12 * stage.h)
    while x < stage.w:
        w, h = (80 + 120 * rng.random()) * u * scale, (120 + 260 * rng.random()) * u * scale
        stage.draw.rectangle((x, stage.horizon - h, x + w, stage.horizon), fill=body)
        step = 30 * u * scale
        for wy in np.arange(stage.horizon - h + 14 * u * scale, stage.horizon - 20 * u * scale, step):
            for wx in np.arange(x + 10 * u * scale, x + w - 18 * u * scale, 26 * u * scale):
                if rng.random() < (0.45 if pal.night else 0.8):
                    stage.draw.rectangle((wx, wy, wx + 12 * u * scale, wy + 16 * u * scale), fill=lit_window)
        top = min(top, stage.horizon - h)
        x += w + 6 * u
    return 0, top, stage.w, stage.horizon


def _forest(stage: Stage, named: Named) -> Box:
    pal, rng = stage.pal, stage.rng("forest")
    far = stage.far
    green = named.colour or (40, 95, 50)
    back = mix(pal.lit(green), pal.sky_horizon, 0.35)
    x, top = -far * 0.2, float(stage.horizon)
    while x < stage.w + far * 0.2:  # a far wall of pines
        h = far * (1.4 + 0.9 * rng.random())
        stage.draw.polygon([(x - h * 0.3, stage.horizon), (x, stage.horizon - h), (x + h * 0.3, stage.horizon)],
                           fill=back)
        top = min(top, stage.horizon - h)
        x += h * 0.22
    for _ in range(5):  # and nearer trees
        tx, h = stage.w * rng.random(), far * (2.4 + rng.random())
        pine(stage, tx, stage.horizon + far * 0.2, h, pal.lit(green))
    return 0, top, stage.w, stage.horizon + stage.far * 0.2


def pine(stage: Stage, x: float, base: float, h: float, green: RGB) -> Box:
    trunk = stage.pal.lit((90, 60, 40))
    stage.draw.rectangle((x - h * 0.04, base - h * 0.2, x + h * 0.04, base), fill=trunk)
    for k in range(3):  # three tiers of branches
        y0 = base - h * (0.15 + 0.25 * k)
        half = h * (0.3 - 0.07 * k)
        stage.draw.polygon([(x - half, y0), (x + half, y0), (x, y0 - h * 0.45)], fill=mix(green, (0, 0, 0), 0.06 * k))
    return x - h * 0.3, base - h, x + h * 0.3, base


def _cliff(stage: Stage, named: Named) -> Box:
    pal, rng = stage.pal, stage.rng("cliff")
    left = rng.random() < 0.5
    edge = stage.w * (0.3 + 0.12 * rng.random())
    top = stage.horizon - stage.h * (0.18 + 0.1 * rng.random())
    foot = stage.horizon + (stage.h - stage.horizon) * 0.35
    rock = named.colour or pal.lit((120, 110, 100))
    xs = [0, edge * 0.9, edge, edge * 1.08, edge * 0.95]
    ys = [top, top + 4 * stage.unit, top + (foot - top) * 0.35, top + (foot - top) * 0.7, foot]
    if not left:
        xs = [stage.w - x for x in xs]
    corner = 0 if left else stage.w
    stage.draw.polygon([(corner, foot), *zip(xs, ys), (corner, foot)], fill=rock)
    for k in range(4):  # strata
        y = top + (foot - top) * (0.2 + 0.2 * k)
        x1 = xs[2] if k < 2 else xs[3]
        stage.draw.line((corner, y, x1, y + 6 * stage.unit), fill=mix(rock, (0, 0, 0), 0.25), width=stage.line_w(3))
    stage.draw.polygon([(corner, top - 6 * stage.unit), (xs[1], top - 2 * stage.unit), (xs[1], top + 8 * stage.unit),
                        (corner, top + 8 * stage.unit)], fill=pal.lit((80, 130, 70)))
    return (0, top, edge * 1.1, foot) if left else (stage.w - edge * 1.1, top, stage.w, foot)


def _water_colour(stage: Stage, named: Named) -> RGB:
    pal = stage.pal
    if named.colour:
        return pal.lit(named.colour)
    return mix(pal.sky_top, (20, 60, 110), 0.5)


def _sea(stage: Stage, named: Named) -> Box:
    box = _water(stage, named, stage.horizon, stage.horizon + (stage.h - stage.horizon) * 0.55,
                 rough="storm" in stage.weather)
    # The near ground is the shore: sand, unless a beach, a quay or a street is drawn there next.
    shore = stage.covered(stage.pal.lit((205, 190, 150)))
    stage.draw.rectangle((0, stage.water[1], stage.w, stage.h), fill=shore)  # type: ignore[index]
    return box


def _water(stage: Stage, named: Named, top: float, bottom: float, rough: bool) -> Box:
    rng, u = stage.rng("waves"), stage.unit
    water = _water_colour(stage, named)
    stage.draw.rectangle((0, top, stage.w, bottom), fill=water)
    crest = mix(water, (255, 255, 255), 0.45 if rough else 0.25)
    rows = 9
    for k in range(rows):  # wave lines, closer together towards the horizon
        y = top + (bottom - top) * ((k + 0.6) / rows) ** 1.6
        size = (6 + 30 * (y - top) / max(bottom - top, 1)) * u
        for x in np.arange(-rng.random() * size * 4, stage.w, size * (3.5 + rng.random())):
            stage.draw.arc((x, y - size * 0.4, x + size * 2, y + size * 0.4), 200, 340, fill=crest,
                           width=stage.line_w(2 if not rough else 3))
    stage.water = (top, bottom)
    return 0, top - (bottom - top) * 0.3, stage.w, bottom


def _lake(stage: Stage, named: Named) -> Box:
    ground = stage.h - stage.horizon
    far_bank = stage.horizon + ground * 0.08
    stage.draw.rectangle((0, stage.horizon, stage.w, far_bank), fill=mix(stage.pal.ground, stage.pal.sky_horizon, 0.3))
    return _water(stage, named, far_bank, stage.horizon + ground * 0.45, rough=False)


def _river(stage: Stage, named: Named) -> Box:
    rng = stage.rng("river")
    water = _water_colour(stage, named)
    if stage.water is not None:
        return None  # type: ignore[return-value]  # the sea or a lake is the water here
    ys = np.linspace(stage.horizon, stage.h, 12)
    t = (ys - stage.horizon) / max(stage.h - stage.horizon, 1)
    centre = stage.w * (0.5 + 0.25 * np.sin(t * 3 + rng.random() * 6) * t)
    half = stage.w * (0.01 + 0.28 * t)
    stage.draw.polygon([*zip((centre - half).tolist(), ys.tolist()),
                        *zip((centre + half)[::-1].tolist(), ys[::-1].tolist())],
                       fill=water)
    stage.water = (float(stage.horizon), float(stage.h))
    return float((centre - half).min()), stage.horizon, float((centre + half).max()), stage.h


def _beach(stage: Stage, named: Named) -> Box:
    top = stage.water[1] if stage.water else stage.horizon + (stage.h - stage.horizon) * 0.45
    sand = stage.covered(stage.pal.lit(named.colour or (222, 202, 150)))
    stage.draw.rectangle((0, top, stage.w, stage.h), fill=sand)
    foam = mix(sand, (255, 255, 255), 0.6)
    stage.draw.line((0, top, stage.w, top), fill=foam, width=stage.line_w(5))
    return 0, top - 30 * stage.unit, stage.w, stage.h


def _harbour(stage: Stage, named: Named) -> Box:
    pal, u = stage.pal, stage.unit
    if stage.water is None:
        _water(stage, Named(BY_NAME["sea"]), stage.horizon, stage.horizon + (stage.h - stage.horizon) * 0.55, False)
    quay = stage.water[1]  # type: ignore[index]
    stone = stage.covered(pal.lit(named.colour or (150, 145, 135)))
    stage.draw.rectangle((0, quay, stage.w, stage.h), fill=stone)
    stage.draw.rectangle((0, quay, stage.w, quay + 10 * u), fill=mix(stone, (0, 0, 0), 0.3))
    step = 90 * u
    for x in np.arange(0, stage.w, step):  # paving and bollards
        stage.draw.line((x, quay + 10 * u, x - 40 * u, stage.h), fill=mix(stone, (0, 0, 0), 0.15),
                        width=stage.line_w(2))
    for x in np.arange(step * 0.7, stage.w, step * 3.3):
        stage.draw.rectangle((x - 7 * u, quay - 14 * u, x + 7 * u, quay + 4 * u), fill=pal.lit((40, 40, 45)))
    posts = pal.lit((90, 70, 50))
    rng = stage.rng("harbour")
    for _ in range(5):  # mooring posts in the water
        x, y = stage.w * rng.random(), stage.horizon + (quay - stage.horizon) * (0.3 + 0.6 * rng.random())
        stage.draw.rectangle((x - 4 * u, y - 40 * u, x + 4 * u, y), fill=posts)
    stage.road = quay + 20 * u
    return 0, stage.horizon, stage.w, stage.h


def _field(stage: Stage, named: Named) -> Box:
    pal = stage.pal
    crop = stage.covered(pal.lit(named.colour or (150, 160, 70)))
    stage.draw.rectangle((0, stage.horizon, stage.w, stage.h), fill=crop)
    vanish = stage.w * (0.3 + 0.4 * stage.rng("field").random())
    furrow = mix(crop, (60, 50, 30), 0.25)
    for k in range(-12, 13):
        stage.draw.line((vanish, stage.horizon, vanish + k * stage.w * 0.12, stage.h), fill=furrow,
                        width=stage.line_w(2))
    hills(stage, mix(pal.ground, pal.sky_horizon, 0.45), 0.06, "field")
    return 0, stage.horizon - 0.06 * stage.h, stage.w, stage.h


def _desert(stage: Stage, named: Named) -> Box:
    pal, rng = stage.pal, stage.rng("desert")
    sand = stage.covered(pal.lit(named.colour or (225, 190, 130)))
    stage.draw.rectangle((0, stage.horizon, stage.w, stage.h), fill=sand)
    for k in range(3):  # dunes
        y = stage.horizon + (stage.h - stage.horizon) * (0.1 + 0.3 * k)
        xs = np.linspace(0, stage.w, 10)
        ys = y - np.sin(xs / stage.w * math.pi * (1.5 + k) + rng.random() * 6) * 25 * stage.unit
        stage.draw.polygon([(0, stage.h), *zip(xs.tolist(), ys.tolist()), (stage.w, stage.h)],
                           fill=mix(sand, (120, 80, 40), 0.08 * (k + 1)))
    return 0, stage.horizon, stage.w, stage.h


def _road(stage: Stage, named: Named) -> Box:
    pal, u = stage.pal, stage.unit
    asphalt = pal.lit(named.colour or (80, 80, 85))
    vanish = stage.w * (0.35 + 0.3 * stage.rng("road").random())
    stage.draw.polygon([(vanish - 6 * u, stage.horizon), (vanish + 6 * u, stage.horizon), (stage.w * 0.85, stage.h),
                        (stage.w * 0.15, stage.h)], fill=asphalt)
    paint = pal.lit((235, 225, 130))
    for k in range(8):  # the centre line, dashes growing nearer the camera
        t0, t1 = (k / 8) ** 1.8, ((k + 0.5) / 8) ** 1.8
        y0, y1 = stage.horizon + (stage.h - stage.horizon) * t0, stage.horizon + (stage.h - stage.horizon) * t1
        x0, x1 = vanish + (stage.w * 0.5 - vanish) * t0, vanish + (stage.w * 0.5 - vanish) * t1
        stage.draw.line((x0, y0, x1, y1), fill=paint, width=max(1, int(2 * u + 10 * u * t1)))
    stage.road = stage.horizon + (stage.h - stage.horizon) * 0.5
    return stage.w * 0.15, stage.horizon, stage.w * 0.85, stage.h


def _street(stage: Stage, named: Named) -> Box:
    pal, rng, u = stage.pal, stage.rng("street"), stage.unit
    ground = stage.h - stage.horizon
    kerb_far, kerb_near = stage.horizon + ground * 0.12, stage.horizon + ground * 0.55
    pavement = stage.covered(pal.lit((150, 148, 142)))
    stage.draw.rectangle((0, stage.horizon, stage.w, stage.h), fill=pavement)
    stage.draw.rectangle((0, kerb_far, stage.w, kerb_near), fill=pal.lit(named.colour or (72, 72, 78)))
    paint = pal.lit((230, 220, 120))
    y = (kerb_far + kerb_near) / 2
    for x in np.arange(0, stage.w, 160 * u):
        stage.draw.rectangle((x, y - 3 * u, x + 70 * u, y + 3 * u), fill=paint)
    # A row of fronts along the far pavement: shop windows below, windows above.
    x = -rng.random() * 100 * u
    fronts = (pal.lit((150, 90, 70)), pal.lit((120, 120, 130)), pal.lit((170, 150, 110)), pal.lit((100, 110, 90)))
    glass = (250, 215, 140) if pal.night else mix(pal.sky_horizon, (40, 50, 60), 0.4)
    top = float(stage.horizon)
    while x < stage.w:
        w, h = (140 + 80 * rng.random()) * u, stage.far * (1.8 + 1.4 * rng.random())
        stage.draw.rectangle((x, stage.horizon - h, x + w - 4 * u, stage.horizon), fill=fronts[int(rng.integers(4))])
        stage.draw.rectangle((x + 12 * u, stage.horizon - stage.far * 0.7, x + w - 16 * u, stage.horizon - 4 * u),
                             fill=glass)
        for wx in np.arange(x + 16 * u, x + w - 30 * u, 40 * u):
            for wy in np.arange(stage.horizon - h + 12 * u, stage.horizon - stage.far, 44 * u):
                stage.draw.rectangle((wx, wy, wx + 18 * u, wy + 24 * u), fill=glass if rng.random() < 0.6 else
                                     mix(glass, (30, 30, 40), 0.6))
        top = min(top, stage.horizon - h)
        x += w
    for k in range(2):  # street lamps on the near kerb
        lx = stage.w * (0.2 + 0.6 * k) + (rng.random() - 0.5) * 60 * u
        lamppost(stage, lx, kerb_near + 6 * u, stage.near * 1.2)
    stage.road = kerb_far + (kerb_near - kerb_far) * 0.7
    return 0, top, stage.w, stage.h


def lamppost(stage: Stage, x: float, base: float, h: float) -> Box:
    iron = stage.pal.lit((40, 42, 48))
    stage.draw.rectangle((x - h * 0.012, base - h, x + h * 0.012, base), fill=iron)
    stage.draw.line((x, base - h, x + h * 0.12, base - h * 0.98), fill=iron, width=max(1, int(h * 0.02)))
    head = (x + h * 0.12, base - h * 0.97)
    bulb = (255, 226, 150) if stage.pal.night else mix((230, 230, 220), stage.pal.sky_horizon, 0.3)
    if stage.pal.night or stage.pal.low_sun:
        glow(stage.image, head[0], head[1] + h * 0.03, h * 0.35, (255, 210, 130), 0.55)
    stage.draw.polygon([(head[0] - h * 0.05, head[1]), (head[0] + h * 0.05, head[1]),
                        (head[0] + h * 0.03, head[1] + h * 0.05),
                        (head[0] - h * 0.03, head[1] + h * 0.05)], fill=bulb)
    return x - h * 0.1, base - h, x + h * 0.2, base


def _bridge(stage: Stage, named: Named) -> Box:
    """A stone bridge across the frame on arches, whose openings show what was behind it."""
    pal, u = stage.pal, stage.unit
    deck = stage.horizon - stage.far * 0.9
    foot = stage.horizon + stage.far * 0.2
    stone = pal.lit(named.colour or (150, 135, 115))
    top, bottom = int(max(0, deck - stage.far * 0.5)), int(min(stage.h, foot + 1))
    behind = stage.image.crop((0, top, stage.w, bottom))
    stage.draw.rectangle((0, deck, stage.w, foot), fill=stone)
    openings = Image.new("L", behind.size, 0)
    cut = ImageDraw.Draw(openings)
    span = stage.w / 4
    for k in range(4):  # each arch: a half-ellipse on straight sides, down to the water
        x0, x1 = k * span + span * 0.14, (k + 1) * span - span * 0.02
        spring = deck + stage.far * 0.45
        cut.ellipse((x0, spring - stage.far * 0.3 - top, x1, spring + stage.far * 0.3 - top), fill=255)
        cut.rectangle((x0, spring - top, x1, foot - top), fill=255)
    stage.image.paste(behind, (0, top), openings)
    stage.draw.rectangle((0, deck - stage.far * 0.04, stage.w, deck + stage.far * 0.04),
                         fill=mix(stone, (0, 0, 0), 0.2))
    for x in np.arange(0, stage.w, 30 * u):  # the railing
        stage.draw.line((x, deck, x, deck - stage.far * 0.3), fill=stone, width=stage.line_w(3))
    stage.draw.line((0, deck - stage.far * 0.3, stage.w, deck - stage.far * 0.3), fill=stone, width=stage.line_w(4))
    stage.road = deck  # a train (or a car) crosses on it
    return 0, deck - stage.far * 0.5, stage.w, foot


def _lighthouse(stage: Stage, named: Named) -> Box:
    pal, rng = stage.pal, stage.rng("lighthouse")
    h = stage.far * 4.2
    x = stage.w * (0.14 + 0.2 * rng.random()) if rng.random() < 0.5 else stage.w * (0.66 + 0.2 * rng.random())
    base = stage.horizon + stage.far * 0.15
    if "cliff" in stage.boxes:
        x0, y0, x1, _ = stage.boxes["cliff"]
        x, base = (x0 + x1) / 2 - (x1 - x0) * 0.15 * (1 if x0 == 0 else -1), y0 + 4 * stage.unit
    _rocks_at(stage, x, base, stage.far * 1.2, pal.lit((55, 55, 60)))
    white = pal.lit(named.colour or (240, 240, 235))
    red = pal.lit((190, 40, 40))
    bw, tw = h * 0.14, h * 0.09  # the tower tapers
    stage.draw.polygon([(x - bw, base), (x + bw, base), (x + tw, base - h * 0.78), (x - tw, base - h * 0.78)],
                       fill=white)
    for k in range(3):  # red bands
        y0, y1 = base - h * (0.12 + 0.24 * k), base - h * (0.22 + 0.24 * k)
        w0, w1 = bw + (tw - bw) * (0.12 + 0.24 * k) / 0.78, bw + (tw - bw) * (0.22 + 0.24 * k) / 0.78
        stage.draw.polygon([(x - w0, y0), (x + w0, y0), (x + w1, y1), (x - w1, y1)], fill=red)
    stage.draw.rectangle((x - tw * 1.5, base - h * 0.8, x + tw * 1.5, base - h * 0.77), fill=pal.lit((40, 40, 45)))
    lamp_on = pal.night or pal.low_sun or pal.overcast
    glass = (255, 236, 150) if lamp_on else mix(pal.sky_horizon, (60, 70, 80), 0.5)
    if lamp_on:
        beam(stage, x, base - h * 0.87, h * 3.2, 1 if x < stage.w / 2 else -1)
        glow(stage.image, x, base - h * 0.87, h * 0.4, (255, 225, 140), 0.7)
    stage.draw.rectangle((x - tw, base - h * 0.94, x + tw, base - h * 0.8), fill=glass)
    stage.draw.line((x, base - h * 0.94, x, base - h * 0.8), fill=pal.lit((40, 40, 45)), width=stage.line_w(3))
    stage.draw.polygon([(x - tw * 1.2, base - h * 0.94), (x + tw * 1.2, base - h * 0.94), (x, base - h)], fill=red)
    return x - bw * 2, base - h * 1.02, x + bw * 2, base


def beam(stage: Stage, x: float, y: float, length: float, side: int) -> None:
    """A lighthouse's (or a headlight's) beam: a pale wedge of light."""
    spread = length * 0.12
    x0, x1 = int(max(0, min(x, x + side * length))), int(min(stage.w, max(x, x + side * length)))
    y0, y1 = int(max(0, y - spread)), int(min(stage.h, y + spread))
    if x1 <= x0 or y1 <= y0:
        return
    mask = Image.new("L", (x1 - x0, y1 - y0), 0)  # only the wedge's box: a full-frame mask costs ~20 ms at 1080p
    ImageDraw.Draw(mask).polygon([(x - x0, y - 4 - y0), (x + side * length - x0, y - spread - y0),
                                  (x + side * length - x0, y + spread - y0), (x - x0, y + 4 - y0)], fill=70)
    stage.image.paste((255, 240, 190), (x0, y0), mask)


def _rocks_at(stage: Stage, x: float, base: float, size: float, colour: RGB) -> Box:
    rng = stage.rng(f"rocks/{int(x)}")
    for k in range(5):
        rx = x + (rng.random() - 0.5) * size * 1.6
        rw, rh = size * (0.25 + 0.3 * rng.random()), size * (0.15 + 0.2 * rng.random())
        shade = mix(colour, (0, 0, 0), 0.2 * rng.random())
        stage.draw.polygon([(rx - rw, base + rh * 0.3), (rx - rw * 0.6, base - rh), (rx + rw * 0.3, base - rh * 1.2),
                            (rx + rw, base - rh * 0.2), (rx + rw * 0.8, base + rh * 0.3)], fill=shade)
    return x - size, base - size * 0.5, x + size, base + size * 0.2


def _rocks(stage: Stage, named: Named) -> Box:
    colour = stage.pal.lit(named.colour or (85, 82, 80))
    base = stage.water[1] if stage.water else stage.horizon + (stage.h - stage.horizon) * 0.3
    rng = stage.rng("rocks")
    box = _rocks_at(stage, stage.w * (0.1 + 0.8 * rng.random()), base, stage.near * 0.7, colour)
    if named.many:
        for _ in range(2):
            _rocks_at(stage, stage.w * rng.random(), base - (base - stage.horizon) * 0.3 * rng.random(),
                      stage.near * 0.45, colour)
    return box


def _tower(stage: Stage, named: Named) -> Box:
    pal, u = stage.pal, stage.unit
    h, w = stage.far * 3.2, stage.far * 0.55
    x = stage.spot("tower", w * 2, 0.1, 0.9)
    base = stage.horizon + 2 * u
    stone = pal.lit(named.colour or (160, 150, 135))
    stage.draw.rectangle((x - w / 2, base - h, x + w / 2, base), fill=stone)
    stage.draw.polygon([(x - w * 0.6, base - h), (x + w * 0.6, base - h), (x, base - h * 1.4)],
                       fill=pal.lit((90, 70, 70)))
    window = (250, 215, 140) if pal.night else pal.lit((40, 40, 50))
    for k in range(3):
        y = base - h * (0.3 + 0.22 * k)
        stage.draw.rectangle((x - w * 0.1, y - w * 0.3, x + w * 0.1, y), fill=window)
    face = (x, base - h * 0.86)
    clock_face(stage, face[0], face[1], w * 0.3)
    return x - w, base - h * 1.45, x + w, base


def _house(stage: Stage, named: Named) -> Box:
    pal, rng = stage.pal, stage.rng("house")
    box = None
    for k in range(3 if named.many else 1):
        s = stage.far * (1.6 if k == 0 else 1.2)
        w = s * 1.5
        x = stage.spot(f"house{k}", w * 1.2, 0.08, 0.92)
        base = stage.horizon + stage.far * 0.25
        wall = pal.lit(named.colour or ((225, 215, 190), (200, 170, 140), (180, 190, 200))[int(rng.integers(3))])
        stage.draw.rectangle((x - w / 2, base - s, x + w / 2, base), fill=wall)
        stage.draw.polygon([(x - w * 0.6, base - s), (x + w * 0.6, base - s), (x, base - s * 1.6)],
                           fill=pal.lit((140, 60, 50)))
        stage.draw.rectangle((x + w * 0.22, base - s * 1.5, x + w * 0.34, base - s * 1.15), fill=pal.lit((120, 60, 50)))
        glass = (250, 215, 140) if pal.night else mix(pal.sky_horizon, (40, 50, 70), 0.5)
        for wx in (x - w * 0.35, x + w * 0.15):
            stage.draw.rectangle((wx, base - s * 0.75, wx + w * 0.2, base - s * 0.4), fill=glass)
        stage.draw.rectangle((x - w * 0.08, base - s * 0.55, x + w * 0.08, base), fill=pal.lit((100, 65, 45)))
        box = box or (x - w * 0.6, base - s * 1.6, x + w * 0.6, base)
    return box  # type: ignore[return-value]


def _trees(stage: Stage, named: Named) -> Box:
    pal, rng = stage.pal, stage.rng("trees")
    box = None
    leaves = named.colour or (60, 130, 60)
    for k in range(5 if named.many else 1):
        depth = rng.random() if k else 0.5
        s = stage.far + (stage.near - stage.far) * depth * 0.6
        h = s * 2.2
        x = stage.spot(f"tree{k}", h * 0.6, 0.05, 0.95)
        base = stage.horizon + (stage.h - stage.horizon) * 0.25 * depth
        if rng.random() < 0.35:
            b = pine(stage, x, base, h, pal.lit(leaves))
        else:
            b = tree(stage, x, base, h, pal.lit(mix(leaves, (120, 140, 40), 0.3 * rng.random())))
        box = box or b
    return box  # type: ignore[return-value]


def tree(stage: Stage, x: float, base: float, h: float, leaves: RGB) -> Box:
    trunk = stage.pal.lit((95, 65, 40))
    stage.draw.rectangle((x - h * 0.05, base - h * 0.55, x + h * 0.05, base), fill=trunk)
    for dx, dy, r in ((0, 0.7, 0.3), (-0.2, 0.55, 0.22), (0.2, 0.55, 0.22), (0, 0.45, 0.2)):
        cx, cy, rr = x + dx * h, base - dy * h, r * h
        stage.draw.ellipse((cx - rr, cy - rr, cx + rr, cy + rr), fill=leaves)
    return x - h * 0.45, base - h, x + h * 0.45, base


def _fence(stage: Stage, named: Named) -> Box:
    pal, u = stage.pal, stage.unit
    wood = pal.lit(named.colour or (200, 190, 170))
    base = stage.horizon + (stage.h - stage.horizon) * 0.28
    h = stage.near * 0.35
    x0, x1 = stage.w * 0.02, stage.w * 0.98
    step = max(8 * u, h * 0.3)
    for x in np.arange(x0, x1, step):
        stage.draw.polygon([(x, base), (x, base - h), (x + step * 0.25, base - h * 1.1), (x + step * 0.5, base - h),
                            (x + step * 0.5, base)], fill=wood)
    for y in (base - h * 0.75, base - h * 0.3):
        stage.draw.rectangle((x0, y - h * 0.05, x1, y + h * 0.05), fill=mix(wood, (0, 0, 0), 0.15))
    return x0, base - h * 1.2, x1, base


def _train(stage: Stage, named: Named) -> Box:
    pal, rng, u = stage.pal, stage.rng("train"), stage.unit
    s = stage.far * 1.3
    on_bridge = "bridge" in stage.boxes
    base = stage.road if on_bridge and stage.road else stage.horizon + (stage.h - stage.horizon) * 0.12
    if on_bridge:
        s = stage.far * 0.8
    else:  # its own track
        rail = pal.lit((70, 65, 60))
        for y in (base, base + s * 0.08):
            stage.draw.line((0, y, stage.w, y), fill=rail, width=stage.line_w(3))
        for x in np.arange(0, stage.w, s * 0.3):
            stage.draw.line((x, base - 2 * u, x - s * 0.05, base + s * 0.12), fill=mix(rail, (90, 60, 40), 0.5),
                            width=stage.line_w(4))
    body = pal.lit(named.colour or ((180, 40, 40), (40, 90, 160), (60, 120, 70))[int(rng.integers(3))])
    glass = (250, 220, 150) if pal.night else mix(pal.sky_horizon, (40, 50, 60), 0.5)
    x = stage.w * (0.05 + 0.3 * rng.random())
    car_w = s * 2.4
    for k in range(4):  # the engine, then carriages
        x0 = x + k * (car_w + s * 0.08)
        top = base - s * (1.0 if k else 1.1)
        stage.draw.rounded_rectangle((x0, top, x0 + car_w, base - s * 0.12), radius=s * 0.1, fill=body)
        for wx in np.arange(x0 + s * 0.2, x0 + car_w - s * 0.3, s * 0.45):
            stage.draw.rectangle((wx, top + s * 0.18, wx + s * 0.28, top + s * 0.45), fill=glass)
        for wx in (x0 + s * 0.35, x0 + car_w - s * 0.35):
            stage.draw.ellipse((wx - s * 0.12, base - s * 0.24, wx + s * 0.12, base), fill=pal.lit((30, 30, 30)))
    if pal.night:
        glow(stage.image, x, base - s * 0.5, s * 0.8, (255, 230, 160), 0.6)
    return x, base - s * 1.2, min(stage.w, x + 4 * car_w), base


def _boat(stage: Stage, named: Named) -> Box:
    pal, rng = stage.pal, stage.rng("boat")
    top, bottom = stage.water or (stage.horizon, stage.horizon + (stage.h - stage.horizon) * 0.4)
    box = None
    count = 3 if named.many else 1
    for k in range(count):
        depth = 0.75 if k == 0 else 0.2 + 0.5 * rng.random()  # 0 far, 1 near
        s = stage.far + (stage.near - stage.far) * depth * 0.8
        w = s * 1.6
        x = stage.spot(f"boat{k}", w * 1.1, 0.08, 0.92)
        base = top + (bottom - top) * (0.2 + 0.7 * depth)
        hull = pal.lit(named.colour or ((190, 50, 40), (40, 80, 150), (235, 235, 230),
                                        (50, 110, 80))[int(rng.integers(4))])
        b = boat(stage, x, base, w, hull, sail=rng.random() < 0.35)
        box = box or b
    return box  # type: ignore[return-value]


def boat(stage: Stage, x: float, base: float, w: float, hull: RGB, sail: bool) -> Box:
    pal = stage.pal
    h = w * 0.22
    stage.draw.polygon([(x - w / 2, base - h), (x + w / 2 + w * 0.08, base - h * 1.25), (x + w * 0.38, base),
                        (x - w * 0.42, base)], fill=hull)
    stage.draw.line((x - w / 2, base - h, x + w / 2 + w * 0.08, base - h * 1.25), fill=mix(hull, (255, 255, 255), 0.5),
                    width=max(1, int(w * 0.015)))
    mast = pal.lit((70, 55, 40))
    if sail:
        stage.draw.line((x, base - h, x, base - h - w * 0.9), fill=mast, width=max(1, int(w * 0.015)))
        stage.draw.polygon([(x + w * 0.02, base - h - w * 0.85), (x + w * 0.02, base - h * 1.2),
                            (x + w * 0.42, base - h * 1.2)], fill=pal.lit((240, 236, 220)))
        return x - w / 2, base - h - w * 0.9, x + w * 0.6, base
    cabin = pal.lit((235, 232, 220))
    stage.draw.rectangle((x - w * 0.28, base - h - w * 0.25, x + w * 0.02, base - h), fill=cabin)
    glass = (250, 220, 150) if pal.night else mix(pal.sky_horizon, (40, 50, 70), 0.5)
    stage.draw.rectangle((x - w * 0.22, base - h - w * 0.2, x - w * 0.04, base - h - w * 0.12), fill=glass)
    stage.draw.line((x - w * 0.13, base - h - w * 0.25, x - w * 0.13, base - h - w * 0.6), fill=mast,
                    width=max(1, int(w * 0.012)))
    return x - w / 2, base - h - w * 0.6, x + w * 0.6, base


def _car(stage: Stage, named: Named) -> Box:
    pal, rng = stage.pal, stage.rng("car")
    base = stage.road or stage.horizon + (stage.h - stage.horizon) * 0.3
    box = None
    for k in range(2 if named.many else 1):
        s = stage.near * (0.9 if k == 0 else 0.7)
        w = s * 1.5
        x = stage.spot(f"car{k}", w * 1.05, 0.1, 0.9)
        b = base + (stage.h - base) * 0.05 * k
        body = pal.lit(named.colour or ((190, 40, 40), (40, 70, 150), (230, 230, 230), (40, 40, 45), (230, 190, 40))
                       [int(rng.integers(5))])
        box = box or car(stage, x, b, w, body, facing=1 if rng.random() < 0.5 else -1)
    return box  # type: ignore[return-value]


def car(stage: Stage, x: float, base: float, w: float, body: RGB, facing: int) -> Box:
    pal = stage.pal
    h = w * 0.28
    stage.draw.rounded_rectangle((x - w / 2, base - h, x + w / 2, base - h * 0.2), radius=h * 0.25, fill=body)
    cab = [(x - w * 0.3, base - h), (x - w * 0.18, base - h * 1.75), (x + w * 0.16, base - h * 1.75),
           (x + w * 0.3, base - h)]
    stage.draw.polygon(cab, fill=body)
    glass = (70, 80, 100) if pal.night else mix(pal.sky_horizon, (40, 50, 70), 0.45)
    stage.draw.polygon([(x - w * 0.26, base - h * 1.05), (x - w * 0.16, base - h * 1.65),
                        (x - w * 0.01, base - h * 1.65),
                        (x - w * 0.01, base - h * 1.05)], fill=glass)
    stage.draw.polygon([(x + w * 0.02, base - h * 1.05), (x + w * 0.02, base - h * 1.65),
                        (x + w * 0.14, base - h * 1.65),
                        (x + w * 0.26, base - h * 1.05)], fill=glass)
    tyre = (25, 25, 28)
    for wx in (x - w * 0.3, x + w * 0.3):
        stage.draw.ellipse((wx - h * 0.42, base - h * 0.84, wx + h * 0.42, base), fill=tyre)
        stage.draw.ellipse((wx - h * 0.18, base - h * 0.6, wx + h * 0.18, base - h * 0.24),
                           fill=pal.lit((170, 170, 175)))
    front = x + facing * w / 2
    if pal.night:
        glow(stage.image, front, base - h * 0.6, h * 1.3, (255, 240, 190), 0.6)
    stage.draw.ellipse((front - h * 0.12, base - h * 0.75, front + h * 0.12, base - h * 0.5),
                       fill=(255, 245, 200) if pal.night else pal.lit((240, 240, 220)))
    return x - w / 2, base - h * 1.8, x + w / 2, base


def _bench(stage: Stage, named: Named) -> Box:
    pal = stage.pal
    s = stage.near
    w = s * 0.9
    x = stage.spot("bench", w, 0.1, 0.9)
    base = stage.horizon + (stage.h - stage.horizon) * 0.2
    wood, iron = pal.lit(named.colour or (150, 100, 60)), pal.lit((40, 40, 45))
    stage.draw.rectangle((x - w / 2, base - s * 0.27, x + w / 2, base - s * 0.23), fill=wood)
    for k in range(3):
        y = base - s * (0.33 + 0.07 * k)
        stage.draw.rectangle((x - w / 2, y - s * 0.025, x + w / 2, y), fill=wood)
    for lx in (x - w * 0.42, x + w * 0.42):
        stage.draw.rectangle((lx - s * 0.015, base - s * 0.5, lx + s * 0.015, base), fill=iron)
    return x - w / 2, base - s * 0.5, x + w / 2, base


def _lamppost(stage: Stage, named: Named) -> Box:
    x = stage.spot("lamppost", stage.near * 0.3, 0.1, 0.9)
    return lamppost(stage, x, stage.horizon + (stage.h - stage.horizon) * 0.2, stage.near * 1.2)


def facade_span(stage: Stage) -> tuple[float, float]:
    w = stage.w * 0.28
    return (0, w) if stage.rng("facade").random() < 0.5 else (stage.w - w, stage.w)


def _facade(stage: Stage, named: Named) -> Box:
    """A door or a window named out of doors: the front of a building standing at one side."""
    pal = stage.pal
    x0, x1 = facade_span(stage)
    w = x1 - x0
    base = stage.horizon + (stage.h - stage.horizon) * 0.3
    wall = pal.lit((190, 170, 150))
    stage.draw.rectangle((x0, 0, x1, base), fill=wall)
    s = stage.near
    cx = (x0 + x1) / 2
    if named.piece.name == "door":
        door(stage, cx, base, s * 1.15, pal.lit(named.colour or (110, 60, 40)), ajar=named.in_action)
    else:
        window_frame(stage, cx - w * 0.3, base - s * 1.4, w * 0.6, s * 0.8, None)
    return x0, 0, x1, base


def _campfire(stage: Stage, named: Named) -> Box:
    s = stage.near
    x = stage.spot("fire", s * 0.6, 0.15, 0.85)
    base = stage.horizon + (stage.h - stage.horizon) * 0.25
    logs = stage.pal.lit((90, 60, 35))
    stage.draw.line((x - s * 0.25, base, x + s * 0.25, base - s * 0.06), fill=logs, width=max(1, int(s * 0.05)))
    stage.draw.line((x - s * 0.25, base - s * 0.06, x + s * 0.25, base), fill=logs, width=max(1, int(s * 0.05)))
    return flames(stage, x, base - s * 0.03, s * 0.45)


DRAWINGS: dict[str, Callable[[Stage, Named], Box | None]] = {
    "sun": _sun, "moon": _moon, "clouds": _clouds, "stars": _stars, "birds": _birds, "plane": _plane,
    "mountain": _mountain, "hills": _hills, "city": _city, "forest": _forest, "cliff": _cliff,
    "sea": _sea, "lake": _lake, "river": _river, "beach": _beach, "harbour": _harbour, "field": _field,
    "desert": _desert, "road": _road, "street": _street, "bridge": _bridge, "lighthouse": _lighthouse,
    "tower": _tower, "house": _house, "trees": _trees, "rocks": _rocks, "fence": _fence, "train": _train,
    "boat": _boat, "car": _car, "bench": _bench,
}
# Indoor pieces named out of doors, drawn otherwise: a lamp is a lamppost, a fire a campfire, a door or a
# window a house front, a clock a clock tower.
OUT_OF_DOORS: dict[str, Callable[[Stage, Named], Box | None]] = {
    "lamp": _lamppost, "fire": _campfire, "door": _facade, "window": _facade, "clock": _tower,
}
