"""The typed signatures of our Triton models, read into plain data.

Triton hands a Python model one numpy array per input, with a leading batch dimension. These functions
turn them into requests the domain code understands, raising BadRequest with a message naming the input
when a value is missing or wrong. The tensors and their limits are filmstudio.tensors. They need no Triton,
so they are tested as plain functions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
from google.protobuf import json_format

from filmstudio import tensors
from filmstudio.tensors import (GUIDANCE, HEIGHT, LANGUAGE, NEGATIVE_PROMPT, PITCH, PROMPT, RESULT_KEY, SEED, SHOT,
                                STEPS, TEXT, VARIANT, WIDTH, WORDS_PER_MINUTE, Tensor)
from filmstudio.errors import InvalidArgument
from filmstudio.storage import check_key
from filmstudio.v1 import script_pb2

Inputs = Mapping[str, np.ndarray | None]


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
    """Raise BadRequest unless both sides are tensors.SIDE_RULE."""
    for tensor, value in ((WIDTH, width), (HEIGHT, height)):
        if not tensors.side_fits(value):
            raise BadRequest(f"{tensor.name} {value} must be {tensors.SIDE_RULE}")


def _rows(inputs: Inputs, signature: tuple[Tensor, ...]) -> int:
    required = [tensor.name for tensor in signature if not tensor.optional]
    sizes = set()
    for name in required:
        array = inputs.get(name)
        if array is None:
            raise BadRequest(f"input {name} is missing")
        sizes.add(int(array.shape[0]) if array.ndim else 1)
    if len(sizes) != 1:
        raise BadRequest(f"inputs {', '.join(required)} have different batch sizes {sorted(sizes)}")
    return sizes.pop()


def _value(inputs: Inputs, tensor: Tensor, row: int) -> object:
    array = inputs[tensor.name]
    assert array is not None
    return np.asarray(array).reshape(-1)[row] if array.ndim else array.item()


def _text(inputs: Inputs, tensor: Tensor, row: int) -> str:
    value = _value(inputs, tensor, row)
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadRequest(f"input {tensor.name} is not UTF-8: {exc}") from None
    return str(value)


def _store_key(inputs: Inputs, tensor: Tensor, row: int) -> str:
    """A row's object-store key (filmstudio.storage.check_key); BadRequest naming the input otherwise."""
    key = _text(inputs, tensor, row)
    try:
        return check_key(key)
    except InvalidArgument as exc:
        raise BadRequest(f"input {tensor.name}: {exc.message}") from None


def parse_brief(text: str) -> script_pb2.ShotBrief:
    """A ShotBrief from proto3 JSON; BadRequest naming SHOT if it is not one."""
    try:
        return json_format.Parse(text, script_pb2.ShotBrief())
    except json_format.ParseError as exc:
        raise BadRequest(f"input {SHOT.name} is not a filmstudio.v1.ShotBrief in proto3 JSON: {exc}") from None


def image_requests(inputs: Inputs) -> list[ImageRequest]:
    """The images one Triton request asks for (one per batch row)."""
    rows = _rows(inputs, tensors.IMAGE_INPUTS)
    has_shot = inputs.get(SHOT.name) is not None
    requests = []
    for row in range(rows):
        width, height = int(_value(inputs, WIDTH, row)), int(_value(inputs, HEIGHT, row))
        check_size(width, height)
        steps, guidance = int(_value(inputs, STEPS, row)), float(_value(inputs, GUIDANCE, row))
        if not tensors.MIN_STEPS <= steps <= tensors.MAX_STEPS:
            raise BadRequest(f"{STEPS.name} {steps} must be between {tensors.MIN_STEPS} and {tensors.MAX_STEPS}")
        if not np.isfinite(guidance) or guidance < tensors.MIN_GUIDANCE:
            raise BadRequest(f"{GUIDANCE.name} {guidance} must be a finite number >= {tensors.MIN_GUIDANCE:g}")
        brief = None
        if has_shot:
            text = _text(inputs, SHOT, row)
            brief = parse_brief(text) if text.strip() else None
        requests.append(ImageRequest(
            prompt=_text(inputs, PROMPT, row), negative_prompt=_text(inputs, NEGATIVE_PROMPT, row),
            seed=int(_value(inputs, SEED, row)), width=width, height=height, steps=steps, guidance=guidance,
            brief=brief))
    if len({(r.width, r.height) for r in requests}) > 1:
        raise BadRequest(f"all rows of one request must share {WIDTH.name} and {HEIGHT.name}")
    return requests


