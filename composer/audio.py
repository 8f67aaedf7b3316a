"""The soundtrack: voice clips on the film's clock, a generated music bed ducked under speech, and a
master at about -16 LUFS integrated with peaks under -1 dBFS. 48 kHz stereo float32 throughout.
"""

from __future__ import annotations

import io
import math

import av
import numpy as np

from composer.loudness import integrated_loudness

RATE = 48_000
TARGET_LUFS = -16.0
CEILING = 10 ** (-1.0 / 20)  # -1 dBFS sample peak
MUSIC_UNDER_DIALOGUE_LU = 14.0  # the bed sits this far below the voices...
DUCK_DB = -10.0  # ...and dips this much further while someone speaks


def decode_voice(data: bytes) -> np.ndarray:
    """A clip as mono float32 at 48 kHz (any rate, channel count or format FFmpeg reads).
    Raises ValueError when the bytes are not readable audio."""
    try:
        with av.open(io.BytesIO(data), "r") as container:
            if not container.streams.audio:
                raise ValueError("no audio stream")
            resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            chunks = []
            for frame in container.decode(audio=0):
                chunks.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(frame))
            chunks.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(None))
    except (av.FFmpegError, UnicodeDecodeError) as exc:
        raise ValueError(f"not readable audio ({exc})") from None
    if not chunks:
        raise ValueError("no audio samples")
    return np.concatenate(chunks).astype(np.float32, copy=False)


def place(track: np.ndarray, clip: np.ndarray, start_s: float) -> None:
    """Mix a clip into a mono track at start_s, cut at the track's end."""
    start = round(start_s * RATE)
    if start >= len(track):
        return
    clip = clip[:len(track) - start]
    track[start:start + len(clip)] += clip


_PROGRESSIONS = (  # (root offset in semitones, minor?) per chord
    ((0, False), (9, True), (5, False), (7, False)),  # I vi IV V
    ((0, True), (8, False), (3, False), (10, False)),  # i VI III VII
    ((0, False), (5, False), (9, True), (7, False)),  # I IV vi V
    ((0, True), (5, True), (10, False), (3, False)),  # i iv VII III
)


def music_bed(samples: int, seed: int, chord_s: float = 4.0) -> np.ndarray:
    """A soft pad: a seeded key and chord progression, bass plus a slightly detuned stereo triad,
    each chord swelling in and out. Shape (2, samples)."""
    rng = np.random.default_rng(seed)
    key = 45 + int(rng.integers(0, 12))  # A2 .. G#3
    progression = _PROGRESSIONS[int(rng.integers(0, len(_PROGRESSIONS)))]
    bed = np.zeros((2, samples), dtype=np.float32)
    fade = 0.75
    chord_n = round(chord_s * RATE)
    for c in range(math.ceil(samples / chord_n)):
        root, minor = progression[c % len(progression)]
        begin = max(0, round((c * chord_s - fade) * RATE))
        end = min(samples, round(((c + 1) * chord_s + fade) * RATE))
        t = np.arange(end - begin, dtype=np.float32) / np.float32(RATE)  # float32 throughout: its sin is ~10x faster
        env = np.ones(end - begin, dtype=np.float32)
        ramp = round(2 * fade * RATE)
        if c > 0:
            env[:ramp] = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, min(ramp, len(env)), dtype=np.float32))
        if end < samples:
            env[-ramp:] *= 0.5 + 0.5 * np.cos(np.linspace(0, np.pi, min(ramp, len(env)), dtype=np.float32))
        note = lambda m: 440.0 * 2 ** ((m - 69) / 12)  # noqa: E731
        bass = 0.45 * np.sin(2 * np.pi * note(key + root) * t)
        third = 3 if minor else 4
        for side, detune in ((0, 0.9985), (1, 1.0015)):
            voices = bass.copy()
            for interval, level in ((12, 0.22), (12 + third, 0.18), (19, 0.16)):
                voices += level * np.sin(2 * np.pi * note(key + root + interval) * detune * t + side)
            bed[side, begin:end] += voices * env
    return bed


