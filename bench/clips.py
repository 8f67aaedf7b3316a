"""The clip format (filmstudio.clips, FFV1 in Matroska) against the H.264 alternatives it was chosen over:
size, encode and decode time, and the largest pixel error, for 25 and 121 frames at 1024x576.

Baselines (same frames, same run): H.264 4:4:4 at CRF 4 (visually lossless) and lossless H.264 RGB (CRF 0),
both libx264 veryfast in Matroska. The frames are a slow zoom over --image (a photograph gives the honest
figures; without one, a procedural picture with film grain stands in).

    .venv/bin/python bench/clips.py [--image photo.jpg] [--frames 25 121]
"""

from __future__ import annotations

import argparse
import io
import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from filmstudio.clips import encode_clip, read_clip  # noqa: E402

WIDTH, HEIGHT, FPS = 1024, 576, 25


def picture(image: pathlib.Path | None) -> np.ndarray:
    """A source picture 1.4 times the clip's size: the photograph, or gradients with grain."""
    from PIL import Image

    size = (int(WIDTH * 1.4), int(HEIGHT * 1.4))
    if image is not None:
        return np.asarray(Image.open(image).convert("RGB").resize(size, Image.LANCZOS))
    y, x = np.mgrid[0:size[1], 0:size[0]].astype(np.float32)
    base = np.stack([128 + 100 * np.sin(x / 97 + y / 151), 128 + 90 * np.cos(y / 73),
                     128 + 80 * np.sin((x + y) / 211)], -1)
    grain = np.random.default_rng(0).normal(0, 4, base.shape)
    return np.clip(base + grain, 0, 255).astype(np.uint8)


def zoom(source: np.ndarray, count: int) -> np.ndarray:
    """count frames zooming 1.0x to 1.3x into the source's centre."""
    from PIL import Image

    frames = []
    for index in range(count):
        scale = 1.0 + 0.3 * index / max(count - 1, 1)
        w, h = int(source.shape[1] / scale), int(source.shape[0] / scale)
        x, y = (source.shape[1] - w) // 2, (source.shape[0] - h) // 2
        frames.append(np.asarray(Image.fromarray(source[y:y + h, x:x + w]).resize((WIDTH, HEIGHT), Image.BILINEAR)))
    return np.stack(frames)


def h264(frames: np.ndarray, codec: str, pix_fmt: str, crf: int) -> bytes:
    import av

    out = io.BytesIO()
    with av.open(out, "w", format="matroska") as container:
        stream = container.add_stream(codec, rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, pix_fmt
        stream.options = {"crf": str(crf), "preset": "veryfast"}
        stream.codec_context.thread_type = "AUTO"
        for frame in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, "rgb24")))
        container.mux(stream.encode())
    return out.getvalue()


def h264_frames(data: bytes) -> np.ndarray:
    import av

    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        return np.stack([frame.to_ndarray(format="rgb24") for frame in container.decode(stream)])


def measure(encode, decode, frames: np.ndarray) -> tuple[float, float, float, int]:
    """(MB, encode s, decode s, max pixel error)."""
    start = time.perf_counter()
    data = encode(frames)
    encoded = time.perf_counter()
    back = decode(data)
    decoded = time.perf_counter()
    return len(data) / 1e6, encoded - start, decoded - encoded, int(np.abs(back.astype(np.int16) - frames).max())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", type=pathlib.Path, help="a photograph to zoom over")
    parser.add_argument("--frames", type=int, nargs="+", default=[25, 121])
    args = parser.parse_args()
    source = picture(args.image)
    formats = {
        "FFV1 (ours)": (lambda f: encode_clip(f, FPS), lambda d: read_clip(d).frames()),
        "H.264 4:4:4 CRF 4": (lambda f: h264(f, "libx264", "yuv444p", 4), h264_frames),
        "H.264 RGB CRF 0": (lambda f: h264(f, "libx264rgb", "rgb24", 0), h264_frames),
    }
    print(f"{'frames':>6} {'format':<18} {'MB':>7} {'encode s':>9} {'decode s':>9} {'max err':>8} "
          f"{'size vs ours':>13}")
    for count in args.frames:
        frames = zoom(source, count)
        ours = None
        for name, (encode, decode) in formats.items():
            mb, enc, dec, error = measure(encode, decode, frames)
            ours = ours or mb
            print(f"{count:>6} {name:<18} {mb:>7.2f} {enc:>9.2f} {dec:>9.2f} {error:>8} {mb / ours:>12.2f}x",
                  flush=True)


if __name__ == "__main__":
    main()
