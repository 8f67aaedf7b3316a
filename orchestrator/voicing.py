"""Mixing a shot's voice track: every line's clip at its place on the shot's timeline, in one
16-bit mono WAV. (Which lines, in which voices, under which keys: takes.py.)"""

from __future__ import annotations

import numpy as np

from filmstudio import wav
from orchestrator.timeline import SpokenLine


def mix(placed: list[SpokenLine], clips: list[tuple[np.ndarray, int]]) -> bytes:
    """One mono track with each clip at its offset (overlaps, as in dual dialogue, are summed)."""
    rate = clips[0][1]
    end = max(int(round((p.offset_s) * rate)) + len(samples) for p, (samples, _) in zip(placed, clips))
    track = np.zeros(end, dtype=np.int32)
    for p, (samples, clip_rate) in zip(placed, clips):
        if clip_rate != rate:
            raise ValueError(f"voice clips of one shot differ in rate ({clip_rate} != {rate})")
        start = int(round(p.offset_s * rate))
        track[start:start + len(samples)] += samples
    return wav.encode(np.clip(track, -32768, 32767).astype(np.int16), rate)
