"""Ken Burns motion: a still becomes a moving shot, rendered straight into yuv420p planes.

The still is scaled once per shot to *cover* the frame (no edge ever shows, whatever its aspect) with
room for the move, held a little above the largest zoom so that every frame is a slight downscale,
and converted once to BT.709 Y/Cb/Cr (libswscale does both in one pass). Each frame is then one
libswscale bilinear resample per plane (SIMD, no Python per pixel) of a whole-pixel crop. The
sub-pixel part of the window comes from choosing the crop's size, the scaled size and which scaled
column and row the frame starts at, so that the scaled grid lands on the exact window: swscale maps
pixel centres to pixel centres, and because the scale is never exactly 1, some starting column
falls within ~0.03 px of any fractional position.
"""

from __future__ import annotations

import dataclasses
import io
import math

import av
import numpy as np
from av.video.plane import VideoPlane
from av.video.reformatter import VideoReformatter
from PIL import Image, ImageOps

from filmstudio.v1 import script_pb2

Image.MAX_IMAGE_PIXELS = 100_000_000  # stills are generated frames, but refuse decompression bombs


@dataclasses.dataclass(frozen=True)
class Planes:
    """One yuv420p picture as three 2-D uint8 arrays (Y full size, Cb and Cr half size), often read-only
    views of libswscale's output: treat them as read-only."""

    y: np.ndarray
    u: np.ndarray
    v: np.ndarray

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the picture."""
        return self.y.shape[1], self.y.shape[0]


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


def check_still(data: bytes) -> None:
    """Raises ValueError unless the bytes are an image whose container checks out (PNG: every chunk's
    CRC, nothing cut off) and whose size is sane, without decoding its pixels: a quick first check
    before any work. decode_still, which the renderer calls for each shot in turn, catches the rest."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
    except Exception as exc:  # Pillow raises many types for bad data
        raise ValueError(f"not a readable image ({type(exc).__name__}: {exc})") from None


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
    return Planes(y8, np.asarray(Image.fromarray(cb8).resize(half, Image.BOX)),
                  np.asarray(Image.fromarray(cr8).resize(half, Image.BOX)))


