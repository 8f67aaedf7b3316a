"""Reading the models' typed inputs into plain requests."""

from __future__ import annotations

import numpy as np
import pytest
from google.protobuf import json_format

from filmstudio.v1 import script_pb2
from inference.signature import BadRequest, image_requests, result_keys, speech_requests


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


def test_result_keys_are_read_per_row_and_absent_when_not_sent():
    keys = np.array([[b"assets/image/ab/1.png"], [b"assets/image/cd/2.png"]], dtype=object)
    assert result_keys({"RESULT_KEY": keys}, 2) == ["assets/image/ab/1.png", "assets/image/cd/2.png"]
    assert result_keys({}, 2) is None
    with pytest.raises(BadRequest, match="RESULT_KEY is missing"):
        result_keys({}, 1, required=True)


@pytest.mark.parametrize("key", [b"../up.png", b"/abs.png", b"a//b.png", b""])
def test_a_result_key_that_leaves_the_store_is_refused(key):
    with pytest.raises(BadRequest, match="RESULT_KEY: bad object key"):
        result_keys({"RESULT_KEY": np.array([[key]], dtype=object)}, 1)