def speech_requests(inputs: Inputs) -> list[SpeechRequest]:
    """The lines one Triton request asks to speak (one per batch row)."""
    rows = _rows(inputs, tensors.SPEECH_INPUTS)
    return [SpeechRequest(
        text=_text(inputs, TEXT, row),
        voice=script_pb2.Voice(language=_text(inputs, LANGUAGE, row), variant=_text(inputs, VARIANT, row),
                               pitch=int(_value(inputs, PITCH, row)),
                               words_per_minute=int(_value(inputs, WORDS_PER_MINUTE, row))))
        for row in range(rows)]


def result_keys(inputs: Inputs, rows: int, *, required: bool = False) -> list[str] | None:
    """Each row's RESULT_KEY (where the model stores what it makes, see inference.results), or None when
    the request sent none; BadRequest if `required` and missing, or if a key is not a store key."""
    if inputs.get(RESULT_KEY.name) is None:
        if required:
            raise BadRequest(f"input {RESULT_KEY.name} is missing: this model only stores its results")
        return None
    return [_store_key(inputs, RESULT_KEY, row) for row in range(rows)]


@dataclasses.dataclass(frozen=True)
class MotionRequest:
    """One clip to make: the still under image_key moved into frame_count frames at fps, stored under result_key."""

    image_key: str
    prompt: str
    seed: int
    width: int
    height: int
    frame_count: int
    fps: int
    steps: int
    guidance: float
    result_key: str


def check_sampling(steps: int, guidance: float) -> None:
    """Raise BadRequest unless STEPS and GUIDANCE are within filmstudio.tensors' limits."""
    if not tensors.MIN_STEPS <= steps <= tensors.MAX_STEPS:
        raise BadRequest(f"{STEPS.name} {steps} must be between {tensors.MIN_STEPS} and {tensors.MAX_STEPS}")
    if not np.isfinite(guidance) or guidance < tensors.MIN_GUIDANCE:
        raise BadRequest(f"{GUIDANCE.name} {guidance} must be a finite number >= {tensors.MIN_GUIDANCE:g}")


def motion_requests(inputs: Inputs) -> list[MotionRequest]:
    """The clips one Triton request asks for (one per batch row), each checked against the clip limits."""
    rows = _rows(inputs, tensors.MOTION_INPUTS)
    keys = result_keys(inputs, rows, required=True)
    requests = []
    for row in range(rows):
        image_key = _store_key(inputs, tensors.IMAGE_KEY, row)
        width, height = int(_value(inputs, WIDTH, row)), int(_value(inputs, HEIGHT, row))
        for tensor, value in ((WIDTH, width), (HEIGHT, height)):
            if not (0 < value <= tensors.MAX_MOTION_SIDE and value % tensors.MOTION_SIDE_MULTIPLE == 0):
                raise BadRequest(f"{tensor.name} {value} must be {tensors.MOTION_SIDE_RULE}")
        frame_count = int(_value(inputs, tensors.FRAME_COUNT, row))
        if not (tensors.MIN_FRAME_COUNT <= frame_count <= tensors.MAX_FRAME_COUNT
                and frame_count % tensors.FRAME_COUNT_STEP == 1):
            raise BadRequest(f"{tensors.FRAME_COUNT.name} {frame_count} must be {tensors.FRAME_COUNT_RULE}")
        fps = int(_value(inputs, tensors.FPS, row))
        if fps not in tensors.MOTION_FPS:
            raise BadRequest(f"{tensors.FPS.name} {fps} must be one of {', '.join(map(str, tensors.MOTION_FPS))}")
        steps, guidance = int(_value(inputs, STEPS, row)), float(_value(inputs, GUIDANCE, row))
        check_sampling(steps, guidance)
        requests.append(MotionRequest(
            image_key=image_key, prompt=_text(inputs, PROMPT, row), seed=int(_value(inputs, SEED, row)),
            width=width, height=height, frame_count=frame_count, fps=fps, steps=steps, guidance=guidance,
            result_key=keys[row]))
    return requests
