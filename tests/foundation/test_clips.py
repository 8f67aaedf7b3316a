"""The one clip format (filmstudio.clips): exact round trips, random access, and every kind of bad data refused."""

from __future__ import annotations

import io

import numpy as np
import pytest

from filmstudio import clips
from filmstudio.clips import ClipError, encode_clip, read_clip


def moving_frames(count: int = 6, height: int = 36, width: int = 64) -> np.ndarray:
    """A gradient with grain and a square sliding across it: each frame different from the last."""
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:height, 0:width]
    frames = np.empty((count, height, width, 3), np.uint8)
    for index in range(count):
        frame = np.stack([x * 4, y * 7, (x + y + index * 9) % 256], -1) + rng.integers(0, 12, (height, width, 3))
        frame[8:20, index * 6:index * 6 + 12] = (250, 20, 90)
        frames[index] = np.clip(frame, 0, 255)
    return frames


@pytest.fixture(scope="module")
def frames() -> np.ndarray:
    return moving_frames()


@pytest.fixture(scope="module")
def clip_bytes(frames) -> bytes:
    return encode_clip(frames, 25)


@pytest.mark.parametrize("fps", [24, 25, 30])
def test_round_trip_is_exact(frames, fps):
    clip = read_clip(encode_clip(frames, fps))
    assert (clip.fps, clip.frame_count, clip.width, clip.height) == (fps, 6, 64, 36)
    assert clip.duration_s == pytest.approx(6 / fps)
    back = clip.frames()
    assert back.dtype == np.uint8 and back.shape == frames.shape
    assert int(np.abs(back.astype(np.int16) - frames).max()) == 0  # lossless: the error bound is 0


def test_odd_sizes_and_a_single_frame_round_trip():
    frames = moving_frames(1, 35, 63)
    clip = read_clip(encode_clip(frames, 30))
    assert clip.frame_count == 1 and (clip.width, clip.height) == (63, 35)
    assert np.array_equal(clip[0], frames[0])


def test_frames_by_index_in_any_order_from_bytes_or_a_file(frames, clip_bytes, tmp_path):
    path = tmp_path / "shot.mkv"
    path.write_bytes(clip_bytes)
    for source in (clip_bytes, path, str(path)):
        clip = read_clip(source)
        for index in (5, 0, 3, 3, -1, 1):  # backwards, repeated (a hold) and from the end
            assert np.array_equal(clip.frame(index), frames[index])
        assert [np.array_equal(a, b) for a, b in zip(clip, frames)] == [True] * 6
    with pytest.raises(IndexError, match="frame 6 is outside the clip's 6 frames"):
        clip.frame(6)


def test_the_decode_cache_is_bounded_and_its_frames_are_read_only(frames, monkeypatch):
    monkeypatch.setattr(clips, "CLIP_CACHE_FRAMES", 2)
    clip = read_clip(encode_clip(frames, 25))
    first = clip.frame(0)
    assert clip.frame(0) is first  # a hold decodes once
    clip.frame(1), clip.frame(2)
    assert clip.frame(0) is not first and np.array_equal(clip.frame(0), first)
    with pytest.raises(ValueError, match="read-only"):
        first[0, 0] = 0


@pytest.mark.parametrize("shape,dtype,problem", [
    ((6, 36, 64), np.uint8, r"N x H x W x 3 uint8 array, got shape \[6, 36, 64\]"),
    ((6, 36, 64, 4), np.uint8, r"got shape \[6, 36, 64, 4\] of uint8"),
    ((6, 36, 64, 3), np.float32, "of float32"),
    ((0, 36, 64, 3), np.uint8, r"at least one frame .* got shape \[0, 36, 64, 3\]"),
    ((2, 0, 64, 3), np.uint8, "at least 1x1 pixels"),
])
def test_frames_of_the_wrong_shape_or_type_are_refused(shape, dtype, problem):
    with pytest.raises(ValueError, match=problem):
        encode_clip(np.zeros(shape, dtype), 25)


@pytest.mark.parametrize("fps", [0, -25, 25.0, True])
def test_a_frame_rate_that_is_not_a_positive_whole_number_is_refused(frames, fps):
    with pytest.raises(ValueError, match="fps .* must be a positive whole number"):
        encode_clip(frames, fps)


def test_empty_and_foreign_data_are_refused_naming_what_they_are(frames):
    from PIL import Image

    with pytest.raises(ClipError, match=r"clip is empty \(0 bytes\)"):
        read_clip(b"")
    with pytest.raises(ClipError, match="not a clip: matroska cannot be read"):
        read_clip(b"these are not the frames you are looking for" * 20)
    png = io.BytesIO()
    Image.fromarray(frames[0]).save(png, "PNG")
    with pytest.raises(ClipError, match="not a clip: the data is png_pipe, not matroska"):
        read_clip(png.getvalue())


def test_matroska_that_is_not_ours_is_refused(frames):
    import av

    out = io.BytesIO()
    with av.open(out, "w", format="matroska") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 36, "yuv420p"
        for frame in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, "rgb24")))
        container.mux(stream.encode())
    with pytest.raises(ClipError, match="matroska holding h264, not one ffv1 stream"):
        read_clip(out.getvalue())


def test_truncated_and_corrupt_clips_are_refused(clip_bytes):
    assert issubclass(ClipError, ValueError)
    with pytest.raises(ClipError, match=r"clip is truncated: [0-5] of its 6 frames are there"):
        read_clip(clip_bytes[:len(clip_bytes) * 2 // 3])
    with pytest.raises(ClipError, match="not a clip"):
        read_clip(clip_bytes[:200])  # cut inside the header
    damaged = bytearray(clip_bytes)
    damaged[len(damaged) // 2] ^= 0xFF  # inside a frame: FFmpeg itself would conceal it and decode
    with pytest.raises(ClipError, match=r"clip is corrupt: frame \d fails its CRC-32 check"):
        read_clip(bytes(damaged))
