"""The storyboard's set: the place a shot plays in, dressed with the pieces its words name.

An exterior is a sky, the far silhouettes on its horizon (mountains, a skyline, a forest), the ground
(sea, field, road, street), landmarks on it (a lighthouse, a bridge, houses, trees) and props near the
actors (boats, cars, benches): inference.outdoors. An interior is a back wall (a window, whose view is
an exterior drawn with the outdoor pieces and the weather; a door; a clock), its floor (a table, a bed,
a counter) and small things on its surfaces (a phone, a candle, a lamp): inference.indoors. Where each
piece stands comes from the location and the piece's name, so a place keeps its layout in every shot
of it; how big it is comes from the framing. Every drawn piece records its box: a close-up frames one
of them behind the face.

Each set also keeps its backdrop (Stage.backdrop): the picture as it stood before the pieces nearest
the actors came in (out of doors the landmarks and props; indoors what stands on the floor; in a cabin
its seats), which the living animatic (inference.rig) moves as its far layer.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from filmstudio.seeds import stable_seed
from filmstudio.v1 import script_pb2
from inference import indoors, outdoors
from inference.palette import Palette, mix
from inference.setpieces import BY_NAME, Dressing, Named, Place, pieces_in
from inference.stage import Stage, glow, gradient, horizon_for, new_stage

F = script_pb2


def draw_set(dressing: Dressing, pal: Palette, setting: int, location: str, width: int, height: int,
             framing: int) -> Stage:
    """The shot's set as a Stage whose image is the empty set, before the actors come in."""
    seed = stable_seed(location.upper().strip(), setting)
    if setting == F.SETTING_INTERIOR:
        return _interior(dressing, pal, seed, width, height, framing, location)
    stage = _exterior(dressing, pal, seed, width, height, framing)
    if setting == F.SETTING_INTERIOR_EXTERIOR:  # half inside, half out
        inside = _interior(dressing, pal, seed, width, height, framing, location)
        stage.image.paste(inside.image.crop((0, 0, width // 2, height)), (0, 0))
        stage.backdrop.paste(inside.backdrop.crop((0, 0, width // 2, height)), (0, 0))
        stage.boxes.update({k: b for k, b in inside.boxes.items() if b[2] <= width / 2})
    return stage


def _exterior(dressing: Dressing, pal: Palette, seed: int, width: int, height: int, framing: int,
              horizon: int | None = None, view: bool = False) -> Stage:
    """The set out of doors; a `view` (through a window) shows only the outdoor pieces."""
    horizon = horizon_for(framing, height) if horizon is None else horizon
    stage = new_stage(gradient(width, height, pal.sky_top, pal.sky_horizon), pal, seed, framing, horizon,
                       dressing.weather)
    by_place: dict[Place, list[Named]] = {place: [] for place in Place}
    for named in dressing.pieces:
        if named.piece.outdoors:
            by_place[named.piece.place].append(named)
    # The indoor pieces a set out of doors can hold: a lamppost, a campfire, a house front, a table.
    brought = [] if view else [n for n in dressing.pieces if not n.piece.outdoors and
                               (n.piece.name in outdoors.OUT_OF_DOORS or n.piece.place == Place.FLOOR)]
    names = {n.piece.name for n in dressing.pieces}

    outdoors.sky(stage, names)
    for named in by_place[Place.SKY]:
        _draw(stage, named)
    if not by_place[Place.FAR] and not by_place[Place.GROUND] and not by_place[Place.LANDMARK]:
        outdoors.generic_country(stage)  # a place the vocabulary does not know: hills and a few houses
    for named in by_place[Place.FAR]:
        _draw(stage, named)
    stage.draw.rectangle((0, horizon, width, height), fill=pal.ground)
    for named in sorted(by_place[Place.GROUND], key=lambda n: _GROUND_ORDER.index(n.piece.name)):
        _draw(stage, named)
    if not view:
        stage.backdrop = stage.image.copy()
    if any(n.piece.name in ("door", "window") for n in brought):
        stage.taken.append(outdoors.facade_span(stage))  # the house front stands at one side: landmarks go elsewhere
    for named in sorted(by_place[Place.LANDMARK], key=lambda n: _LANDMARK_ORDER.index(n.piece.name)):
        _draw(stage, named)
    for named in by_place[Place.PROP]:
        _draw(stage, named)
    for named in brought:
        _draw(stage, named, out_of_doors=True)
    return stage


_GROUND_ORDER = ("field", "desert", "sea", "lake", "harbour", "beach", "river", "road", "street")


# Far to near; a train after the bridge, which it crosses.
_LANDMARK_ORDER = ("bridge", "tower", "house", "lighthouse", "trees", "rocks", "fence", "train")


def _draw(stage: Stage, named: Named, out_of_doors: bool = False) -> None:
    if out_of_doors and named.piece.name in outdoors.OUT_OF_DOORS:
        draw = outdoors.OUT_OF_DOORS[named.piece.name]
    else:
        draw = outdoors.DRAWINGS.get(named.piece.name) or indoors.DRAWINGS[named.piece.name]
    box = draw(stage, named)
    if box is not None:
        stage.boxes.setdefault(named.piece.name, box)


_VEHICLES = ("car", "train", "boat", "plane")


def _interior(dressing: Dressing, pal: Palette, seed: int, width: int, height: int, framing: int,
              location: str) -> Stage:
    # The place alone says whether we sit in a vehicle ("INT. TAXI"; a taxi in the action is outside).
    vehicle = next((n.piece.name for n in pieces_in(location) if n.piece.name in _VEHICLES), None)
    if vehicle is not None:
        return _cabin(dressing, pal, seed, width, height, framing, vehicle)
    horizon = horizon_for(framing, height)
    stage = new_stage(Image.new("RGB", (width, height), pal.wall), pal, seed, framing, horizon, dressing.weather)
    draw, u = stage.draw, stage.unit
    draw.rectangle((0, horizon, width, height), fill=pal.floor)
    draw.line((0, horizon, width, horizon), fill=mix(pal.wall, (0, 0, 0), 0.4), width=stage.line_w(3))
    indoor = [n for n in dressing.pieces if not n.piece.outdoors]
    names = [n.piece.name for n in indoor]

    # The back wall: a window always (the time of day shows through it), a door unless named elsewhere.
    big = dressing.get("window")
    ww = width * (0.34 if big else 0.22)
    wx = stage.spot("window", ww + 12 * u, 0.06, 0.94) - ww / 2
    wy, wh = horizon * 0.18, horizon * (0.5 if big else 0.45)
    view = _exterior(dressing, pal, seed, int(ww), max(int(wh), 1), F.FRAMING_WIDE, horizon=int(wh * 0.7), view=True)
    stage.boxes["window"] = indoors.window_frame(stage, wx, wy, ww, wh, view.image)
    for name, box in view.boxes.items():  # what the window shows, a close-up can frame
        stage.boxes.setdefault(name, (wx + box[0] * ww / view.w, wy + box[1] * wh / view.h,
                                      wx + box[2] * ww / view.w, wy + box[3] * wh / view.h))
    if "door" not in names:
        _draw(stage, Named(BY_NAME["door"]))
    for named in indoor:
        if named.piece.place == Place.WALL and named.piece.name != "window":
            _draw(stage, named)
    stage.backdrop = stage.image.copy()
    floor = [n for n in indoor if n.piece.place == Place.FLOOR]
    small = [n for n in indoor if n.piece.place == Place.SMALL]
    if not floor or (small and not any(n.piece.name in indoors.SURFACES for n in floor)):
        floor.append(Named(BY_NAME["table"]))  # something to stand the small things on
    for named in sorted(floor, key=lambda n: n.piece.name != "stairs"):  # the stairs keep their side first
        _draw(stage, named)
    for named in small:
        _draw(stage, named)
    if pal.night and "lamp" not in names:  # a ceiling light
        lx = width * (0.2 + 0.6 * stage.rng("ceiling").random())
        glow(stage.image, lx, horizon * 0.07, 90 * u, (255, 220, 150), 0.5)
        draw.ellipse((lx - 30 * u, horizon * 0.05, lx + 30 * u, horizon * 0.05 + 40 * u), fill=(255, 225, 160))
    return stage


def _cabin(dressing: Dressing, pal: Palette, seed: int, width: int, height: int, framing: int, vehicle: str) -> Stage:
    """Inside a car, train, boat or plane: a dark cabin whose windows show the world going by."""
    horizon = horizon_for(framing, height)
    stage = new_stage(Image.new("RGB", (width, height), pal.lit((55, 55, 62))), pal, seed, framing, horizon,
                       dressing.weather)
    outside = Dressing(tuple(n for n in dressing.pieces if n.piece.outdoors and n.piece.name != vehicle) or
                       (Named(BY_NAME["sea" if vehicle == "boat" else "road" if vehicle == "car" else "hills"]),),
                       dressing.weather, dressing.light)
    if vehicle == "car":
        ww, wh = int(width * 0.8), int(height * 0.45)
        view = _exterior(outside, pal, seed, ww, wh, F.FRAMING_WIDE, view=True)
        stage.image.paste(view.image, (int(width * 0.1), int(height * 0.08)))
        stage.backdrop = stage.image.copy()
        stage.draw.ellipse((width * 0.12, height * 0.65, width * 0.38, height * 1.1), outline=(20, 20, 20),
                           width=stage.line_w(14))
        stage.boxes["car"] = (width * 0.1, height * 0.08, width * 0.9, height * 0.53)
        return stage
    count = {"train": 3, "boat": 3, "plane": 4}[vehicle]
    for k in range(count):
        ww, wh = width / (count + 1) * 0.8, height * 0.32
        x = width * (k + 1) / (count + 1) - ww / 2
        y = height * 0.18
        view = _exterior(outside, pal, seed + k, int(ww), int(wh), F.FRAMING_WIDE, view=True)
        mask = Image.new("L", view.image.size, 0)
        shape = ImageDraw.Draw(mask)
        if vehicle == "train":
            shape.rounded_rectangle((0, 0, view.w - 1, view.h - 1), radius=view.h * 0.1, fill=255)
        else:
            shape.ellipse((0, 0, view.w - 1, view.h - 1), fill=255)
        stage.image.paste(view.image, (int(x), int(y)), mask)
    stage.backdrop = stage.image.copy()
    seat = pal.lit((120, 40, 45) if vehicle == "train" else (60, 70, 110))
    for k in range(count + 1):  # seat backs
        x = width * (k + 0.5) / (count + 1)
        stage.draw.rounded_rectangle((x - width * 0.08, height * 0.62, x + width * 0.08, height),
                                     radius=20 * stage.unit,
                                     fill=seat)
    stage.boxes[vehicle] = (0, height * 0.18, width, height * 0.5)
    return stage
