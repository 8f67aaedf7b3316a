"""WAV files of 16-bit PCM, the one codec for voice: espeak-ng's output read by the tts model, spoken lines
and mixed shot tracks written and read by the orchestrator.

encode writes the canonical 44-byte header (byte for byte what Python's wave module writes). decode reads
any 16-bit PCM WAV, mixing several channels down to mono, and tolerates streamed files whose size fields
are placeholders (espeak-ng --stdout writes those): a data chunk is read as far as the bytes go.
"""

from __future__ import annotations

import struct

import numpy as np

_PCM = 1  # WAVE_FORMAT_PCM
_FMT = struct.Struct("<HHIIHH")  # format, channels, rate, bytes per second, block align, bits per sample


class WavError(ValueError):
    """Bytes that are not a 16-bit PCM WAV file; the message says what is wrong with them."""


def encode(samples: np.ndarray, rate: int) -> bytes:
    """Mono int16 samples at rate (Hz) as a 16-bit PCM WAV file."""
    samples = np.asarray(samples)
    if samples.ndim != 1:
        raise ValueError(f"WAV samples must be mono (one dimension), got shape {samples.shape}")
    if not 0 < rate < 2**32 // 2:
        raise ValueError(f"WAV sample rate {rate} must be a positive number of Hz")
    pcm = np.ascontiguousarray(samples, dtype="<i2").tobytes()
    header = struct.pack("<4sI4s4sI", b"RIFF", 36 + len(pcm), b"WAVE", b"fmt ", _FMT.size)
    return header + _FMT.pack(_PCM, 1, rate, 2 * rate, 2, 16) + struct.pack("<4sI", b"data", len(pcm)) + pcm


def decode(data: bytes) -> tuple[np.ndarray, int]:
    """The samples (int16, mono: several channels are averaged) and sample rate of a 16-bit PCM WAV file.
    WavError names what is wrong when the bytes are not one."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise WavError("not a WAV file: no RIFF/WAVE header")
    offset, fmt = 12, None
    while offset + 8 <= len(data):
        chunk, size = data[offset:offset + 4], struct.unpack_from("<I", data, offset + 4)[0]
        body = offset + 8
        if chunk == b"fmt ":
            if size < _FMT.size or body + _FMT.size > len(data):
                raise WavError(f"WAV fmt chunk is truncated ({min(size, len(data) - body)} of {_FMT.size} bytes)")
            fmt = _FMT.unpack_from(data, body)
        elif chunk == b"data":
            if fmt is None:
                raise WavError("WAV data chunk comes before its fmt chunk")
            return _samples(fmt, data[body:body + size])  # a placeholder size reads to the end
        offset = body + size + (size & 1)  # chunks are padded to an even length
    raise WavError("WAV has no fmt chunk" if fmt is None else "WAV has no data chunk")


def _samples(fmt: tuple[int, ...], pcm: bytes) -> tuple[np.ndarray, int]:
    format_tag, channels, rate, _, _, bits = fmt
    if format_tag != _PCM:
        raise WavError(f"WAV is in format {format_tag}, not PCM ({_PCM})")
    if bits != 16:
        raise WavError(f"WAV has {bits}-bit samples; 16-bit PCM expected")
    if channels < 1 or rate < 1:
        raise WavError(f"WAV declares {channels} channels at {rate} Hz")
    frames = np.frombuffer(pcm, dtype="<i2", count=len(pcm) // (2 * channels) * channels)
    if channels > 1:
        return frames.reshape(-1, channels).mean(axis=1).astype(np.int16), rate
    return frames.astype(np.int16), rate
