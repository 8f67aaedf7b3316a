"""Reading the models' typed inputs into plain requests."""

from __future__ import annotations

import numpy as np
import pytest
from google.protobuf import json_format

from filmstudio.v1 import script_pb2
from inference.signature import BadRequest, image_requests, speech_requests


def image_inputs(rows=1, **override):
    values = dict(PROMPT=b"a kitchen", NEGATIVE_PROMPT=b"blurry", SEED=7, WIDTH=64, HEIGHT=32, STEPS=2, GUIDANCE=5.0)
    values.update(override)
    dtypes = dict(SEED=np.int64, WIDTH=np.int32, HEIGHT=np.int32, STEPS=np.int32, GUIDANCE=np.float32)
    return {name: np.array([[value]] * rows, dtype=dtypes.get(name, object)) for name, value in values.items()}


def test_image_requests_read_every_row():
    shot = script_pb2.ShotBrief(location="KITCHEN", shot=script_pb2.Shot(id="s01-sh01"))
    inputs = image_inputs(rows=2, SHOT=json_format.MessageToJson(shot).encode())
    requests = image_requests(inputs)
    assert len(requests) == 2
    assert requests[0].prompt == "a kitchen" and requests[0].seed == 7 and requests[0].width == 64
    assert requests[0].brief == shot


@pytest.mark.parametrize("override,message", [
    (dict(WIDTH=60), "WIDTH 60"), (dict(HEIGHT=4096), "HEIGHT 4096"), (dict(STEPS=0), "STEPS 0"),
    (dict(GUIDANCE=float("nan")), "GUIDANCE"), (dict(SHOT=b"[1]"), "SHOT is not"), (dict(PROMPT=b"\xff"), "UTF-8")])
def test_bad_image_inputs_name_the_input(override, message):
    with pytest.raises(BadRequest, match=message):
        image_requests(image_inputs(**override))


def test_a_missing_input_is_named():
    inputs = image_inputs()
    del inputs["SEED"]
    with pytest.raises(BadRequest, match="SEED is missing"):
        image_requests(inputs)


def test_speech_requests_carry_the_voice():
    inputs = dict(TEXT=np.array([[b"Hi."]], object), LANGUAGE=np.array([[b"en-gb"]], object),
                  VARIANT=np.array([[b"m3"]], object), PITCH=np.array([[40]], np.int32),
                  WORDS_PER_MINUTE=np.array([[150]], np.int32))
    (request,) = speech_requests(inputs)
    assert request.text == "Hi."
    assert request.voice == script_pb2.Voice(language="en-gb", variant="m3", pitch=40, words_per_minute=150)
