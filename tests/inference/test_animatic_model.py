"""The animatic model through the real Triton server: the rig it stores decodes and holds the brief's
figures; bad inputs are answered INVALID_ARG naming the input."""

from __future__ import annotations

import os

import numpy as np
import pytest
import tritonclient.grpc.aio as triton_aio
from google.protobuf import json_format
from tritonclient.utils import InferenceServerException

from filmstudio import tensors
from filmstudio.rig import CONTENT_TYPE, decode_rig, encode_rig
from filmstudio.storage import LocalStore
from filmstudio.v1 import script_pb2
from inference.launcher import TritonProcess
from inference.rig import render_rig
from tests.conftest import free_port

pytestmark = pytest.mark.mesh

BRIEF = script_pb2.ShotBrief(
    shot=script_pb2.Shot(id="s01-sh02", framing=script_pb2.FRAMING_MEDIUM, description="Rain on the harbour."),
    setting=script_pb2.SETTING_EXTERIOR, location="HARBOUR", characters=[
        script_pb2.Character(id="char-maya", name="MAYA", seed=1234),
        script_pb2.Character(id="char-theo", name="THEO", seed=987)])


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("store")


@pytest.fixture(scope="module")
def triton(tmp_path_factory, store_dir):
    process = TritonProcess(f"127.0.0.1:{free_port()}", free_port(), free_port(), models=(tensors.ANIMATIC.name,),
                            work_dir=tmp_path_factory.mktemp("triton"),
                            env=os.environ | {"FILMSTUDIO_STORE_URL": store_dir.as_uri()})
    with process:
        yield process


def request(values: dict[str, object]) -> list[triton_aio.InferInput]:
    inputs = []
    for spec in tensors.ANIMATIC.inputs:
        if spec.name not in values:
            continue
        value = values[spec.name]
        if spec.data_type is tensors.DataType.TYPE_STRING:
            value = str(value).encode()
        array = np.full((1, *spec.dims), value, dtype=spec.data_type.numpy)
        tensor = triton_aio.InferInput(spec.name, list(array.shape), spec.data_type.kserve)
        tensor.set_data_from_numpy(array)
        inputs.append(tensor)
    return inputs


def values(**changed) -> dict[str, object]:
    base = {"PROMPT": "rain on the harbour", "NEGATIVE_PROMPT": "", "SEED": 42, "WIDTH": 320, "HEIGHT": 184,
            "STEPS": 1, "GUIDANCE": 1.0, "SHOT": json_format.MessageToJson(BRIEF), "RESULT_KEY": "rigs/s01-sh02.zip"}
    base.update(changed)
    return {k: v for k, v in base.items() if v is not None}


async def infer(triton: TritonProcess, sent: dict[str, object]):
    async with triton_aio.InferenceServerClient(triton.grpc_addr) as client:
        return await client.infer(tensors.ANIMATIC.name, request(sent),
                                  outputs=[triton_aio.InferRequestedOutput(tensors.STORED_BYTES.name)])


async def test_the_rig_is_stored_under_its_key_and_holds_the_briefs_figures(triton, store_dir):
    result = await infer(triton, values())
    stored = int(result.as_numpy(tensors.STORED_BYTES.name).reshape(-1)[0])
    store = LocalStore(store_dir)
    data = await store.get("rigs/s01-sh02.zip")
    assert stored == len(data) > 0
    rig = decode_rig(data)
    assert rig.size == (320, 184) and [s.character for s in rig.sprites] == ["MAYA", "THEO"]
    assert data == encode_rig(render_rig(BRIEF, 42, 320, 184))  # what the model draws is render_rig's
    assert CONTENT_TYPE.startswith("application/")


@pytest.mark.parametrize("changed,named", [
    ({"RESULT_KEY": None}, "RESULT_KEY is missing"),
    ({"WIDTH": 321}, "WIDTH 321 must be"),
    ({"HEIGHT": 0}, "HEIGHT 0 must be"),
    ({"RESULT_KEY": "../outside"}, "RESULT_KEY"),
])
async def test_bad_inputs_are_invalid_arguments_naming_the_input(triton, changed, named):
    with pytest.raises(InferenceServerException) as raised:
        await infer(triton, values(**changed))
    assert named in raised.value.message()
    assert "INVALID_ARG" in str(raised.value.status()) or "INVALID" in str(raised.value)
