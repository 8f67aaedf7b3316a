"""Ken Burns motion: a still becomes a moving shot, rendered straight into yuv420p planes.

The still is scaled once per shot to *cover* the frame (no edge ever shows, whatever its aspect) with
room for the move, and converted once to BT.709 Y/Cb/Cr. Each frame is then a sub-pixel window over
those planes. Pans and tilts at a fixed zoom are two whole-pixel crops blended by the fractional
offset (bilinear at a fraction of the cost of a resample); a static shot is one crop reused. Zooms
scale a whole-pixel crop around the window with libswscale (bilinear, SIMD: about a sixth of
Pillow's resample), the crop and output sizes picked so their ratio is the zoom to within ~0.02 px
across the frame, then place the result at its sub-pixel offset the way pans do.
"""

from __future__ import annotations

import dataclasses
import io
import math

import av
import numpy as np
from av.video.reformatter import VideoReformatter
from PIL import Image, ImageOps

from filmstudio.v1 import script_pb2

Image.MAX_IMAGE_PIXELS = 100_000_000  # stills are generated frames, but refuse decompression bombs


@dataclasses.dataclass(frozen=True)
class Planes:
    """One yuv420p picture as three 8-bit Pillow images (Y full size, Cb and Cr half size)."""

    y: Image.Image
    u: Image.Image
    v: Image.Image

    def copy(self) -> "Planes":
        return Planes(self.y.copy(), self.u.copy(), self.v.copy())


@dataclasses.dataclass(frozen=True)
class Move:
    """A camera path: zoom from/to (1 = the still just covers the frame) and the window centre's
    offset from/to, as a fraction of the frame's width (dx) and height (dy)."""

    zoom: tuple[float, float]
    dx: tuple[float, float] = (0.0, 0.0)
    dy: tuple[float, float] = (0.0, 0.0)


PAN_ZOOM, PAN_TRAVEL = 1.12, 0.05
MOVES = {
    script_pb2.CAMERA_MOVE_UNSPECIFIED: Move((1.0, 1.06)),  # a gentle push when the planner left it open
    script_pb2.CAMERA_MOVE_STATIC: Move((1.0, 1.0)),
    script_pb2.CAMERA_MOVE_PUSH_IN: Move((1.0, 1.15)),
    script_pb2.CAMERA_MOVE_PULL_OUT: Move((1.15, 1.0)),
    # "The frame travels left": the window slides left over the still.
    script_pb2.CAMERA_MOVE_PAN_LEFT: Move((PAN_ZOOM, PAN_ZOOM), dx=(PAN_TRAVEL, -PAN_TRAVEL)),
    script_pb2.CAMERA_MOVE_PAN_RIGHT: Move((PAN_ZOOM, PAN_ZOOM), dx=(-PAN_TRAVEL, PAN_TRAVEL)),
    script_pb2.CAMERA_MOVE_TILT_UP: Move((PAN_ZOOM, PAN_ZOOM), dy=(PAN_TRAVEL, -PAN_TRAVEL)),
    script_pb2.CAMERA_MOVE_TILT_DOWN: Move((PAN_ZOOM, PAN_ZOOM), dy=(-PAN_TRAVEL, PAN_TRAVEL)),
}


