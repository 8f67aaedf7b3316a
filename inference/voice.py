"""Speech: a line of dialogue in a character's voice, as 16-bit PCM mono at 24 kHz, with espeak-ng.

espeak-ng speaks at 22,050 Hz; we resample to the film's 24 kHz so the composer mixes one rate, and the
duration returned is exact: number of samples / 24,000.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess

import numpy as np

from filmstudio.v1 import script_pb2
from inference.signature import SAMPLE_RATE, BadRequest

MAX_TEXT = 5_000  # characters; a line of dialogue, not a novel
DEFAULT_LANGUAGE = "en-us"
DEFAULT_WORDS_PER_MINUTE = 160
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8})*$", re.IGNORECASE)
_VARIANT = re.compile(r"^[a-z0-9_]{0,32}$", re.IGNORECASE)


def espeak_binary() -> str:
    """Path of espeak-ng; RuntimeError saying how to install it if it is missing."""
    path = shutil.which("espeak-ng")
    if path is None:
        raise RuntimeError("espeak-ng not found on PATH: install it (apt-get install espeak-ng)")
    return path


def espeak_arguments(voice: script_pb2.Voice) -> list[str]:
    """espeak-ng options for a voice; BadRequest naming the field that is out of range."""
    language = voice.language or DEFAULT_LANGUAGE
    if not _LANGUAGE.match(language):
        raise BadRequest(f"LANGUAGE {language!r} is not an espeak-ng voice name such as 'en-us'")
    if not _VARIANT.match(voice.variant):
        raise BadRequest(f"VARIANT {voice.variant!r} is not an espeak-ng variant name such as 'm3' or 'f2'")
    if not 0 <= voice.pitch <= 99:
        raise BadRequest(f"PITCH {voice.pitch} must be between 0 and 99")
    words_per_minute = voice.words_per_minute or DEFAULT_WORDS_PER_MINUTE
    if not 80 <= words_per_minute <= 450:
        raise BadRequest(f"WORDS_PER_MINUTE {words_per_minute} must be between 80 and 450")
    name = f"{language}+{voice.variant}" if voice.variant else language
    return ["-v", name, "-p", str(voice.pitch), "-s", str(words_per_minute)]


def read_wav(data: bytes) -> tuple[np.ndarray, int]:
    """Samples (int16, mono) and sample rate of a 16-bit PCM WAV, streamed or not (size fields ignored)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("not a WAV file")
    offset, rate, channels = 12, 0, 1
    while offset + 8 <= len(data):
        chunk, size = data[offset:offset + 4], struct.unpack("<I", data[offset + 4:offset + 8])[0]
        body = offset + 8
        if chunk == b"fmt ":
            fmt, channels, rate, _, _, bits = struct.unpack("<HHIIHH", data[body:body + 16])
            if fmt != 1 or bits != 16:
                raise ValueError(f"expected 16-bit PCM, got format {fmt} with {bits} bits")
        elif chunk == b"data":
            pcm = data[body:]  # streamed WAVs carry a placeholder size: take the rest
            pcm = pcm[: len(pcm) - len(pcm) % (2 * channels)]
            samples = np.frombuffer(pcm, dtype="<i2").reshape(-1, channels)[:, 0].astype(np.int16)
            return samples, rate
        offset = body + size + (size & 1)
    raise ValueError("WAV has no data chunk")


def resample(samples: np.ndarray, rate: int, target: int = SAMPLE_RATE) -> np.ndarray:
    """Linear-interpolation resampling of int16 samples (speech for an animatic; no filter needed)."""
    if rate == target or samples.size == 0:
        return samples.astype(np.int16)
    count = int(round(samples.size * target / rate))
    positions = np.arange(count, dtype=np.float64) * (rate / target)
    resampled = np.interp(positions, np.arange(samples.size), samples.astype(np.float64))
    return np.clip(np.round(resampled), -32768, 32767).astype(np.int16)


def speak(text: str, voice: script_pb2.Voice, timeout: float = 60.0) -> np.ndarray:
    """The line spoken in the voice: int16 samples, mono, SAMPLE_RATE. Empty text gives no samples."""
    if len(text) > MAX_TEXT:
        raise BadRequest(f"TEXT has {len(text)} characters; at most {MAX_TEXT} per line")
    arguments = espeak_arguments(voice)
    if not text.strip():
        return np.zeros(0, np.int16)
    # Text goes on stdin, never argv: a line starting with "-" must not read as an option.
    result = subprocess.run([espeak_binary(), "--stdout", *arguments], input=text.encode("utf-8"),
                            capture_output=True, timeout=timeout, check=False)
    if result.returncode != 0 or not result.stdout:
        raise RuntimeError(f"espeak-ng failed ({result.returncode}): {result.stderr.decode(errors='replace').strip()}")
    samples, rate = read_wav(result.stdout)
    return resample(samples, rate)


def duration_s(samples: np.ndarray) -> float:
    """Exact duration of SAMPLE_RATE samples, in seconds."""
    return samples.size / SAMPLE_RATE
