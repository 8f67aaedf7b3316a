"""The typed signatures of our Triton models, read into plain data.

Triton hands a Python model one numpy array per input, with a leading batch dimension. These functions
turn them into requests the domain code understands, raising BadRequest with a message naming the input
when a value is missing or wrong. They need no Triton, so they are tested as plain functions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
from google.protobuf import json_format

from filmstudio.v1 import script_pb2

# Inputs every image model takes, in the order of config.pbtxt; SHOT is optional.
IMAGE_INPUTS = ("PROMPT", "NEGATIVE_PROMPT", "SEED", "WIDTH", "HEIGHT", "STEPS", "GUIDANCE")
SHOT_INPUT = "SHOT"
IMAGE_OUTPUT = "IMAGE"
# Inputs and outputs of the tts model.
SPEECH_INPUTS = ("TEXT", "LANGUAGE", "VARIANT", "PITCH", "WORDS_PER_MINUTE")
SAMPLE_RATE = 24_000
MAX_SIDE = 2048


class BadRequest(ValueError):
    """A request a model cannot serve because of its inputs; Triton answers it with INVALID_ARG."""


@dataclasses.dataclass(frozen=True)
class ImageRequest:
    """One image to make."""

    prompt: str
    negative_prompt: str
    seed: int
    width: int
    height: int
    steps: int
    guidance: float
    brief: script_pb2.ShotBrief | None = None


@dataclasses.dataclass(frozen=True)
class SpeechRequest:
    """One line to speak in one voice."""

    text: str
    voice: script_pb2.Voice


def check_size(width: int, height: int) -> None:
    """Raise BadRequest unless both sides are positive multiples of 8 no larger than MAX_SIDE."""
    for name, value in (("WIDTH", width), ("HEIGHT", height)):
        if value <= 0 or value % 8 or value > MAX_SIDE:
            raise BadRequest(f"{name} {value} must be a positive multiple of 8 no larger than {MAX_SIDE}")


def _rows(inputs: Mapping[str, np.ndarray | None], names: tuple[str, ...]) -> int:
    sizes = set()
    for name in names:
        array = inputs.get(name)
        if array is None:
            raise BadRequest(f"input {name} is missing")
        sizes.add(int(array.shape[0]) if array.ndim else 1)
    if len(sizes) != 1:
        raise BadRequest(f"inputs {', '.join(names)} have different batch sizes {sorted(sizes)}")
    return sizes.pop()


def _value(inputs: Mapping[str, np.ndarray | None], name: str, row: int) -> object:
    array = inputs[name]
    assert array is not None
    return np.asarray(array).reshape(-1)[row] if array.ndim else array.item()


def _text(inputs: Mapping[str, np.ndarray | None], name: str, row: int) -> str:
    value = _value(inputs, name, row)
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadRequest(f"input {name} is not UTF-8: {exc}") from None
    return str(value)


def parse_brief(text: str) -> script_pb2.ShotBrief:
    """A ShotBrief from proto3 JSON; BadRequest naming SHOT if it is not one."""
    try:
        return json_format.Parse(text, script_pb2.ShotBrief())
    except json_format.ParseError as exc:
        raise BadRequest(f"input SHOT is not a filmstudio.v1.ShotBrief in proto3 JSON: {exc}") from None


def image_requests(inputs: Mapping[str, np.ndarray | None]) -> list[ImageRequest]:
    """The images one Triton request asks for (one per batch row)."""
    rows = _rows(inputs, IMAGE_INPUTS)
    shot = inputs.get(SHOT_INPUT)
    requests = []
    for row in range(rows):
        width, height = int(_value(inputs, "WIDTH", row)), int(_value(inputs, "HEIGHT", row))
        check_size(width, height)
        steps, guidance = int(_value(inputs, "STEPS", row)), float(_value(inputs, "GUIDANCE", row))
        if not 1 <= steps <= 500:
            raise BadRequest(f"STEPS {steps} must be between 1 and 500")
        if not np.isfinite(guidance) or guidance < 0:
            raise BadRequest(f"GUIDANCE {guidance} must be a finite number >= 0")
        brief = None
        if shot is not None:
            text = _text(inputs, SHOT_INPUT, row)
            brief = parse_brief(text) if text.strip() else None
        requests.append(ImageRequest(
            prompt=_text(inputs, "PROMPT", row), negative_prompt=_text(inputs, "NEGATIVE_PROMPT", row),
            seed=int(_value(inputs, "SEED", row)), width=width, height=height, steps=steps, guidance=guidance,
            brief=brief))
    if len({(r.width, r.height) for r in requests}) > 1:
        raise BadRequest("all rows of one request must share WIDTH and HEIGHT")
    return requests


def speech_requests(inputs: Mapping[str, np.ndarray | None]) -> list[SpeechRequest]:
    """The lines one Triton request asks to speak (one per batch row)."""
    rows = _rows(inputs, SPEECH_INPUTS)
    return [SpeechRequest(
        text=_text(inputs, "TEXT", row),
        voice=script_pb2.Voice(language=_text(inputs, "LANGUAGE", row), variant=_text(inputs, "VARIANT", row),
                               pitch=int(_value(inputs, "PITCH", row)),
                               words_per_minute=int(_value(inputs, "WORDS_PER_MINUTE", row))))
        for row in range(rows)]
