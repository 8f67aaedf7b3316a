"""The living animatic's rig (filmstudio.rig): a shot drawn as the storyboard draws it, in layers.

The same set, palette, figures, weather, style and card as inference.storyboard, from the same
functions, drawn on a canvas MARGIN larger than the frame on every side (a bigger frame of the same
aspect: what the frame shows at rest is the storyboard's middle) and kept apart:
1. the set's backdrop (inference.sets: sky, far silhouettes, the ground; an interior's back wall), FAR;
2. the set's nearest pieces (landmarks and props, what stands on a room's floor), NEAR; a close-up has
   no such layer: its backdrop is the soft, magnified detail behind the face;
3. each character a sprite (inference.figures), FIGURE deep (the shoulder in the foreground of an
   over-the-shoulder shot nearer), with every face the animatic shows: eyes open and closed, the mouth
   at rest, half and open, the head as drawn and turned the other way;
4. what falls out of doors (rain, snow, lightning), WEATHER;
5. on a scene's first shot the location's card, at depth 0: the camera does not move it.

The style's treatment (inference.styles) is a filter of a whole frame (noir's tone curve, grain and
vignette; anime's outlines, found where the brightness steps; watercolour's wash, drawn small and
washed up to size, on paper; documentary's grade and grain), so each layer shows the treated picture
of everything up to it, cut out by what the layer adds: at rest the layers make up the treated frame,
grain, vignette and paper lying on each layer where they lie on the frame. What a treatment spreads
past a drawn edge goes with the layer that drew it (anime's outline on an edge's upper and left side,
styles.bleed; the watercolour's washed edge, whose cut-out is washed up with it). Fog's last veil is
on every layer, as it is on the frame.

A face the base lacks is drawn in full and kept as the patch where it differs. Same inputs, same rig.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from filmstudio.rig import BASE, EYES, HEADS, MOUTHS, Face, Layer, Patch, Rig, Sprite
from filmstudio.seeds import stable_seed
from filmstudio.v1 import script_pb2
from inference import figures, sets, setpieces, styles, weather
from inference.palette import Palette, palette_for
from inference.signature import check_size
from inference.storyboard import DETAIL_ZOOM, card_layer, detail, portrait

F = script_pb2
MARGIN = 0.08  # of the frame's width and height, each side: the animatic's moves take at most 0.05 x depth
FAR, NEAR, FIGURE, FOREGROUND, WEATHER, CARD = 0.35, 0.75, 1.0, 1.3, 1.45, 0.0
WAIST = 0.48  # where a figure's breath stretches it, as a share of its height from the head's top


def margin(width: int, height: int) -> tuple[int, int]:
    """The canvas pixels each side beyond a width x height frame (even: the frame's chroma stays aligned)."""
    return 2 * math.ceil(width * MARGIN / 2), 2 * math.ceil(height * MARGIN / 2)


def render_rig(brief: script_pb2.ShotBrief, seed: int, width: int, height: int) -> Rig:
    """The shot as a rig for width x height frames. Same inputs, same rig."""
    check_size(width, height)
    mx, my = margin(width, height)
    canvas = (width + 2 * mx, height + 2 * my)
    scale = styles.drawing_scale(brief.style, canvas[1])
    drawn = (canvas[0] // scale, canvas[1] // scale)
    painter = _Painter(brief.style, canvas, scale)
    if brief.portrait:
        back = painter.finish(portrait(brief, seed, *drawn))
        return Rig((width, height), (mx, my), (Layer("portrait", back.convert("RGBA"), FAR),))

    dressing = setpieces.read(brief)
    palette = palette_for(brief.setting, dressing.light, dressing.weather)
    framing = brief.shot.framing or F.FRAMING_MEDIUM
    shot_seed = stable_seed(seed, brief.shot.id or brief.shot.description)  # as the storyboard's
    close = framing in DETAIL_ZOOM
    stage = sets.draw_set(dressing, palette, brief.setting, brief.location, *drawn,
                          F.FRAMING_MEDIUM if close else framing)
    outside = brief.setting != F.SETTING_INTERIOR
    if outside:
        painter.fog = dressing.weather
    layers: list[Layer | Sprite] = []
    if close:
        flat = weather.veil(detail(stage, dressing, DETAIL_ZOOM[framing], shot_seed, figures.looking_side(shot_seed)),
                            dressing.weather, palette)
        layers.append(Layer("detail", painter.finish(flat).convert("RGBA"), FAR))
    else:
        assert stage.backdrop is not None
        back = weather.veil(stage.backdrop, dressing.weather, palette)
        flat = weather.veil(stage.image, dressing.weather, palette)
        layers.append(Layer("backdrop", painter.finish(back).convert("RGBA"), FAR))
        near = _differs(stage.backdrop, stage.image)  # before the veil, which keeps equal pixels equal
        layers += painter.layer("near set", flat, near, NEAR)

    shore = stage.water[1] if stage.water and not close else None
    for placed in figures.place_characters(list(brief.characters), *drawn, stage.horizon, framing, shot_seed, shore):
        sprite, flat = painter.sprite(placed, flat, palette)
        if sprite is not None:
            layers.append(sprite)

    if outside and dressing.weather:
        falling = Image.new("RGBA", drawn, (0, 0, 0, 0))
        weather.streaks(ImageDraw.Draw(falling), drawn, dressing.weather, palette, shot_seed)
        flat = _over(flat, falling)
        layers += painter.layer("weather", flat, falling.getchannel("A"), WEATHER)
    if brief.opens_scene and brief.location:
        card, (x, y) = card_layer(width, height, brief.location.upper())
        layers.append(Layer("card", card, CARD, (mx + x, my + y)))
    return Rig((width, height), (mx, my), tuple(layers))


def faces_of(pose: figures.Pose | None) -> list[Face]:
    """The faces a sprite is drawn with: a figure seen from behind has one."""
    if pose is None:
        return [BASE]
    return [BASE] + [(e, m, h) for h in HEADS for e in EYES for m in MOUTHS if (e, m, h) != BASE]


def pose_with(pose: figures.Pose, face: Face) -> figures.Pose:
    """The pose showing `face`: at rest the pose's own mouth (a neutral one for a pose drawn open-mouthed,
    so that an open mouth means speech); a turned head looks the other way."""
    eyes, mouth, head = face
    if mouth == "closed":
        mouth = "neutral" if pose.mouth == "open" else pose.mouth
    turned = dict(yaw=-pose.yaw, gaze=-pose.gaze) if head == "turned" else {}
    return dataclasses.replace(pose, eyes=eyes, mouth=mouth, **turned)


@dataclasses.dataclass
class _Painter:
    """Turns drawn pictures (at the drawing size) into the rig's treated canvas-size layers."""

    style: str
    canvas: tuple[int, int]
    scale: int
    fog: tuple[str, ...] = ()

    def finish(self, flat: Image.Image, at: tuple[int, int] | None = None) -> Image.Image:
        """What the frame shows of `flat`, the whole drawing or the part of it at `at` (drawing pixels):
        fog's last veil and the style's treatment, at canvas scale."""
        if "fog" in self.fog:
            flat = flat.copy()
            weather.fog_over(flat, self.fog)
        if at is None:
            return styles.treat(flat, self.style, self.canvas)
        s = self.scale
        return styles.treat(flat, self.style, (flat.width * s, flat.height * s), self.canvas, (at[0] * s, at[1] * s))

    def alpha(self, mask: Image.Image) -> Image.Image:
        """A drawn cut-out (L, 255 where the layer drew) at canvas scale, with the style's bleed."""
        size = (mask.width * self.scale, mask.height * self.scale)
        if mask.size != size:  # a watercolour: its wash spreads a drawn pixel past the edge, and softens it
            mask = mask.filter(ImageFilter.MaxFilter(3)).resize(size, Image.BILINEAR)
        reach = styles.bleed(self.style, self.canvas[1])
        if reach:
            w, h = size
            mask = ImageChops.lighter(mask, ImageChops.lighter(mask.crop((reach, 0, w + reach, h)),
                                                               mask.crop((0, reach, w, h + reach))))
        return mask

    def cut(self, flat: Image.Image, mask: Image.Image, at: tuple[int, int] | None = None) -> Image.Image:
        """The treated `flat` (RGBA at canvas scale) cut out by the drawn `mask`, transparent pixels
        black (they compress); `at` as for finish."""
        alpha = self.alpha(mask)
        picture = self.finish(flat, at).convert("RGBA")
        picture.putalpha(alpha)
        return Image.composite(picture, Image.new("RGBA", alpha.size, (0, 0, 0, 0)), alpha)

    def layer(self, name: str, flat: Image.Image, mask: Image.Image, depth: float) -> list[Layer]:
        """The layer `mask` cuts out of `flat`, cropped to what it holds (none when it holds nothing)."""
        picture = self.cut(flat, mask)
        box = picture.getchannel("A").getbbox()
        if box is None:
            return []
        return [Layer(name, picture.crop(box), depth, box[:2])]

    def sprite(self, placed: figures.Placed, flat: Image.Image,
               palette: Palette) -> tuple[Sprite | None, Image.Image]:
        """The placed character as a sprite with every face of theirs, and `flat` with them drawn in.
        Each face is cut out and treated within the figure's box (and a few pixels round it, which
        hold what the treatment spreads past its edge), not over the whole canvas."""
        drawings: dict[Face, Image.Image] = {}
        for face in faces_of(placed.pose):
            drawing = Image.new("RGBA", flat.size, (0, 0, 0, 0))
            figures.draw_figure(ImageDraw.Draw(drawing), placed, palette,
                                pose_with(placed.pose, face) if placed.pose else None)
            drawings[face] = drawing
        drawn_in = _over(flat, drawings[BASE])
        box = _union_box(drawings.values())
        if box is None:  # drawn wholly off the canvas
            return None, drawn_in
        region = (max(box[0] - _PAD, 0), max(box[1] - _PAD, 0), min(box[2] + _PAD, flat.width),
                  min(box[3] + _PAD, flat.height))
        part = flat.crop(region)
        pictures = {}
        for face, drawing in drawings.items():
            piece = drawing.crop(region)
            pictures[face] = self.cut(_over(part, piece), piece.getchannel("A"), region[:2])
        held = _union_box(pictures.values())
        assert held is not None
        base = pictures[BASE].crop(held)
        base_pixels = np.asarray(base)
        faces = {}
        for face, picture in pictures.items():
            if face == BASE:
                continue
            picture = picture.crop(held)
            changed = np.any(np.asarray(picture) != base_pixels, axis=2)
            rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
            if len(rows):
                patch = (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
                faces[face] = Patch(picture.crop(patch), patch[:2])
        s = self.scale
        origin = (region[0] * s + held[0], region[1] * s + held[1])
        x, feet = placed.feet
        waist = int(round((placed.top + placed.h * WAIST) * s)) - origin[1]
        return Sprite(placed.character.name, base, FIGURE if placed.pose else FOREGROUND, origin,
                      (x * s, feet * s), placed.h * s, min(max(waist, 0), base.height - 1), faces), drawn_in


_PAD = 4  # drawing pixels round a figure's box: more than any treatment spreads past an edge


def _over(flat: Image.Image, drawn: Image.Image) -> Image.Image:
    """An RGB picture with an RGBA drawing (opaque where it drew) pasted over it."""
    out = flat.copy()
    out.paste(drawn, (0, 0), drawn)
    return out


def _differs(before: Image.Image, after: Image.Image) -> Image.Image:
    """L: 255 where two RGB pictures differ."""
    changed = np.any(np.asarray(before) != np.asarray(after), axis=2)
    return Image.fromarray(changed.astype(np.uint8) * 255, "L")


def _union_box(pictures: Iterable[Image.Image]) -> tuple[int, int, int, int] | None:
    boxes = [box for box in (p.getchannel("A").getbbox() for p in pictures) if box]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
