"""Clips: the one video format between services. The motion model writes a shot's moving frames with
encode_clip; the composer reads them back with read_clip and retimes them (holds, slows, trims).

The format is FFV1 (level 3, 4 slices, slice CRCs) in Matroska, RGB stored as bgr0: lossless, so the film's
one lossy step is the composer's final H.264 encode, never two generations of it. Every frame is a keyframe,
so any frame decodes from its own packet: random access is exact and costs one frame's decode. Measured by
bench/clips.py for a zoom over a photograph at 1024x576 on the shared 2-core development VM (two runs; the
spread is the VM's noise):

    frames  FFV1, lossless (ours)      H.264 4:4:4 CRF 4 (veryfast)        H.264 RGB CRF 0, lossless
    25      17 MB, encode 0.5-0.8 s    2.0 MB, 0.5-0.6 s, max error 15     15 MB, 0.9-1.0 s
    121     81-85 MB, 2.2-3.8 s        7.3 MB, 1.8-2.3 s, max error 16     70 MB, 3.0-3.1 s

H.264 at a very low CRF is 8-12 times smaller but not exact (PSNR 43 dB, edges off by up to 16 levels) and
its frames depend on each other (random access decodes from the last keyframe); lossless H.264 is only a
tenth to a fifth smaller and inter-coded too. Clips travel through the object store,
never in a message, so 0.7 MB a frame is affordable, and a clip's encode is a small fraction of the GPU
seconds that made it; exactness and cheap random access are worth more.

FFmpeg conceals a damaged FFV1 slice instead of failing, and a truncated Matroska file simply ends early,
so the clip carries its own check: tags with its frame count and each packet's CRC-32, verified when it is
read. Corrupt, truncated, empty or foreign data raises ClipError (a ValueError) saying which.

A Clip decodes frames on demand by index and keeps the last CLIP_CACHE_FRAMES decoded (about 1.8 MB each at
1024x576): the composer's retiming reads indices that mostly go forward and repeat (a hold, a slow-down), so
a small cache serves it without holding a whole 121-frame clip (214 MB of RGB) in memory. The compressed
packets are kept, as big as the clip's bytes.
"""

from __future__ import annotations

import collections
import dataclasses
import io
import os
import pathlib
import zlib
from collections.abc import Iterator

import numpy as np

CONTAINER = "matroska"
CODEC = "ffv1"
CONTENT_TYPE = "video/x-matroska"
CLIP_CACHE_FRAMES = 8
_PIXELS = "bgr0"  # FFV1's packed RGB: rgb24 in and out is a byte shuffle, so lossless
_OPTIONS = {"level": "3", "slices": "4", "slicecrc": "1", "context": "1", "g": "1"}
_FRAMES_TAG, _CRC_TAG = "FILMSTUDIO_FRAMES", "FILMSTUDIO_CRC32"


class ClipError(ValueError):
    """Bytes that are not a readable clip; the message says what is wrong with them."""


def encode_clip(frames: np.ndarray, fps: int) -> bytes:
    """N x H x W x 3 uint8 RGB frames, played at fps frames per second, as a clip (see the module docstring)."""
    import av

    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise ValueError(f"clip frames must be an N x H x W x 3 uint8 array, got shape {list(frames.shape)} "
                         f"of {frames.dtype}")
    count, height, width, _ = frames.shape
    if count == 0 or height == 0 or width == 0:
        raise ValueError(f"a clip needs at least one frame of at least 1x1 pixels, got shape {list(frames.shape)}")
    if isinstance(fps, bool) or not isinstance(fps, (int, np.integer)) or fps <= 0:
        raise ValueError(f"clip fps {fps!r} must be a positive whole number")
    out = io.BytesIO()
    with av.open(out, "w", format=CONTAINER) as container:
        stream = container.add_stream(CODEC, rate=int(fps))
        stream.width, stream.height, stream.pix_fmt = width, height, _PIXELS
        stream.options = dict(_OPTIONS)
        stream.codec_context.thread_type = "AUTO"
        # Packets first: their CRCs go in the tags, which the muxer writes in the header at the first mux.
        packets = [packet for frame in frames for packet in stream.encode(av.VideoFrame.from_ndarray(frame, "rgb24"))]
        packets += stream.encode()
        if len(packets) != count:  # FFV1 has no delay and drops nothing; anything else is a broken build
            raise RuntimeError(f"FFV1 made {len(packets)} packets for {count} frames")
        container.metadata[_FRAMES_TAG] = str(count)
        container.metadata[_CRC_TAG] = " ".join(f"{zlib.crc32(bytes(packet)):08x}" for packet in packets)
        for packet in packets:
            container.mux(packet)
    return out.getvalue()


