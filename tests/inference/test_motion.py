"""The motion model's contract without a pipeline: its inputs read by inference.signature.motion_requests (every
limit names its input), and the launcher loading it only when its weights are configured."""

from __future__ import annotations

import numpy as np
import pytest

from filmstudio import tensors
from filmstudio.config import Config
from filmstudio.server import StartupError
from inference.launcher import DEFAULT_MODELS, TritonProcess
from inference.signature import BadRequest, MotionRequest, motion_requests


def motion_inputs(rows=1, **override):
    values = dict(IMAGE_KEY=b"stills/s01.png", PROMPT=b"waves roll in", SEED=7, WIDTH=1024, HEIGHT=576,
                  FRAME_COUNT=25, FPS=25, STEPS=2, GUIDANCE=3.0, RESULT_KEY=b"clips/s01.mkv")
    values.update(override)
    return {spec.name: np.array([[values[spec.name]]] * rows, dtype=spec.data_type.numpy)
            for spec in tensors.MOTION.inputs if spec.name in values}


def test_every_row_is_read():
    requests = motion_requests(motion_inputs(rows=2))
    assert requests == [MotionRequest("stills/s01.png", "waves roll in", 7, 1024, 576, 25, 25, 2, 3.0,
                                      "clips/s01.mkv")] * 2


@pytest.mark.parametrize("count", [9, 17, 121])
def test_frame_counts_of_8k_plus_1_are_taken(count):
    (request,) = motion_requests(motion_inputs(FRAME_COUNT=count))
    assert request.frame_count == count


@pytest.mark.parametrize("override,message", [
    (dict(FRAME_COUNT=24), r"FRAME_COUNT 24 must be 8k\+1 from 9 to 121"),
    (dict(FRAME_COUNT=1), "FRAME_COUNT 1 must be"), (dict(FRAME_COUNT=129), "FRAME_COUNT 129 must be"),
    (dict(FPS=60), "FPS 60 must be one of 24, 25, 30"),
    (dict(WIDTH=1000), "WIDTH 1000 must be a positive multiple of 64"),
    (dict(HEIGHT=1088), "HEIGHT 1088 must be .* no larger than 1024"), (dict(HEIGHT=0), "HEIGHT 0"),
    (dict(STEPS=0), "STEPS 0 must be between"), (dict(GUIDANCE=float("inf")), "GUIDANCE inf"),
    (dict(IMAGE_KEY=b"../../etc/passwd"), "input IMAGE_KEY: bad object key"),
    (dict(IMAGE_KEY=b""), "input IMAGE_KEY: bad object key"),
    (dict(RESULT_KEY=b"/clips/a.mkv"), "input RESULT_KEY: bad object key"),
    (dict(PROMPT=b"\xff"), "PROMPT is not UTF-8")])
def test_bad_inputs_name_the_input(override, message):
    with pytest.raises(BadRequest, match=message):
        motion_requests(motion_inputs(**override))


@pytest.mark.parametrize("name", ["IMAGE_KEY", "FRAME_COUNT", "RESULT_KEY"])
def test_a_missing_input_is_named(name):
    inputs = motion_inputs()
    del inputs[name]
    with pytest.raises(BadRequest, match=f"{name} is missing"):
        motion_requests(inputs)


def test_the_launcher_loads_motion_only_with_weights(tmp_path):
    base = {"FILMSTUDIO_DATA_DIR": str(tmp_path)}
    assert "motion" not in TritonProcess.from_config(Config.from_env(base)).models
    assert "motion" not in DEFAULT_MODELS
    config = Config.from_env(base | {"FILMSTUDIO_MOTION_MODEL_DIR": str(tmp_path / "w")})
    with pytest.raises(StartupError, match=f"FILMSTUDIO_MOTION_MODEL_DIR={tmp_path / 'w'}: no diffusers pipeline"):
        TritonProcess.from_config(config)
    (tmp_path / "w").mkdir()
    (tmp_path / "w/model_index.json").write_text('{"_class_name": "StableVideoDiffusionPipeline"}')
    triton = TritonProcess.from_config(config, env={})
    assert triton.models[-1] == "motion"
    assert triton.env["FILMSTUDIO_MOTION_MODEL_DIR"] == str((tmp_path / "w").resolve())