def decode_still(data: bytes) -> Image.Image:
    """An RGB image from PNG/JPEG bytes (EXIF rotation applied, transparency over black).
    Raises ValueError when the bytes are not a whole, readable image."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception as exc:  # Pillow raises many types for bad data
        raise ValueError(f"not a readable image ({type(exc).__name__}: {exc})") from None
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        base = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
        image = Image.alpha_composite(base, rgba)
    return image.convert("RGB")


def rgb_to_planes(rgb: Image.Image) -> Planes:
    """BT.709 limited-range Y'CbCr 4:2:0 from an RGB image with even width and height (converted in
    bands of rows so a 1080p still never needs more than a few MB of float temporaries)."""
    pixels = np.asarray(rgb)
    y8, cb8, cr8 = (np.empty(pixels.shape[:2], dtype=np.uint8) for _ in range(3))
    for top in range(0, pixels.shape[0], 128):
        band = pixels[top:top + 128].astype(np.float32) * (1 / 255)
        r, g, b = band[..., 0], band[..., 1], band[..., 2]
        luma = 0.2126 * r + 0.7152 * g + 0.0722 * b
        for out, value in ((y8, 16.5 + 219 * luma), (cb8, 128.5 + 224 / 1.8556 * (b - luma)),
                           (cr8, 128.5 + 224 / 1.5748 * (r - luma))):
            np.clip(value, 0, 255, out=value)
            out[top:top + 128] = value
    half = (rgb.width // 2, rgb.height // 2)
    return Planes(Image.fromarray(y8), Image.fromarray(cb8).resize(half, Image.BOX),
                  Image.fromarray(cr8).resize(half, Image.BOX))


def ease(p: float) -> float:
    """Cosine ease-in-out: the camera starts and settles without a jolt."""
    return 0.5 - 0.5 * math.cos(math.pi * min(max(p, 0.0), 1.0))


def _even_ceil(x: float) -> int:
    return 2 * math.ceil(x / 2 - 1e-9)


def _shifted(plane: Image.Image, x: float, y: float, w: int, h: int) -> Image.Image:
    """The w x h window at a fractional (x, y): bilinear, as blends of whole-pixel crops."""
    ix, iy = math.floor(x), math.floor(y)
    fx, fy = x - ix, y - iy
    fx = 0.0 if fx < 1 / 256 else fx
    fy = 0.0 if fy < 1 / 256 else fy

    def row(top: int) -> Image.Image:
        left = plane.crop((ix, top, ix + w, top + h))
        if fx:
            left = Image.blend(left, plane.crop((ix + 1, top, ix + 1 + w, top + h)), fx)
        return left

    out = row(iy)
    if fy:
        out = Image.blend(out, row(iy + 1), fy)
    return out


ZOOM_PAD = 40  # edge pixels repeated around a zoom's planes: room for a crop a little wider than the window
_RATIO_TRIES = 24  # crop widths tried for the best scale ratio: error <= ~0.5 / (crop * tries) per pixel


def _crop_for_ratio(ratio: float, least: int) -> tuple[int, int]:
    """(crop, out) sizes, crop in [least, least + tries), whose out / crop is nearest `ratio`."""
    best = (math.inf, least, round(least * ratio))
    for crop in range(least, least + _RATIO_TRIES):
        out = round(crop * ratio)
        error = abs(out - crop * ratio)
        if error < best[0]:
            best = (error, crop, out)
    return best[1], best[2]


class _ZoomPlane:
    """One plane of a zooming shot: edge-padded pixels and a libswscale context kept per plane
    (the sizes change every frame; one reformatter per plane keeps Y and chroma apart)."""

    def __init__(self, plane: Image.Image) -> None:
        self.pixels = np.pad(np.asarray(plane), ZOOM_PAD, mode="edge")
        self.scaler = VideoReformatter()

    def window(self, box: tuple[float, float, float, float], w: int, h: int) -> Image.Image:
        """The box (in unpadded plane coordinates) resampled to w x h, bilinear."""
        x0, y0, x1, y1 = box
        # A whole-pixel crop starting 2 px before the box and a few wider, scaled so that box -> w x h.
        left, top = math.floor(x0) - 2, math.floor(y0) - 2
        crop_w, out_w = _crop_for_ratio(w / (x1 - x0), math.ceil(x1 - x0) + 6)
        crop_h, out_h = _crop_for_ratio(h / (y1 - y0), math.ceil(y1 - y0) + 6)
        crop = self.pixels[top + ZOOM_PAD:top + ZOOM_PAD + crop_h, left + ZOOM_PAD:left + ZOOM_PAD + crop_w]
        source = av.VideoFrame.from_ndarray(np.ascontiguousarray(crop), format="gray")
        scaled = self.scaler.reformat(source, width=out_w, height=out_h, interpolation="BILINEAR", threads=1)
        plane = scaled.planes[0]
        image = Image.frombuffer("L", (out_w, out_h), plane, "raw", "L", plane.line_size, 1)
        # swscale maps pixel centres to pixel centres, so the box's corner lands here in the scaled crop.
        return _shifted(image, (x0 - left) * out_w / crop_w, (y0 - top) * out_h / crop_h, w, h)


class ShotCamera:
    """Renders the frames of one shot: `frame(i)` for i in [0, frame_count)."""

    def __init__(self, still: Image.Image, width: int, height: int, camera_move: int, frame_count: int) -> None:
        self.width, self.height, self.frame_count = width, height, frame_count
        self.move = MOVES.get(camera_move, MOVES[script_pb2.CAMERA_MOVE_UNSPECIFIED])
        self._fixed_zoom = self.move.zoom[0] == self.move.zoom[1]
        cover = max(width / still.width, height / still.height)
        # Zooms resample from a still held at the largest zoom (never upsampling per frame);
        # fixed-zoom moves hold it at exactly output scale, so a frame is a plain window.
        scale = cover * max(self.move.zoom)
        size = (max(_even_ceil(still.width * scale), width), max(_even_ceil(still.height * scale), height))
        self.planes = rgb_to_planes(still.resize(size, Image.LANCZOS))
        self.pw, self.ph = size
        self._cover = max(width / self.pw, height / self.ph)  # output px per held px at zoom 1
        self._static: Planes | None = None
        self._zoom = None if self._fixed_zoom else [_ZoomPlane(p) for p in (self.planes.y, self.planes.u,
                                                                             self.planes.v)]

    def window(self, i: int) -> tuple[float, float, float, float]:
        """The (left, top, right, bottom) box over the held planes that frame i shows."""
        e = ease(i / (self.frame_count - 1)) if self.frame_count > 1 else 0.0
        m = self.move
        zoom = m.zoom[0] + (m.zoom[1] - m.zoom[0]) * e
        bw, bh = self.width / (self._cover * zoom), self.height / (self._cover * zoom)
        if self._fixed_zoom:  # held at output scale: the window is exactly the output size
            bw, bh = float(self.width), float(self.height)
        cx = self.pw / 2 + (m.dx[0] + (m.dx[1] - m.dx[0]) * e) * bw
        cy = self.ph / 2 + (m.dy[0] + (m.dy[1] - m.dy[0]) * e) * bh
        cx = min(max(cx, bw / 2), self.pw - bw / 2)
        cy = min(max(cy, bh / 2), self.ph - bh / 2)
        return cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2

    def frame(self, i: int) -> Planes:
        """Frame i of the shot. Frames of a static shot share one Planes: copy before drawing on it."""
        w, h = self.width, self.height
        if self._fixed_zoom:
            if self.move.dx == self.move.dy == (0.0, 0.0) and self._static is not None:
                return self._static
            x0, y0, _, _ = self.window(i)
            p = self.planes
            out = Planes(_shifted(p.y, x0, y0, w, h), _shifted(p.u, x0 / 2, y0 / 2, w // 2, h // 2),
                         _shifted(p.v, x0 / 2, y0 / 2, w // 2, h // 2))
            if self.move.dx == self.move.dy == (0.0, 0.0):
                self._static = out
            return out
        box = self.window(i)
        half = tuple(c / 2 for c in box)
        y, u, v = self._zoom
        return Planes(y.window(box, w, h), u.window(half, w // 2, h // 2), v.window(half, w // 2, h // 2))
