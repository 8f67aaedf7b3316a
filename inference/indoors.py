"""Set pieces in a room: on its back wall (a window frame, a door, a clock, a painting), standing on
its floor (a bookcase, a table, chairs, a sofa, a desk, a bed, a kitchen, a shop counter, a bar, stairs,
a fireplace, a machine, a plant) and small things on its surfaces (a computer, a phone, candles, a cup,
a lamp). Each draws itself on a Stage and returns its box; tables, desks and counters leave surfaces."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw

from inference.palette import RGB, mix
from inference.setpieces import Named
from inference.stage import Box, Stage, glow, gradient


def window_frame(stage: Stage, x: float, y: float, w: float, h: float, view: Image.Image | None) -> Box:
    """A window with its panes; `view` (w x h) is what shows through it."""
    u = stage.unit
    frame = stage.pal.lit((245, 245, 240))
    stage.draw.rectangle((x - 6 * u, y - 6 * u, x + w + 6 * u, y + h + 6 * u), fill=frame)
    if view is not None:
        stage.image.paste(view.resize((max(int(w), 1), max(int(h), 1))) if view.size != (int(w), int(h)) else view,
                          (int(x), int(y)))
    else:
        stage.draw.rectangle((x, y, x + w, y + h), fill=(250, 215, 140) if stage.pal.night else
                             mix(stage.pal.sky_horizon, (40, 50, 70), 0.4))
    stage.draw.line((x + w / 2, y, x + w / 2, y + h), fill=frame, width=stage.line_w(5))
    stage.draw.line((x, y + h / 2, x + w, y + h / 2), fill=frame, width=stage.line_w(5))
    stage.draw.rectangle((x - 14 * u, y + h + 4 * u, x + w + 14 * u, y + h + 14 * u), fill=mix(frame, (0, 0, 0), 0.15))
    return x - 14 * u, y - 6 * u, x + w + 14 * u, y + h + 14 * u


def _wall_spot(stage: Stage, name: str, width: float) -> float:
    return stage.spot(name, width, 0.05, 0.95)


def door(stage: Stage, x: float, base: float, h: float, wood: RGB, ajar: bool = False) -> Box:
    """A panelled door; `ajar`: swung open on the light (or the dark) beyond."""
    w = h * 0.45
    frame = mix(wood, (0, 0, 0), 0.3)
    stage.draw.rectangle((x - w / 2 - h * 0.03, base - h - h * 0.03, x + w / 2 + h * 0.03, base), fill=frame)
    if ajar:
        beyond = (255, 222, 160) if stage.pal.night else mix(stage.pal.wall, (20, 18, 16), 0.7)
        stage.draw.rectangle((x - w / 2, base - h, x + w / 2, base), fill=beyond)
        stage.draw.polygon([(x - w / 2, base - h), (x - w * 0.05, base - h * 1.02), (x - w * 0.05, base + h * 0.02),
                            (x - w / 2, base)], fill=wood)
        return x - w / 2 - h * 0.03, base - h * 1.03, x + w / 2 + h * 0.03, base
    stage.draw.rectangle((x - w / 2, base - h, x + w / 2, base), fill=wood)
    for y0, y1 in ((0.08, 0.45), (0.55, 0.92)):
        stage.draw.rectangle((x - w * 0.35, base - h * (1 - y0), x + w * 0.35, base - h * (1 - y1)),
                             outline=mix(wood, (0, 0, 0), 0.2), width=max(1, int(h * 0.012)))
    k = h * 0.03
    stage.draw.ellipse((x + w * 0.32 - k, base - h * 0.5 - k, x + w * 0.32 + k, base - h * 0.5 + k),
                       fill=(210, 180, 90))
    return x - w / 2 - h * 0.03, base - h * 1.03, x + w / 2 + h * 0.03, base


def _door(stage: Stage, named: Named) -> Box:
    h = stage.near * 1.15
    x = _wall_spot(stage, "door", h * 0.55)
    return door(stage, x, stage.horizon, h, stage.pal.lit(named.colour or (120, 80, 55)), ajar=named.in_action)


def clock_face(stage: Stage, x: float, y: float, r: float) -> Box:
    pal = stage.pal
    stage.draw.ellipse((x - r * 1.12, y - r * 1.12, x + r * 1.12, y + r * 1.12), fill=pal.lit((90, 60, 40)))
    stage.draw.ellipse((x - r, y - r, x + r, y + r), fill=pal.lit((245, 240, 225)))
    ink = (30, 30, 30)
    for k in range(12):
        a = k * math.pi / 6
        stage.draw.line((x + math.cos(a) * r * 0.8, y + math.sin(a) * r * 0.8, x + math.cos(a) * r * 0.92,
                         y + math.sin(a) * r * 0.92), fill=ink, width=max(1, int(r * 0.05)))
    hour = stage.rng("clock/time").random() * 12
    for angle, length, width in ((hour / 12 * 2 * math.pi, 0.5, 0.08), (hour % 1 * 2 * math.pi, 0.78, 0.05)):
        stage.draw.line((x, y, x + math.sin(angle) * r * length, y - math.cos(angle) * r * length), fill=ink,
                        width=max(1, int(r * width)))
    return x - r * 1.3, y - r * 1.3, x + r * 1.3, y + r * 1.3


def _clock(stage: Stage, named: Named) -> Box:
    r = stage.near * 0.12
    x = _wall_spot(stage, "clock", r * 2.4)
    return clock_face(stage, x, stage.horizon - stage.near * 0.95, r)


def _painting(stage: Stage, named: Named) -> Box:
    pal = stage.pal
    w, h = stage.near * 0.5, stage.near * 0.36
    x = _wall_spot(stage, "painting", w * 1.1)
    y = stage.horizon - stage.near * 1.05
    stage.draw.rectangle((x - w / 2, y, x + w / 2, y + h), fill=pal.lit(named.colour or (170, 130, 50)))
    inner = (int(x - w * 0.42), int(y + h * 0.1), int(x + w * 0.42), int(y + h * 0.9))
    art = gradient(inner[2] - inner[0], inner[3] - inner[1], pal.lit((90, 140, 200)), pal.lit((240, 200, 150)))
    ImageDraw.Draw(art).polygon([(0, art.height), (art.width * 0.4, art.height * 0.45), (art.width, art.height)],
                                fill=pal.lit((70, 110, 70)))
    stage.image.paste(art, inner[:2])
    return x - w / 2, y, x + w / 2, y + h


def _book(stage: Stage, named: Named) -> Box:
    pal, rng = stage.pal, stage.rng("book")
    w, h = stage.near * 0.7, stage.near * 1.05
    x = stage.spot("book", w, 0.05, 0.95)
    base = stage.horizon
    wood = pal.lit((110, 75, 50))
    stage.draw.rectangle((x - w / 2, base - h, x + w / 2, base), fill=wood)
    spines = ((150, 40, 40), (40, 70, 130), (60, 110, 60), (190, 160, 60), (110, 60, 120), (200, 190, 170))
    for k in range(4):  # four shelves of books
        y1 = base - h * (0.04 + 0.24 * k)
        y0 = y1 - h * 0.2
        stage.draw.rectangle((x - w * 0.46, y0, x + w * 0.46, y1), fill=mix(wood, (0, 0, 0), 0.35))
        bx = x - w * 0.45
        while bx < x + w * 0.43:
            bw = w * (0.035 + 0.03 * rng.random())
            top = y0 + h * 0.03 * rng.random()
            stage.draw.rectangle((bx, top, min(bx + bw, x + w * 0.45), y1), fill=pal.lit(spines[int(rng.integers(6))]))
            bx += bw + 1
    return x - w / 2, base - h, x + w / 2, base


def _table(stage: Stage, named: Named) -> Box:
    s = stage.near
    w = s * 0.95
    x = stage.spot("table", w, 0.2, 0.8)
    base, h = stage.horizon + (stage.h - stage.horizon) * 0.12, s * 0.42
    box = table(stage, x, base, w, h, stage.pal.lit(named.colour or (140, 95, 60)))
    if named.in_action:  # the table the action names is laid: a cloth and two plates
        cloth = stage.pal.lit((240, 236, 225))
        stage.draw.polygon([(x - w * 0.52, base - h), (x + w * 0.52, base - h), (x + w * 0.5, base - h * 0.55),
                            (x - w * 0.5, base - h * 0.55)], fill=cloth)
        for px in (x - w * 0.25, x + w * 0.2):
            stage.draw.ellipse((px - w * 0.1, base - h - s * 0.03, px + w * 0.1, base - h + s * 0.01),
                               fill=stage.pal.lit((250, 250, 250)), outline=stage.pal.lit((170, 60, 50)))
    return box


def table(stage: Stage, x: float, base: float, w: float, h: float, wood: RGB) -> Box:
    stage.draw.rectangle((x - w / 2, base - h, x + w / 2, base - h * 0.9), fill=wood)
    stage.draw.rectangle((x - w / 2 + w * 0.05, base - h * 0.9, x - w / 2 + w * 0.1, base),
                         fill=mix(wood, (0, 0, 0), 0.15))
    stage.draw.rectangle((x + w / 2 - w * 0.1, base - h * 0.9, x + w / 2 - w * 0.05, base),
                         fill=mix(wood, (0, 0, 0), 0.15))
    stage.surfaces.append((x - w / 2, x + w / 2, base - h))
    return x - w / 2, base - h, x + w / 2, base


def _chair(stage: Stage, named: Named) -> Box:
    pal, s = stage.pal, stage.near
    box = None
    for k in range(2 if named.many else 1):
        x = stage.spot(f"chair{k}", s * 0.35, 0.1, 0.9)
        base = stage.horizon + (stage.h - stage.horizon) * 0.15
        wood = pal.lit(named.colour or (120, 80, 50))
        w, seat = s * 0.26, s * 0.25
        stage.draw.rectangle((x - w / 2, base - seat - s * 0.03, x + w / 2, base - seat), fill=wood)
        stage.draw.rectangle((x - w / 2, base - seat - s * 0.32, x - w / 2 + s * 0.03, base), fill=wood)
        stage.draw.rectangle((x - w / 2, base - seat - s * 0.32, x + w / 2, base - seat - s * 0.26), fill=wood)
        stage.draw.rectangle((x + w / 2 - s * 0.03, base - seat, x + w / 2, base), fill=wood)
        box = box or (x - w / 2, base - seat - s * 0.32, x + w / 2, base)
    return box  # type: ignore[return-value]


def _sofa(stage: Stage, named: Named) -> Box:
    pal, s = stage.pal, stage.near
    w = s * 1.3
    x = stage.spot("sofa", w, 0.15, 0.85)
    base = stage.horizon + (stage.h - stage.horizon) * 0.1
    cloth = pal.lit(named.colour or (90, 110, 150))
    dark = mix(cloth, (0, 0, 0), 0.2)
    stage.draw.rounded_rectangle((x - w / 2, base - s * 0.5, x + w / 2, base - s * 0.1), radius=s * 0.06, fill=dark)
    stage.draw.rectangle((x - w / 2 + s * 0.1, base - s * 0.28, x + w / 2 - s * 0.1, base - s * 0.1), fill=cloth)
    for side in (-1, 1):
        stage.draw.rounded_rectangle((x + side * w / 2 - s * 0.1, base - s * 0.34, x + side * w / 2 + s * 0.02 * side,
                                      base - s * 0.05), radius=s * 0.04, fill=dark)
    stage.draw.line((x, base - s * 0.48, x, base - s * 0.28), fill=mix(cloth, (0, 0, 0), 0.35), width=stage.line_w(3))
    return x - w / 2, base - s * 0.5, x + w / 2, base


def _desk(stage: Stage, named: Named) -> Box:
    pal, s = stage.pal, stage.near
    w = s * 1.0
    x = stage.spot("desk", w, 0.2, 0.8)
    base = stage.horizon + (stage.h - stage.horizon) * 0.12
    wood = pal.lit(named.colour or (120, 85, 55))
    h = s * 0.42
    stage.draw.rectangle((x - w / 2, base - h, x + w / 2, base - h * 0.92), fill=mix(wood, (255, 255, 255), 0.1))
    stage.draw.rectangle((x + w * 0.1, base - h * 0.92, x + w / 2, base), fill=wood)
    for k in range(3):
        y = base - h * (0.85 - 0.28 * k)
        stage.draw.rectangle((x + w * 0.14, y, x + w * 0.46, y + h * 0.2), outline=mix(wood, (0, 0, 0), 0.3),
                             width=stage.line_w(2))
    stage.draw.rectangle((x - w / 2, base - h * 0.92, x - w / 2 + w * 0.05, base), fill=wood)
    stage.surfaces.append((x - w / 2, x + w / 2, base - h))
    return x - w / 2, base - h, x + w / 2, base


def _bed(stage: Stage, named: Named) -> Box:
    pal, s = stage.pal, stage.near
    w = s * 1.5
    x = stage.spot("bed", w, 0.25, 0.75)
    base = stage.horizon + (stage.h - stage.horizon) * 0.18
    wood = pal.lit((120, 80, 55))
    stage.draw.rectangle((x - w / 2, base - s * 0.55, x - w / 2 + s * 0.05, base), fill=wood)
    stage.draw.rounded_rectangle((x - w / 2, base - s * 0.3, x + w / 2, base - s * 0.08), radius=s * 0.04,
                                 fill=pal.lit((235, 235, 240)))
    stage.draw.rounded_rectangle((x - w / 2 + s * 0.35, base - s * 0.32, x + w / 2, base - s * 0.06), radius=s * 0.04,
                                 fill=pal.lit(named.colour or (120, 140, 200)))
    stage.draw.rounded_rectangle((x - w / 2 + s * 0.07, base - s * 0.4, x - w / 2 + s * 0.3, base - s * 0.28),
                                 radius=s * 0.04, fill=pal.lit((250, 250, 250)))
    stage.draw.rectangle((x - w / 2, base - s * 0.08, x + w / 2, base), fill=wood)
    return x - w / 2, base - s * 0.55, x + w / 2, base


def _kitchen(stage: Stage, named: Named) -> Box:
    pal, u, s = stage.pal, stage.unit, stage.near
    top = stage.horizon - s * 0.45
    wood = pal.lit(named.colour or (150, 110, 70))
    counter = pal.lit((210, 210, 205))
    x0, x1 = 0, stage.w
    stage.draw.rectangle((x0, top, x1, stage.horizon + 4 * u), fill=wood)
    stage.draw.rectangle((x0, top - s * 0.03, x1, top), fill=counter)
    for x in np.arange(x0 + 10 * u, x1, s * 0.42):  # cupboard doors, below and above
        stage.draw.rectangle((x, top + s * 0.05, x + s * 0.36, stage.horizon - 4 * u),
                             outline=mix(wood, (0, 0, 0), 0.3),
                             width=stage.line_w(3))
        stage.draw.rectangle((x, top - s * 0.95, x + s * 0.36, top - s * 0.6), fill=wood,
                             outline=mix(wood, (0, 0, 0), 0.3),
                             width=stage.line_w(3))
    sx = stage.spot("stove", s * 0.5, 0.1, 0.9)
    stage.draw.rectangle((sx - s * 0.25, top - s * 0.03, sx + s * 0.25, stage.horizon), fill=pal.lit((60, 60, 65)))
    stage.draw.rectangle((sx - s * 0.2, top + s * 0.12, sx + s * 0.2, stage.horizon - s * 0.05),
                         fill=pal.lit((25, 25, 28)))
    stage.draw.rectangle((sx - s * 0.12, top - s * 0.14, sx + s * 0.12, top - s * 0.03), fill=pal.lit((170, 170, 175)))
    stage.surfaces.append((x0, x1, top - s * 0.03))
    return sx - s * 0.6, top - s * 1.0, sx + s * 0.6, stage.horizon


def _counter(stage: Stage, named: Named) -> Box:
    pal, rng, s = stage.pal, stage.rng("counter"), stage.near
    w = stage.w * 0.7
    x = stage.w * 0.5
    top = stage.horizon + (stage.h - stage.horizon) * 0.1 - s * 0.45
    goods = ((200, 60, 50), (60, 120, 180), (230, 200, 70), (90, 160, 90), (220, 140, 60), (240, 240, 235))
    shelf = pal.lit((130, 95, 65))
    for k in range(3):  # shelves of goods on the back wall
        y = stage.horizon - s * (0.55 + 0.3 * k)
        stage.draw.rectangle((x - w * 0.48, y, x + w * 0.48, y + s * 0.025), fill=shelf)
        gx = x - w * 0.47
        while gx < x + w * 0.45:
            gw, gh = s * (0.05 + 0.05 * rng.random()), s * (0.1 + 0.12 * rng.random())
            stage.draw.rectangle((gx, y - gh, gx + gw, y), fill=pal.lit(goods[int(rng.integers(6))]))
            gx += gw + s * 0.015
    front = pal.lit(named.colour or (150, 100, 60))
    stage.draw.rectangle((x - w / 2, top, x + w / 2, stage.horizon + (stage.h - stage.horizon) * 0.1), fill=front)
    stage.draw.rectangle((x - w / 2 - s * 0.03, top - s * 0.03, x + w / 2 + s * 0.03, top),
                         fill=mix(front, (255, 255, 255), 0.3))
    tx = x + w * 0.3  # the till
    stage.draw.polygon([(tx - s * 0.1, top - s * 0.03), (tx + s * 0.1, top - s * 0.03), (tx + s * 0.07, top - s * 0.17),
                        (tx - s * 0.07, top - s * 0.17)], fill=pal.lit((70, 70, 75)))
    stage.surfaces.append((x - w / 2, tx - s * 0.15, top - s * 0.03))
    return x - w / 2, stage.horizon - s * 1.3, x + w / 2, stage.horizon + (stage.h - stage.horizon) * 0.1


def _bar(stage: Stage, named: Named) -> Box:
    pal, rng, s = stage.pal, stage.rng("bar"), stage.near
    wood = pal.lit(named.colour or (110, 65, 40))
    top = stage.horizon + 20 * stage.unit - s * 0.5
    for k in range(2):  # bottles on the back shelves
        y = stage.horizon - s * (0.6 + 0.28 * k)
        stage.draw.rectangle((0, y, stage.w, y + s * 0.02), fill=pal.lit((90, 60, 40)))
        for bx in np.arange(10 * stage.unit, stage.w, s * 0.07):
            colour = ((60, 120, 60), (140, 70, 30), (200, 200, 190), (120, 30, 40))[int(rng.integers(4))]
            bh = s * (0.14 + 0.06 * rng.random())
            stage.draw.rectangle((bx, y - bh * 0.7, bx + s * 0.04, y), fill=pal.lit(colour))
            stage.draw.rectangle((bx + s * 0.013, y - bh, bx + s * 0.027, y - bh * 0.7), fill=pal.lit(colour))
    stage.draw.rectangle((0, top, stage.w, stage.horizon + 20 * stage.unit), fill=wood)
    stage.draw.rectangle((0, top - s * 0.03, stage.w, top), fill=mix(wood, (255, 255, 255), 0.25))
    for x in np.arange(s * 0.3, stage.w, s * 0.6):  # stools
        stage.draw.ellipse((x - s * 0.1, stage.horizon + 25 * stage.unit, x + s * 0.1,
                            stage.horizon + 25 * stage.unit + s * 0.06),
                           fill=pal.lit((170, 40, 40)))
    stage.surfaces.append((0, stage.w, top - s * 0.03))
    return 0, stage.horizon - s * 0.95, stage.w, stage.horizon + 20 * stage.unit


def _stairs(stage: Stage, named: Named) -> Box:
    pal, s = stage.pal, stage.near
    left = stage.rng("stairs").random() < 0.5
    steps, rise = 9, s * 0.11
    run = stage.w * 0.035 if stage.w > stage.h else stage.w * 0.05
    x0 = stage.w * 0.04 if left else stage.w * 0.96
    sign = 1 if left else -1
    stage.taken.append(tuple(sorted((x0, x0 + sign * run * steps))))  # type: ignore[arg-type]
    base = stage.horizon + (stage.h - stage.horizon) * 0.05
    tread, riser = pal.lit(named.colour or (150, 110, 75)), pal.lit((110, 80, 55))
    points = [(x0, base)]
    for k in range(steps):
        points += [(x0 + sign * run * k, base - rise * (k + 1)), (x0 + sign * run * (k + 1), base - rise * (k + 1))]
    points += [(x0 + sign * run * steps, base)]
    stage.draw.polygon(points, fill=riser)
    for k in range(steps):
        y = base - rise * (k + 1)
        stage.draw.rectangle((min(x0 + sign * run * k, x0 + sign * run * (k + 1)), y,
                              max(x0 + sign * run * k, x0 + sign * run * (k + 1)), y + rise * 0.18), fill=tread)
    rail = pal.lit((80, 55, 35))
    stage.draw.line((x0, base - s * 0.45, x0 + sign * run * steps, base - rise * steps - s * 0.45), fill=rail,
                    width=stage.line_w(6))
    for k in range(0, steps, 2):
        x = x0 + sign * run * (k + 0.5)
        stage.draw.line((x, base - rise * (k + 1), x, base - rise * (k + 1) - s * 0.45), fill=rail,
                        width=stage.line_w(3))
    xs = sorted((x0, x0 + sign * run * steps))
    return xs[0], base - rise * steps - s * 0.5, xs[1], base


def flames(stage: Stage, x: float, base: float, h: float) -> Box:
    glow(stage.image, x, base - h * 0.4, h * 1.6, (255, 170, 80), 0.55)
    for colour, k in (((235, 90, 30), 1.0), ((250, 170, 40), 0.7), ((255, 235, 150), 0.4)):
        hh, ww = h * k, h * 0.35 * k
        stage.draw.polygon([(x - ww, base), (x - ww * 0.6, base - hh * 0.6), (x - ww * 0.2, base - hh * 0.45),
                            (x, base - hh), (x + ww * 0.3, base - hh * 0.5), (x + ww * 0.6, base - hh * 0.7),
                            (x + ww, base)], fill=colour)
    return x - h * 0.6, base - h * 1.1, x + h * 0.6, base


def _fire(stage: Stage, named: Named) -> Box:
    pal, s = stage.pal, stage.near
    w = s * 0.8
    x = stage.spot("fire", w, 0.15, 0.85)
    base = stage.horizon
    stone = pal.lit(named.colour or (150, 130, 120))
    stage.draw.rectangle((x - w / 2, base - s * 0.7, x + w / 2, base), fill=stone)
    stage.draw.rectangle((x - w / 2 - s * 0.05, base - s * 0.76, x + w / 2 + s * 0.05, base - s * 0.7),
                         fill=mix(stone, (0, 0, 0), 0.2))
    stage.draw.rectangle((x - w * 0.32, base - s * 0.48, x + w * 0.32, base), fill=(25, 18, 15))
    flames(stage, x, base - s * 0.02, s * 0.36)
    return x - w / 2, base - s * 0.8, x + w / 2, base


def _machine(stage: Stage, named: Named) -> Box:
    pal, rng, s = stage.pal, stage.rng("machine"), stage.near
    w, h = s * 0.55, s * 0.75
    x = stage.spot("machine", w, 0.1, 0.9)
    base = stage.horizon + (stage.h - stage.horizon) * (0.1 if stage.water is None else 0.0)
    if stage.water is not None:  # out of doors by the water: it sits on the quay
        base = stage.water[1] + (stage.h - stage.water[1]) * 0.2
        w, h = w * 0.6, h * 0.45
    body = pal.lit(named.colour or (130, 135, 140))
    stage.draw.rectangle((x - w / 2, base - h, x + w / 2, base), fill=body)
    stage.draw.rectangle((x - w * 0.4, base - h * 0.9, x + w * 0.4, base - h * 0.55), fill=mix(body, (0, 0, 0), 0.45))
    for k in range(3):  # dials
        cx, cy, r = x - w * 0.25 + k * w * 0.25, base - h * 0.72, w * 0.08
        stage.draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=pal.lit((230, 230, 220)))
        a = rng.random() * math.pi
        stage.draw.line((cx, cy, cx - math.cos(a) * r, cy - math.sin(a) * r), fill=(30, 30, 30), width=stage.line_w(2))
    for k in range(4):  # lights
        cx, cy, r = x - w * 0.3 + k * w * 0.2, base - h * 0.42, w * 0.035
        colour = ((240, 60, 50), (80, 220, 90), (250, 200, 60), (80, 160, 250))[k]
        stage.draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    for k in range(4):  # vents
        y = base - h * (0.3 - 0.06 * k)
        stage.draw.line((x - w * 0.35, y, x + w * 0.35, y), fill=mix(body, (0, 0, 0), 0.35), width=stage.line_w(2))
    return x - w / 2, base - h, x + w / 2, base


def _plant(stage: Stage, named: Named) -> Box:
    pal, s = stage.pal, stage.near
    x = stage.spot("plant", s * 0.3, 0.05, 0.95)
    base = stage.horizon + (stage.h - stage.horizon) * 0.08
    pot = pal.lit((180, 90, 60))
    stage.draw.polygon([(x - s * 0.09, base - s * 0.18), (x + s * 0.09, base - s * 0.18), (x + s * 0.07, base),
                        (x - s * 0.07, base)], fill=pot)
    leaf = pal.lit(named.colour or (60, 140, 70))
    for k in range(7):
        a = math.pi * (0.15 + 0.7 * k / 6)
        stage.draw.line((x, base - s * 0.18, x - math.cos(a) * s * 0.22, base - s * 0.18 - math.sin(a) * s * 0.3),
                        fill=leaf,
                        width=max(1, int(s * 0.03)))
    return x - s * 0.22, base - s * 0.5, x + s * 0.22, base


def _featured(stage: Stage, named: Named) -> float:
    """The scale of a small thing: bigger when the action names it (the shot is about it)."""
    return stage.near * (2.0 if named.in_action else 1.0)


def _on_surface(stage: Stage, name: str, width: float) -> tuple[float, float]:
    """Where a small thing stands: on a table, desk or counter, at its own place along it."""
    x0, x1, top = stage.surfaces[0] if stage.surfaces else (stage.w * 0.3, stage.w * 0.7, stage.horizon)
    t = stage.rng(name + "/on").random()
    return x0 + width / 2 + (x1 - x0 - width) * t, top


def _computer(stage: Stage, named: Named) -> Box:
    s = _featured(stage, named)
    x, top = _on_surface(stage, "computer", s * 0.4)
    body = stage.pal.lit(named.colour or (45, 45, 50))
    w, h = s * 0.36, s * 0.24
    stage.draw.rectangle((x - s * 0.03, top - s * 0.06, x + s * 0.03, top), fill=body)
    stage.draw.rectangle((x - w / 2, top - s * 0.06 - h, x + w / 2, top - s * 0.06), fill=body)
    screen = (120, 190, 240)
    glow(stage.image, x, top - s * 0.06 - h / 2, w * 1.1, screen, 0.3)
    stage.draw.rectangle((x - w / 2 + s * 0.015, top - s * 0.06 - h + s * 0.015, x + w / 2 - s * 0.015,
                          top - s * 0.075),
                         fill=screen)
    for k in range(4):  # lines of text on it
        y = top - s * 0.06 - h + s * (0.04 + 0.04 * k)
        stage.draw.line((x - w * 0.4, y, x + w * (0.1 + 0.07 * k), y), fill=(40, 80, 120), width=stage.line_w(2))
    stage.draw.polygon([(x - w * 0.45, top), (x + w * 0.45, top), (x + w * 0.4, top - s * 0.02),
                        (x - w * 0.4, top - s * 0.02)],
                       fill=mix(body, (255, 255, 255), 0.2))
    return x - w / 2, top - s * 0.06 - h, x + w / 2, top


def _phone(stage: Stage, named: Named) -> Box:
    s = _featured(stage, named)
    x, top = _on_surface(stage, "phone", s * 0.2)
    body = stage.pal.lit(named.colour or (40, 40, 45))
    w, h = s * 0.16, s * 0.06
    stage.draw.rounded_rectangle((x - w / 2, top - h, x + w / 2, top), radius=h * 0.3, fill=body)
    stage.draw.rounded_rectangle((x - w * 0.6, top - h * 1.6, x + w * 0.6, top - h * 1.05), radius=h * 0.25, fill=body)
    stage.draw.ellipse((x - h * 0.35, top - h * 0.85, x + h * 0.35, top - h * 0.15),
                       fill=stage.pal.lit((220, 220, 215)))
    return x - w, top - h * 2.5, x + w, top


def _candle(stage: Stage, named: Named) -> Box:
    s = _featured(stage, named)
    box = None
    for k in range(3 if named.many else 1):
        x, top = _on_surface(stage, f"candle{k}", s * 0.08)
        h = s * (0.12 + 0.04 * k)
        stage.draw.rectangle((x - s * 0.018, top - h, x + s * 0.018, top),
                             fill=stage.pal.lit(named.colour or (245, 240, 225)))
        glow(stage.image, x, top - h - s * 0.02, s * 0.3, (255, 200, 110), 0.6)
        f = s * 0.03
        stage.draw.polygon([(x - f * 0.5, top - h), (x, top - h - f * 1.8), (x + f * 0.5, top - h)],
                           fill=(255, 215, 110))
        box = box or (x - s * 0.15, top - h - s * 0.15, x + s * 0.15, top)
    return box  # type: ignore[return-value]


def _cup(stage: Stage, named: Named) -> Box:
    s = _featured(stage, named)
    x, top = _on_surface(stage, "cup", s * 0.1)
    w, h = s * 0.06, s * 0.07
    body = stage.pal.lit(named.colour or (235, 235, 230))
    stage.draw.rectangle((x - w / 2, top - h, x + w / 2, top), fill=body)
    stage.draw.arc((x + w * 0.3, top - h * 0.85, x + w * 0.9, top - h * 0.25), 270, 90, fill=body,
                   width=stage.line_w(3))
    steam = mix(stage.pal.wall, (255, 255, 255), 0.5)
    for k in (-1, 1):
        stage.draw.arc((x + k * w * 0.2 - w * 0.2, top - h * 2.2, x + k * w * 0.2 + w * 0.2, top - h * 1.2), 100, 260,
                       fill=steam, width=stage.line_w(2))
    return x - s * 0.1, top - h * 2.3, x + s * 0.1, top


def _lamp(stage: Stage, named: Named) -> Box:
    s = _featured(stage, named)
    shade = stage.pal.lit(named.colour or (235, 215, 170))
    if stage.surfaces:
        x, top = _on_surface(stage, "lamp", s * 0.25)
        h = s * 0.3
    else:  # a standard lamp on the floor
        x, top, h = stage.spot("lamp", s * 0.3, 0.08, 0.92), float(stage.horizon), s * 0.9
    stage.draw.rectangle((x - s * 0.012, top - h * 0.8, x + s * 0.012, top), fill=stage.pal.lit((60, 50, 40)))
    stage.draw.ellipse((x - s * 0.06, top - s * 0.02, x + s * 0.06, top + s * 0.005), fill=stage.pal.lit((60, 50, 40)))
    glow(stage.image, x, top - h * 0.85, s * 0.6, (255, 215, 140), 0.55 if stage.pal.night else 0.3)
    stage.draw.polygon([(x - s * 0.06, top - h), (x + s * 0.06, top - h), (x + s * 0.11, top - h * 0.72),
                        (x - s * 0.11, top - h * 0.72)], fill=shade)
    return x - s * 0.3, top - h - s * 0.1, x + s * 0.3, top


DRAWINGS: dict[str, Callable[[Stage, Named], Box | None]] = {
    "door": _door, "clock": _clock, "painting": _painting, "book": _book, "table": _table, "chair": _chair,
    "sofa": _sofa, "desk": _desk, "bed": _bed, "kitchen": _kitchen, "counter": _counter, "bar": _bar,
    "stairs": _stairs, "fire": _fire, "machine": _machine, "computer": _computer, "phone": _phone,
    "candle": _candle, "cup": _cup, "lamp": _lamp, "plant": _plant,
}
# The pieces whose tops a small thing can stand on.
SURFACES = ("table", "desk", "counter", "bar", "kitchen")
