"""Voicing a shot: every line spoken in its character's voice (cached by content), placed on the
shot's timeline, and mixed into one shot voice track (16-bit mono WAV)."""

from __future__ import annotations

import numpy as np

from filmstudio import wav
from filmstudio.storage import ObjectStore
from filmstudio.v1 import script_pb2
from orchestrator.assets import asset_key
from orchestrator.timeline import SpokenLine, wav_seconds

TTS_MODEL = "tts"
TTS_VERSION = "1"


def line_key(line: script_pb2.DialogueLine, voice: script_pb2.Voice) -> str:
    return asset_key("voice", TTS_MODEL, TTS_VERSION, {"text": line.text, "voice": voice}, "wav")


def encode_wav(samples: np.ndarray, rate: int) -> bytes:
    return wav.encode(samples, rate)


def decode_wav(data: bytes) -> tuple[np.ndarray, int]:
    return wav.decode(data)


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
    return encode_wav(np.clip(track, -32768, 32767).astype(np.int16), rate)


def mixed_key(keys: list[str], placed: list[SpokenLine]) -> str:
    return asset_key("voice-track", "mix", "1", {"clips": keys, "offsets": [round(p.offset_s, 4) for p in placed]},
                     "wav")


async def line_durations(store: ObjectStore, shot: script_pb2.Shot,
                         voices: dict[str, script_pb2.Voice]) -> list[float]:
    """True lengths of a voiced shot's lines, read from their cached clips."""
    return [wav_seconds(await store.get(line_key(line, voices[line.character_id]))) for line in shot.dialogue]