def held_planes(still: Image.Image, width: int, height: int) -> Planes:
    """The RGB still scaled to width x height (Lanczos) and converted to BT.709 limited-range 4:2:0,
    both by libswscale in one pass (about a sixth of the time of Pillow's resize + rgb_to_planes)."""
    frame = av.VideoFrame.from_image(still).reformat(width=width, height=height, format="yuv420p",
                                                     interpolation="LANCZOS", dst_colorspace="ITU709",
                                                     dst_color_range="MPEG")
    return Planes(*(_plane_array(plane, w, h) for plane, w, h in
                    zip(frame.planes, (width, width // 2, width // 2), (height, height // 2, height // 2))))


def plane_rows(plane: VideoPlane) -> np.ndarray:
    """An AVFrame plane as a writable 2-D uint8 array, no copy: its rows are line_size wide (padded
    for alignment), so slice the picture's width off them. The array keeps the frame alive."""
    return np.frombuffer(plane, dtype=np.uint8).reshape(-1, plane.line_size)


def _plane_array(plane: VideoPlane, width: int, height: int, left: int = 0,
                 top: int = 0) -> np.ndarray:
    """A read-only width x height view of an AVFrame plane from (left, top), no copy."""
    view = plane_rows(plane)[top:top + height, left:left + width]
    view.flags.writeable = False
    return view


def ease(p: float) -> float:
    """Cosine ease-in-out: the camera starts and settles without a jolt."""
    return 0.5 - 0.5 * math.cos(math.pi * min(max(p, 0.0), 1.0))


def _even_ceil(x: float) -> int:
    return 2 * math.ceil(x / 2 - 1e-9)


HOLD_MARGIN = 1.05  # stills are held this much above the largest zoom: every frame downscales
_SKIPS = np.arange(2, 34)  # scaled columns (rows) a frame may start at: picks the sub-pixel phase
_OUTS = np.arange(24)  # extra scaled sizes tried: picks the scale ratio
PAD = 80  # edge pixels repeated around a held plane: room for crops a little wider than the window


def _axes(starts: np.ndarray, scales: np.ndarray, size: int, out: int | None = None) -> np.ndarray:
    """Per frame, (left, crop, out, skip) along one axis, as an (n, 4) int array: scaling `crop` held
    pixels from `left` to `out` pixels and keeping `size` of them from `skip` on shows held pixels
    start, start + scale, ... to within ~0.01 px (~0.03 px when `out` is given). Output pixel k samples
    the crop at (k + 0.5) * crop / out - 0.5 (centre to centre). All frames of a shot at once: the
    search is a few numpy operations per shot instead of per frame."""
    outs = np.array([out]) if out else size + _SKIPS[-1] + 2 + _OUTS
    rows = []
    for at in range(0, len(starts), 256):  # temporaries stay 256 x outs x skips, whatever the shot's length
        start, scale = starts[at:at + 256, None, None], scales[at:at + 256, None, None]
        crops = np.round(outs[None, :, None] * scale)  # (frames, outs, 1)
        ratios = crops / outs[None, :, None]
        first = (_SKIPS + 0.5) * ratios - 0.5  # where the kept pixels start, from `left`: (frames, outs, skips)
        lefts = np.round(start - first)
        offset = lefts + first - start  # error at the first kept pixel...
        drift = offset + size * (ratios - scale)  # ...and at the last
        error = np.maximum(np.abs(offset), np.abs(drift)).reshape(len(start), -1)
        o, k = np.unravel_index(error.argmin(axis=1), (len(outs), len(_SKIPS)))
        frames = np.arange(len(start))
        rows.append(np.stack([lefts[frames, o, k], crops[frames, o, 0], outs[o], _SKIPS[k]], axis=1))
    return np.concatenate(rows).astype(int)


class _PlaneScaler:
    """One held plane, edge-padded, the resample of each frame's box worked out up front, and its
    libswscale context (one per plane keeps Y and chroma apart).

    A context is rebuilt whenever the sizes change (~0.2 ms for 720p luma): a `steady` plane, whose
    scale is the same every frame (pans, tilts, static), keeps the sizes of its first frame and moves
    only the crop and the starting column and row."""

    def __init__(self, plane: np.ndarray, boxes: np.ndarray, w: int, h: int, steady: bool) -> None:
        """boxes: (frames, 4) of (left, top, right, bottom) in plane coordinates, each shown at w x h."""
        self.pixels = np.pad(plane, PAD, mode="edge")
        self.scaler = VideoReformatter()
        self.w, self.h = w, h
        x0, y0, x1, y1 = boxes.T
        out_w = out_h = None
        if steady:
            out_w = int(_axes(x0[:1], (x1[:1] - x0[:1]) / w, w)[0, 2])
            out_h = int(_axes(y0[:1], (y1[:1] - y0[:1]) / h, h)[0, 2])
        self.columns = _axes(x0, (x1 - x0) / w, w, out_w).tolist()  # per frame: left, crop, out, skip
        self.rows = _axes(y0, (y1 - y0) / h, h, out_h).tolist()

    def window(self, i: int) -> np.ndarray:
        """Frame i's box resampled to w x h, bilinear (a read-only view of libswscale's output)."""
        left, crop_w, out_w, skip_x = self.columns[i]
        top, crop_h, out_h, skip_y = self.rows[i]
        crop = self.pixels[top + PAD:top + PAD + crop_h, left + PAD:left + PAD + crop_w]  # a view: no copy
        source = av.VideoFrame.from_numpy_buffer(crop, format="gray")
        scaled = self.scaler.reformat(source, width=out_w, height=out_h, interpolation="BILINEAR", threads=1)
        return _plane_array(scaled.planes[0], self.w, self.h, skip_x, skip_y)


class ShotCamera:
    """Renders the frames of one shot: `frame(i)` for i in [0, frame_count)."""

    def __init__(self, still: Image.Image, width: int, height: int, camera_move: int, frame_count: int) -> None:
        self.width, self.height, self.frame_count = width, height, frame_count
        self.move = MOVES.get(camera_move, MOVES[script_pb2.CAMERA_MOVE_UNSPECIFIED])
        cover = max(width / still.width, height / still.height)
        scale = cover * max(self.move.zoom) * HOLD_MARGIN
        size = (max(_even_ceil(still.width * scale), width), max(_even_ceil(still.height * scale), height))
        self.planes = held_planes(still, *size)
        self.pw, self.ph = size
        self._cover = max(width / self.pw, height / self.ph)  # output px per held px at zoom 1
        self._static: Planes | None = None
        steady = self.move.zoom[0] == self.move.zoom[1]
        boxes = np.array([self.window(i) for i in range(frame_count)])
        self._scalers = [_PlaneScaler(self.planes.y, boxes, width, height, steady),
                         _PlaneScaler(self.planes.u, boxes / 2, width // 2, height // 2, steady),
                         _PlaneScaler(self.planes.v, boxes / 2, width // 2, height // 2, steady)]

    def window(self, i: int) -> tuple[float, float, float, float]:
        """The (left, top, right, bottom) box over the held planes that frame i shows."""
        e = ease(i / (self.frame_count - 1)) if self.frame_count > 1 else 0.0
        m = self.move
        zoom = m.zoom[0] + (m.zoom[1] - m.zoom[0]) * e
        bw, bh = self.width / (self._cover * zoom), self.height / (self._cover * zoom)
        cx = self.pw / 2 + (m.dx[0] + (m.dx[1] - m.dx[0]) * e) * bw
        cy = self.ph / 2 + (m.dy[0] + (m.dy[1] - m.dy[0]) * e) * bh
        cx = min(max(cx, bw / 2), self.pw - bw / 2)
        cy = min(max(cy, bh / 2), self.ph - bh / 2)
        return cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2

    def frame(self, i: int) -> Planes:
        """Frame i of the shot (read-only planes). Frames of a static shot share one Planes."""
        if self._static is not None:
            return self._static
        out = Planes(*(scaler.window(i) for scaler in self._scalers))
        if self.move == MOVES[script_pb2.CAMERA_MOVE_STATIC]:
            self._static = out
        return out
