"""Test media: stills, voice clips and cut lists built in code, and readers for what the composer writes."""

from __future__ import annotations

import io
import wave

import av
import numpy as np
from google.protobuf import duration_pb2
from PIL import Image, ImageDraw

from filmstudio.v1 import composer_pb2


def seconds(s: float) -> duration_pb2.Duration:
    d = duration_pb2.Duration()
    d.FromNanoseconds(round(s * 1e9))
    return d


def still_png(width: int, height: int, seed: int = 0, disc: bool = False) -> bytes:
    """A textured still: a colour gradient, shapes and fine noise (so the encoder has real work);
    with disc=True a dark frame with one white disc in the middle (for measuring zoom)."""
    rng = np.random.default_rng(seed)
    if disc:
        image = Image.new("RGB", (width, height), (10, 10, 30))
        r = min(width, height) // 6
        ImageDraw.Draw(image).ellipse((width // 2 - r, height // 2 - r, width // 2 + r, height // 2 + r),
                                      fill=(250, 250, 250))
    else:
        x = np.linspace(0, 1, width, dtype=np.float32)[None, :]
        y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
        base = np.stack([np.broadcast_to(120 + 100 * x * (seed % 3 + 1) % 255, (height, width)),
                         np.broadcast_to(60 + 150 * y, (height, width)),
                         np.broadcast_to(200 - 120 * x * y, (height, width))], axis=-1)
        noise = rng.normal(0, 6, (height, width, 3))
        image = Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8))
        draw = ImageDraw.Draw(image)
        for _ in range(12):
            cx, cy, r = rng.integers(0, width), rng.integers(0, height), rng.integers(10, max(11, height // 5))
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=tuple(int(c) for c in rng.integers(0, 255, 3)))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def voice_wav(duration_s: float, rate: int = 24_000, channels: int = 1, seed: int = 0) -> bytes:
    """Speech-like 16-bit PCM: a voiced tone with harmonics, broken into syllables."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(duration_s * rate)) / rate
    pitch = 140 + 20 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    tone = sum(np.sin(k * phase) / k for k in range(1, 8))
    syllables = np.clip(np.sin(2 * np.pi * 4 * t + rng.uniform(0, 6)), 0, None) ** 0.5
    signal = 0.3 * tone * syllables
    pcm = (np.clip(signal, -1, 1) * 32767).astype("<i2")
    if channels > 1:
        pcm = np.repeat(pcm[:, None], channels, axis=1)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return out.getvalue()


def read_film(path) -> dict:
    """What tests check about an MP4, read back with PyAV."""
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        info = {
            "streams": sorted(s.type for s in c.streams),
            "codec": v.codec_context.name, "profile": v.codec_context.profile,
            "pix_fmt": v.codec_context.pix_fmt, "fps": v.average_rate, "width": v.width, "height": v.height,
            "audio_rate": c.streams.audio[0].rate if c.streams.audio else None,
            "audio_channels": c.streams.audio[0].channels if c.streams.audio else None,
            "title": c.metadata.get("title"),
        }
    with av.open(str(path)) as c:
        info["frames"] = sum(1 for _ in c.decode(video=0))
    cues = []
    with av.open(str(path)) as c:
        if c.streams.subtitles:
            s = c.streams.subtitles[0]
            for packet in c.demux(s):
                if packet.size:
                    for sub in packet.decode():
                        text = sub.dialogue.decode()
                        if text:
                            cues.append((float(packet.pts * s.time_base),
                                         float((packet.pts + packet.duration) * s.time_base), text))
    info["cues"] = cues
    data = path.read_bytes()
    info["moov_first"] = 0 <= data.find(b"moov") < data.find(b"mdat")
    return info


def soundtrack(path) -> np.ndarray:
    """The decoded audio, (channels, n) float32 at its own rate."""
    with av.open(str(path)) as c:
        chunks = [f.to_ndarray() for f in c.decode(audio=0)]
    return np.concatenate(chunks, axis=1).astype(np.float32)


def cut(shot_id: str, image_uri: str, duration_s: float, move: int = 0, transition: int = 0,
        transition_s: float = 0.0, audio: list | None = None, subtitles: list | None = None) -> composer_pb2.Cut:
    return composer_pb2.Cut(shot_id=shot_id, image_uri=image_uri, duration=seconds(duration_s), camera_move=move,
                            transition_in=transition, transition_duration=seconds(transition_s),
                            audio=audio or [], subtitles=subtitles or [])
