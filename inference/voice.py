"""Speech: a line of dialogue in a character's voice, as 16-bit PCM mono at 24 kHz, with espeak-ng.

espeak-ng speaks at 22,050 Hz; we resample to the film's 24 kHz so the composer mixes one rate, and the
duration returned is exact: number of samples / 24,000.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np

from filmstudio import tensors, wav
from filmstudio.tensors import LANGUAGE, PITCH, SAMPLE_RATE, TEXT, VARIANT, WORDS_PER_MINUTE
from filmstudio.v1 import script_pb2
from inference.signature import BadRequest

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
    language = voice.language or tensors.DEFAULT_LANGUAGE
    if not _LANGUAGE.match(language):
        raise BadRequest(f"{LANGUAGE.name} {language!r} is not an espeak-ng voice name such as 'en-us'")
    if not _VARIANT.match(voice.variant):
        raise BadRequest(f"{VARIANT.name} {voice.variant!r} is not an espeak-ng variant name such as 'm3' or 'f2'")
    if not tensors.MIN_PITCH <= voice.pitch <= tensors.MAX_PITCH:
        raise BadRequest(f"{PITCH.name} {voice.pitch} must be between {tensors.MIN_PITCH} and {tensors.MAX_PITCH}")
    words_per_minute = voice.words_per_minute or tensors.DEFAULT_WORDS_PER_MINUTE
    if not tensors.MIN_WORDS_PER_MINUTE <= words_per_minute <= tensors.MAX_WORDS_PER_MINUTE:
        raise BadRequest(f"{WORDS_PER_MINUTE.name} {words_per_minute} must be between "
                         f"{tensors.MIN_WORDS_PER_MINUTE} and {tensors.MAX_WORDS_PER_MINUTE}")
    name = f"{language}+{voice.variant}" if voice.variant else language
    return ["-v", name, "-p", str(voice.pitch), "-s", str(words_per_minute)]


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
    if len(text) > tensors.MAX_TEXT:
        raise BadRequest(f"{TEXT.name} has {len(text)} characters; at most {tensors.MAX_TEXT} per line")
    arguments = espeak_arguments(voice)
    if not text.strip():
        return np.zeros(0, np.int16)
    # Text goes on stdin, never argv: a line starting with "-" must not read as an option.
    result = subprocess.run([espeak_binary(), "--stdout", *arguments], input=text.encode("utf-8"),
                            capture_output=True, timeout=timeout, check=False)
    if result.returncode != 0 or not result.stdout:
        # Named, since the voice is the usual cause: a well-formed name this espeak-ng has no voice for.
        raise RuntimeError(f"espeak-ng failed ({result.returncode}) in voice {arguments[1]!r}: "
                           f"{result.stderr.decode(errors='replace').strip()}")
    samples, rate = wav.decode(result.stdout)  # espeak-ng streams: its size fields are placeholders
    return resample(samples, rate)


def duration_s(samples: np.ndarray) -> float:
    """Exact duration of SAMPLE_RATE samples, in seconds."""
    return samples.size / SAMPLE_RATE