@dataclasses.dataclass(eq=False)
class Clip:
    """A clip's frames by index (0 to frame_count - 1), decoded on demand, as H x W x 3 uint8 RGB arrays."""

    fps: int
    width: int
    height: int
    _packets: list[bytes] = dataclasses.field(repr=False)
    _extradata: bytes | None = dataclasses.field(repr=False)
    _cache: collections.OrderedDict = dataclasses.field(default_factory=collections.OrderedDict, repr=False)
    _decoder: object = dataclasses.field(default=None, repr=False)

    @property
    def frame_count(self) -> int:
        return len(self._packets)

    @property
    def duration_s(self) -> float:
        return self.frame_count / self.fps

    def __len__(self) -> int:
        return self.frame_count

    def frame(self, index: int) -> np.ndarray:
        """Frame `index` (negative counts from the end); IndexError outside the clip. Read-only: copy to draw on it."""
        if not -self.frame_count <= index < self.frame_count:
            raise IndexError(f"frame {index} is outside the clip's {self.frame_count} frames")
        index %= self.frame_count
        if index in self._cache:
            self._cache.move_to_end(index)
            return self._cache[index]
        pixels = self._decode(index)
        pixels.flags.writeable = False  # shared with the cache
        self._cache[index] = pixels
        if len(self._cache) > CLIP_CACHE_FRAMES:
            self._cache.popitem(last=False)
        return pixels

    __getitem__ = frame

    def __iter__(self) -> Iterator[np.ndarray]:
        return (self.frame(index) for index in range(self.frame_count))

    def frames(self) -> np.ndarray:
        """Every frame as one N x H x W x 3 array (N times 1.8 MB at 1024x576: for short clips and tests)."""
        return np.stack(list(self))

    def _decode(self, index: int) -> np.ndarray:
        import av

        if self._decoder is None:
            decoder = av.CodecContext.create(CODEC, "r")
            decoder.extradata = self._extradata
            decoder.width, decoder.height = self.width, self.height
            # Slice threads only: frame threads hold frames back, and a packet here must give its frame at once.
            decoder.thread_type = "SLICE"
            self._decoder = decoder
        try:
            decoded = self._decoder.decode(av.Packet(self._packets[index]))
        except av.FFmpegError as exc:
            raise ClipError(f"clip frame {index} does not decode: {exc}") from None
        if len(decoded) != 1:
            raise ClipError(f"clip frame {index} decoded to {len(decoded)} frames")
        return decoded[0].to_ndarray(format="rgb24")


def read_clip(source: bytes | str | os.PathLike) -> Clip:
    """The clip in `source` (its bytes, or a file's path); ClipError when it is not a whole, intact clip."""
    import av

    data = source if isinstance(source, (bytes, bytearray, memoryview)) else pathlib.Path(source).read_bytes()
    data = bytes(data)
    if not data:
        raise ClipError("clip is empty (0 bytes)")
    try:
        with av.open(io.BytesIO(data), "r") as container:
            if CONTAINER not in container.format.name.split(","):
                raise ClipError(f"not a clip: the data is {container.format.name}, not {CONTAINER}")
            streams = container.streams.video
            if len(streams) != 1 or streams[0].codec_context.name != CODEC:
                found = ", ".join(s.codec_context.name for s in streams) or "no video"
                raise ClipError(f"not a clip: {CONTAINER} holding {found}, not one {CODEC} stream")
            stream = streams[0]
            tags = dict(container.metadata)
            rate = stream.average_rate or stream.base_rate
            codec = stream.codec_context
            width, height, extradata = codec.width, codec.height, codec.extradata
            packets = [bytes(packet) for packet in container.demux(stream) if packet.size]
    except av.FFmpegError as exc:
        raise ClipError(f"not a clip: {CONTAINER} cannot be read from the data ({exc})") from None
    if _FRAMES_TAG not in tags or _CRC_TAG not in tags:
        raise ClipError(f"not a Film Studio clip: its {CONTAINER} file has no {_FRAMES_TAG} and {_CRC_TAG} tags")
    expected, crcs = tags[_FRAMES_TAG], tags[_CRC_TAG].split()
    if not expected.isdigit() or int(expected) != len(crcs) or not expected.strip("0"):
        raise ClipError(f"clip tags are damaged: {_FRAMES_TAG} {expected!r} with {len(crcs)} CRCs")
    if len(packets) != int(expected):
        raise ClipError(f"clip is truncated: {len(packets)} of its {expected} frames are there")
    for index, (packet, crc) in enumerate(zip(packets, crcs)):
        if f"{zlib.crc32(packet):08x}" != crc:
            raise ClipError(f"clip is corrupt: frame {index} fails its CRC-32 check")
    if rate is None or rate.denominator != 1 or rate <= 0:
        raise ClipError(f"clip frame rate {rate} is not a positive whole number of frames per second")
    return Clip(int(rate), width, height, packets, extradata)
