"""The living animatic: a shot's rig (filmstudio.rig) moved into yuv420p frames, on the CPU.

The camera moves of composer.motion (the same directions and amounts, but a pan needs no zoom: the
rig's canvas has room round the frame) move every layer by its depth: under a camera travel of d
pixels a layer moves d * depth, so the backdrop slides less than the figures and the weather more.
A push-in or pull-out zooms the whole picture once; the nearer layers' faster growth shows as their
sprites' drift from the middle (scaling a layer every frame would cost several times the budget).
Meanwhile each figure breathes (the rows above its waist rise by up to ~0.6 % of its height and fall,
on a period of its own), blinks (every 2-5 s, for 3 frames at 24 fps), may turn its head the other way
for a stretch, and while its character speaks, its mouth opens with the voice: the voice track's RMS
over each frame, against the loudest of the shot's speech, picks the mouth closed, half or open.

Everything is worked out when the shot starts: each frame is a crop of the backdrop, a paste of each
other layer and of each sprite's precomputed face (in three pieces when it breathes), and one
libswscale pass to BT.709 4:2:0 (composer.motion.held_planes): a few milliseconds at 720p. Every
schedule comes from the seed and the character's name: same inputs, same frames.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import av
import numpy as np
from av.video.reformatter import VideoReformatter
from PIL import Image

from composer.motion import MOVES, Planes, ease, plane_rows, rgb_to_planes
from filmstudio.rig import BASE, Face, Layer, Rig, Sprite
from filmstudio.seeds import stable_seed
from filmstudio.v1 import script_pb2

BLINK_S = 0.13  # how long the eyes stay shut
BLINK_GAP_S = (2.0, 5.0)  # between blinks
TURN_MIN_SHOT_S = 3.0  # a shorter shot keeps its heads as drawn
BREATH_S = (3.2, 4.6)  # a breath's period
BREATH = 0.006  # how far the rows above the waist rise, as a share of the figure's height...
BREATH_MAX = 0.01  # ...and of the frame's height at most (a close-up's face is many frame heights tall)
SILENCE_RMS = 0.004  # of full scale: below it the mouth is shut
HALF, OPEN = 0.18, 0.5  # of the shot's loudest speech (its 95th percentile frame): the mouth half, then wide open


@dataclasses.dataclass(frozen=True)
class _Piece:
    """A picture as yuv420 planes (L images: Y, then Cb and Cr at half size) with its alphas (None where
    it is opaque), for pasting per plane: luma at (x, y), chroma at (x // 2, y // 2)."""

    y: Image.Image
    u: Image.Image
    v: Image.Image
    alpha: Image.Image | None
    alpha_uv: Image.Image | None
    origin: tuple[int, int]  # where its top left goes on the canvas

    @classmethod
    def of(cls, rgba: Image.Image, origin: tuple[int, int], opaque: bool = False) -> "_Piece":
        """The RGBA picture (at `origin` on the canvas) converted once by composer.motion.rgb_to_planes,
        widened by a transparent pixel where needed so that it starts and ends on the chroma grid."""
        x, y = origin
        left, top = x % 2, y % 2
        w, h = rgba.width + left, rgba.height + top
        w, h = w + w % 2, h + h % 2
        if (w, h) != rgba.size:
            padded = Image.new("RGBA", (w, h), (0, 0, 0, 0))
            padded.paste(rgba, (left, top))
            rgba = padded
        planes = rgb_to_planes(rgba.convert("RGB"))
        if opaque:
            return cls(*(Image.fromarray(p) for p in (planes.y, planes.u, planes.v)), None, None, (x - left, y - top))
        alpha = rgba.getchannel("A")
        alpha_uv = alpha.resize((w // 2, h // 2), Image.BOX)
        # Chroma is averaged over 2x2 pixels, the transparent ones (black: neutral chroma) among them:
        # take them out again, or every edge would be paler.
        share = np.asarray(alpha_uv, np.float32)[..., None] / 255
        uv = np.stack([planes.u, planes.v], axis=-1).astype(np.float32)
        fixed = np.where(share > 0, 128 + (uv - 128) / np.maximum(share, 1 / 255), 128)
        u, v = (Image.fromarray(np.clip(np.round(fixed[..., k]), 0, 255).astype(np.uint8)) for k in (0, 1))
        return cls(Image.fromarray(planes.y), u, v, alpha, alpha_uv, (x - left, y - top))

    def paste(self, work: tuple[Image.Image, Image.Image, Image.Image], x: int, y: int) -> None:
        work[0].paste(self.y, (x, y), self.alpha)
        work[1].paste(self.u, (x >> 1, y >> 1), self.alpha_uv)
        work[2].paste(self.v, (x >> 1, y >> 1), self.alpha_uv)

    def rows(self, top: int, bottom: int) -> "_Piece":
        """Rows top..bottom (both even) of the piece, as a piece starting at its own row `top`."""
        def cut(image: Image.Image | None, k: int) -> Image.Image | None:
            return None if image is None else image.crop((0, top // k, image.width, bottom // k))
        return _Piece(cut(self.y, 1), cut(self.u, 2), cut(self.v, 2), cut(self.alpha, 1), cut(self.alpha_uv, 2),
                      (self.origin[0], self.origin[1] + top))


@dataclasses.dataclass(frozen=True)
class _Cut:
    """A sprite face in the pieces its breath moves: the rows above the waist, the waist's rows repeated
    (they fill the rise), the rows below."""

    whole: _Piece
    upper: _Piece
    seam: _Piece
    lower: _Piece


class Animatic:
    """Renders the frames of one shot from its rig: `frame(i)` for i in [0, frame_count)."""

    def __init__(self, rig: Rig, width: int, height: int, fps: int, frame_count: int, camera_move: int, seed: int,
                 voice: np.ndarray | None = None, rate: int = 24000,
                 speakers: Sequence[tuple[float, float, str]] = ()) -> None:
        if (width, height) != rig.size:
            raise ValueError(f"the rig was drawn for {rig.size[0]}x{rig.size[1]} frames, not {width}x{height}")
        self.width, self.height, self.fps, self.frame_count = width, height, fps, frame_count
        self.rig = rig
        move = MOVES.get(camera_move, MOVES[script_pb2.CAMERA_MOVE_UNSPECIFIED])
        self.zoom = (1.0, 1.0) if move.zoom[0] == move.zoom[1] else move.zoom  # pans: the margin is their room
        self.dx, self.dy = move.dx, move.dy
        back = rig.layers[0]
        self._backdrop = _Piece.of(back.image, (0, 0), opaque=True)
        self._layers = [(layer, _Piece.of(layer.image, layer.origin) if isinstance(layer, Layer) else None)
                        for layer in rig.layers[1:]]
        duration = frame_count / fps
        self._faces = [_schedule(sprite, seed, frame_count, fps, duration, voice, rate, speakers)
                       for sprite in rig.sprites]
        self._breaths = [_breaths(sprite, seed, frame_count, fps, height) for sprite in rig.sprites]
        self._cuts: dict[tuple[int, Face], _Cut] = {}
        self._scalers = [VideoReformatter() for _ in range(3)]

    def camera(self, i: int) -> tuple[float, float, float]:
        """Frame i's (zoom, x travel, y travel): the travel in canvas pixels of the depth-1 plane."""
        e = ease(i / (self.frame_count - 1)) if self.frame_count > 1 else 0.0
        zoom = self.zoom[0] + (self.zoom[1] - self.zoom[0]) * e
        return (zoom, (self.dx[0] + (self.dx[1] - self.dx[0]) * e) * self.width,
                (self.dy[0] + (self.dy[1] - self.dy[0]) * e) * self.height)

    def faces(self, i: int) -> list[Face]:
        """The face each sprite of the rig shows in frame i."""
        return [faces[i] for faces in self._faces]

    def frame(self, i: int) -> Planes:
        """Frame i of the shot (read-only planes)."""
        i = min(max(i, 0), self.frame_count - 1)
        zoom, tx, ty = self.camera(i)
        cw, ch = self.rig.canvas
        bw, bh = _even(self.width / zoom), _even(self.height / zoom)
        # The window over the depth-1 plane, in whole canvas pixels; each layer is shifted on the canvas
        # by (1 - depth) * travel, which moves it depth * travel in the frame. The backdrop's crop
        # stays inside it whatever the rounding.
        sx, sy = _shift(self.rig.layers[0].depth, tx, ty)
        left = min(max(round(cw / 2 + tx - bw / 2) - sx, 0), cw - bw)
        top = min(max(round(ch / 2 + ty - bh / 2) - sy, 0), ch - bh)
        back = self._backdrop
        work = (back.y.crop((left, top, left + bw, top + bh)),
                back.u.crop((left >> 1, top >> 1, (left >> 1) + bw // 2, (top >> 1) + bh // 2)),
                back.v.crop((left >> 1, top >> 1, (left >> 1) + bw // 2, (top >> 1) + bh // 2)))
        x0, y0 = left + sx, top + sy  # where the window truly lies on the canvas
        at = 0
        for layer, piece in self._layers:
            dx, dy = _shift(layer.depth, tx, ty)
            if piece is not None:
                piece.paste(work, piece.origin[0] + dx - x0, piece.origin[1] + dy - y0)
                continue
            # A sprite drifts from the window's middle as it grows faster than the picture under a zoom.
            grow = (1 + (zoom - 1) * layer.depth) / zoom - 1
            drift_x = round((layer.anchor[0] - (x0 + bw / 2)) * grow)
            drift_y = round((layer.origin[1] + layer.image.height / 2 - (y0 + bh / 2)) * grow)
            self._paste(work, at, self._faces[at][i], self._breaths[at][i], dx + drift_x - x0, dy + drift_y - y0)
            at += 1
        if (bw, bh) == (self.width, self.height):
            return Planes(*(np.asarray(plane) for plane in work))
        return Planes(*(self._scale(k, plane, w, h) for k, (plane, w, h) in enumerate(
            zip(work, (self.width, self.width // 2, self.width // 2), (self.height, self.height // 2,
                                                                         self.height // 2)))))

    def _scale(self, k: int, plane: Image.Image, width: int, height: int) -> np.ndarray:
        source = av.VideoFrame.from_ndarray(np.asarray(plane), format="gray")
        scaled = self._scalers[k].reformat(source, width=width, height=height, interpolation="BILINEAR", threads=1)
        return plane_rows(scaled.planes[0])[:height, :width]

    def _paste(self, work: tuple[Image.Image, Image.Image, Image.Image], index: int, face: Face, rise: int,
               dx: int, dy: int) -> None:
        cut = self._cut(index, face)
        x, y = cut.whole.origin[0] + dx, cut.whole.origin[1] + dy
        if rise == 0:
            cut.whole.paste(work, x, y)
            return
        waist = cut.upper.y.height
        cut.lower.paste(work, x, y + waist)
        cut.seam.paste(work, x, y + waist - rise)  # seam rows past the rise fall under the rows above
        cut.upper.paste(work, x, y - rise)

    def _cut(self, index: int, face: Face) -> _Cut:
        key = (index, face)
        if key not in self._cuts:
            sprite = self.rig.sprites[index]
            whole = _Piece.of(sprite.face(face), sprite.origin)
            h = whole.y.height
            waist = min(max(2 * ((sprite.waist + sprite.origin[1] - whole.origin[1]) // 2), 2), h - 2)
            rise = _even(max(self._breaths[index], default=0) + 1)
            seam_rgba = sprite.face(face).crop((0, sprite.waist, sprite.image.width, sprite.waist + 1))
            seam = _Piece.of(seam_rgba.resize((seam_rgba.width, rise), Image.NEAREST),
                             (sprite.origin[0], whole.origin[1] + waist))
            self._cuts[key] = _Cut(whole, whole.rows(0, waist), seam, whole.rows(waist, h))
        return self._cuts[key]


def _even(x: float) -> int:
    return max(2, 2 * round(x / 2))


def _shift(depth: float, tx: float, ty: float) -> tuple[int, int]:
    return round((1 - depth) * tx), round((1 - depth) * ty)


def _schedule(sprite: Sprite, seed: int, frame_count: int, fps: int, duration: float, voice: np.ndarray | None,
              rate: int, speakers: Sequence[tuple[float, float, str]]) -> list[Face]:
    """The sprite's face in every frame: blinks, a turn of the head, and its mouth while its character
    speaks. A face the sprite lacks (a figure seen from behind has only its base) is its base."""
    times = (np.arange(frame_count) + 0.5) / fps
    rng = np.random.default_rng(stable_seed(seed, sprite.character, "blink"))
    shut = np.zeros(frame_count, bool)
    t = float(rng.uniform(0.4, 2.5))
    while t < duration:
        shut |= (times >= t) & (times < t + BLINK_S)
        t += float(rng.uniform(*BLINK_GAP_S))
    turned = np.zeros(frame_count, bool)
    rng = np.random.default_rng(stable_seed(seed, sprite.character, "turn"))
    if duration >= TURN_MIN_SHOT_S and rng.random() < 0.6:
        start = duration * float(rng.uniform(0.3, 0.55))
        turned = (times >= start) & (times < start + min(float(rng.uniform(1.2, 2.4)), duration * 0.4))
    mouths = _mouths(sprite.character, times, fps, voice, rate, speakers)
    faces = []
    for k in range(frame_count):
        face = ("closed" if shut[k] else "open", mouths[k], "turned" if turned[k] else "front")
        faces.append(face if face == BASE or face in sprite.faces else _nearest(sprite, face))
    return faces


def _nearest(sprite: Sprite, face: Face) -> Face:
    """The face to show for one the sprite lacks: as drawn (front) with the same eyes and mouth, else the base."""
    front = (face[0], face[1], "front")
    return front if front in sprite.faces else BASE


def _mouths(character: str, times: np.ndarray, fps: int, voice: np.ndarray | None, rate: int,
            speakers: Sequence[tuple[float, float, str]]) -> list[str]:
    """The mouth in each frame: at rest, except during the character's lines, where the voice's RMS over
    the frame opens it."""
    mouths = ["closed"] * len(times)
    if voice is None or not len(voice):
        return mouths
    speaking = np.zeros(len(times), bool)
    for start, end, name in speakers:
        if name.casefold() == character.casefold():
            speaking |= (times >= start) & (times < end)
    if not speaking.any():
        return mouths
    samples = np.asarray(voice, np.float32)
    if np.issubdtype(np.asarray(voice).dtype, np.integer):
        samples = samples / 32768.0
    per_frame = rate / fps
    rms = np.zeros(len(times))
    for k in np.flatnonzero(speaking):
        chunk = samples[int(k * per_frame):int((k + 1) * per_frame)]
        rms[k] = math.sqrt(float(np.mean(chunk * chunk))) if len(chunk) else 0.0
    loud = float(np.percentile(rms[speaking], 95))
    for k in np.flatnonzero(speaking):
        if rms[k] < SILENCE_RMS or loud <= 0:
            continue
        level = rms[k] / loud
        mouths[k] = "open" if level >= OPEN else "half" if level >= HALF else "closed"
    return mouths


def _breaths(sprite: Sprite, seed: int, frame_count: int, fps: int, height: int) -> list[int]:
    """How many pixels the sprite's upper body has risen in each frame."""
    rng = np.random.default_rng(stable_seed(seed, sprite.character, "breath"))
    period, phase = float(rng.uniform(*BREATH_S)), float(rng.uniform(0, 2 * math.pi))
    amplitude = min(sprite.height * BREATH, height * BREATH_MAX)
    t = np.arange(frame_count) / fps
    return [int(v) for v in np.round(amplitude * (0.5 - 0.5 * np.cos(2 * math.pi * t / period + phase)))]