def duck_gain(dialogue: np.ndarray, hop_s: float = 0.01, attack_s: float = 0.08, release_s: float = 0.6) -> np.ndarray:
    """Per-sample gain for the bed: DUCK_DB wherever the dialogue speaks (starting a little before
    each line), easing back after it."""
    hop = round(hop_s * RATE)
    whole = len(dialogue) // hop
    rms = np.sqrt(np.square(dialogue[:whole * hop].reshape(whole, hop)).mean(axis=1)) if whole else np.zeros(0)
    speaking = rms > 10 ** (-45 / 20)
    lead = round(0.12 / hop_s)  # look ahead so the bed is already down when the line starts
    if lead and len(speaking):
        padded = np.concatenate([speaking, np.zeros(lead, dtype=bool)])
        speaking = np.lib.stride_tricks.sliding_window_view(padded, lead + 1).any(axis=1)
    target = np.where(speaking, 10 ** (DUCK_DB / 20), 1.0)
    gain = np.empty_like(target)
    level = 1.0
    down, up = 1 - math.exp(-hop_s / attack_s), 1 - math.exp(-hop_s / release_s)
    for i, want in enumerate(target):
        level += (want - level) * (down if want < level else up)
        gain[i] = level
    per_sample = np.ones(len(dialogue), dtype=np.float32)
    if whole:
        per_sample[:whole * hop] = np.repeat(gain.astype(np.float32), hop)
        per_sample[whole * hop:] = gain[-1]
    return per_sample


def limit(mix: np.ndarray, ceiling: float = CEILING, block: int = 240, release_s: float = 0.25) -> np.ndarray:
    """A peak limiter: block-wise gain with one block of look-ahead and a smooth release, then a
    hard ceiling for whatever the interpolation lets through. Works in place; returns mix."""
    n = mix.shape[1]
    blocks = math.ceil(n / block)
    peaks = np.zeros(blocks, dtype=np.float32)
    for channel in mix:
        whole = n // block * block
        peaks[:n // block] = np.maximum(peaks[:n // block], np.abs(channel[:whole]).reshape(-1, block).max(axis=1))
        if whole < n:
            peaks[-1] = max(peaks[-1], np.abs(channel[whole:]).max())
    if peaks.max(initial=0.0) <= ceiling:
        return mix
    need = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-9))
    need = np.minimum(need, np.concatenate([need[1:], [1.0]]))  # look ahead
    need = np.minimum(need, np.concatenate([[1.0], need[:-1]]))  # and hold
    gain = np.empty_like(need)
    level = 1.0
    up = 1 - math.exp(-block / RATE / release_s)
    for i, want in enumerate(need):
        level = want if want < level else level + (want - level) * up
        gain[i] = level
    centres = (np.arange(blocks) + 0.5) * block
    span = 1 << 20
    for start in range(0, n, span):  # interpolate the gain a slice at a time
        stop = min(start + span, n)
        mix[:, start:stop] *= np.interp(np.arange(start, stop), centres, gain).astype(np.float32)
    np.clip(mix, -ceiling, ceiling, out=mix)
    return mix


def master(dialogue: np.ndarray, music: np.ndarray | None) -> np.ndarray:
    """The final stereo mix at TARGET_LUFS: voices centred, the bed under them and ducked."""
    stereo = np.stack([dialogue, dialogue])
    voice_lufs = integrated_loudness(dialogue, RATE, copies=2) if np.any(dialogue) else -math.inf
    if music is not None:
        music_lufs = integrated_loudness(music, RATE)
        if math.isfinite(music_lufs):
            target = voice_lufs - MUSIC_UNDER_DIALOGUE_LU if math.isfinite(voice_lufs) else TARGET_LUFS
            music *= np.float32(10 ** ((target - music_lufs) / 20))
            if math.isfinite(voice_lufs):
                music *= duck_gain(dialogue)
            stereo += music
    lufs = integrated_loudness(stereo, RATE)
    for _ in range(3):  # gain, limit, re-measure: the limiter costs a little loudness
        if not math.isfinite(lufs) or abs(lufs - TARGET_LUFS) < 0.1:
            break
        stereo *= np.float32(10 ** ((TARGET_LUFS - lufs) / 20))
        if np.abs(stereo).max(initial=0.0) <= CEILING:  # nothing to limit: the gain hit the target exactly
            break
        limit(stereo)
        lufs = integrated_loudness(stereo, RATE)
    return stereo
