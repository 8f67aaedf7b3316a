"""Every config.pbtxt of the model repository says what filmstudio.tensors says, and nothing more."""

from __future__ import annotations

import pathlib

import pytest
from google.protobuf import text_format
from tritonclient.grpc import model_config_pb2

from filmstudio import tensors
from inference.launcher import MODEL_REPOSITORY

CONFIGS = sorted(MODEL_REPOSITORY.glob("*/config.pbtxt"))


def declared(tensor) -> tuple:
    """A config.pbtxt tensor as the facts the contract fixes (reshape and the like are not used)."""
    optional = getattr(tensor, "optional", False)  # a ModelOutput has no such field
    return (tensor.name, model_config_pb2.DataType.Name(tensor.data_type), tuple(tensor.dims), optional)


def specified(tensor: tensors.Tensor) -> tuple:
    return (tensor.name, tensor.data_type.name, tensor.dims, tensor.optional)


def contract_problems(text: str, model: tensors.Model) -> list[str]:
    """How a config.pbtxt's text departs from the model's contract (empty when it does not)."""
    config = text_format.Parse(text, model_config_pb2.ModelConfig())
    problems = []
    if config.name != model.name:
        problems.append(f"name is {config.name!r}, not {model.name!r}")
    if config.max_batch_size < 1:  # clients send a leading batch dimension
        problems.append(f"max_batch_size {config.max_batch_size} does not batch")
    for kind, found, expected in (("input", config.input, model.inputs), ("output", config.output, model.outputs)):
        found, expected = [declared(t) for t in found], [specified(t) for t in expected]
        for tensor in found:
            if tensor not in expected:
                problems.append(f"{kind} {tensor} is not in filmstudio.tensors")
        for tensor in expected:
            if tensor not in found:
                problems.append(f"{kind} {tensor} of filmstudio.tensors is missing")
        if not problems and found != expected:
            problems.append(f"{kind}s are in the order {[t[0] for t in found]}, not {[t[0] for t in expected]}")
    return problems


def test_the_repository_holds_exactly_the_contracted_models():
    assert sorted(path.parent.name for path in CONFIGS) == sorted(model.name for model in tensors.MODELS)


@pytest.mark.parametrize("model", tensors.MODELS, ids=lambda model: model.name)
def test_config_pbtxt_matches_the_contract(model: tensors.Model):
    text = (MODEL_REPOSITORY / model.name / "config.pbtxt").read_text()
    assert contract_problems(text, model) == []


STORYBOARD_TEXT = (MODEL_REPOSITORY / "storyboard" / "config.pbtxt").read_text()


@pytest.mark.parametrize("old,new,problem", [
    ('name: "SEED" data_type: TYPE_INT64', 'name: "SEED" data_type: TYPE_INT32', "'SEED', 'TYPE_INT32'"),
    ('name: "WIDTH"', 'name: "WIDE"', "'WIDE'"),
    ('{ name: "PROMPT" data_type: TYPE_STRING dims: [ 1 ] },', "", "'PROMPT', 'TYPE_STRING', (1,), False) of"),
    ('dims: [ -1, -1, 3 ]', 'dims: [ -1, -1, 4 ]', "output ('IMAGE', 'TYPE_UINT8', (-1, -1, 4), False)"),
    ('"SHOT" data_type: TYPE_STRING dims: [ 1 ] optional: true', '"SHOT" data_type: TYPE_STRING dims: [ 1 ] optional: false',
     "'SHOT', 'TYPE_STRING', (1,), False) is not"),
    ('output [', 'output [ { name: "MASK" data_type: TYPE_UINT8 dims: [ -1, -1 ] },', "'MASK'"),
    ('name: "storyboard"', 'name: "board"', "name is 'board'"),
    ("max_batch_size: 16", "max_batch_size: 0", "does not batch"),
])
def test_an_edited_tensor_breaks_the_contract(old: str, new: str, problem: str):
    assert STORYBOARD_TEXT.count(old) == 1
    problems = contract_problems(STORYBOARD_TEXT.replace(old, new), tensors.STORYBOARD)
    assert any(problem in p for p in problems), problems


def test_reordered_inputs_break_the_contract():
    swapped = STORYBOARD_TEXT.replace('"WIDTH"', '"SWAP"').replace('"HEIGHT"', '"WIDTH"').replace('"SWAP"', '"HEIGHT"')
    assert any("order" in p for p in contract_problems(swapped, tensors.STORYBOARD))


def test_data_types_derive_their_wire_and_numpy_names():
    from tritonclient.utils import np_to_triton_dtype, triton_to_np_dtype

    for data_type in tensors.DataType:
        assert data_type.name in model_config_pb2.DataType.keys()
        assert triton_to_np_dtype(data_type.kserve) == data_type.numpy.type
        assert np_to_triton_dtype(data_type.numpy) == data_type.kserve


def test_the_orchestrator_sends_every_input_as_the_contract_types_it():
    from orchestrator.triton import _tensor

    samples = {tensors.DataType.TYPE_STRING: "text", tensors.DataType.TYPE_INT32: 7, tensors.DataType.TYPE_INT64: 7,
               tensors.DataType.TYPE_FP32: 0.5}
    for model in tensors.MODELS:
        for spec in model.inputs:
            sent = _tensor(spec, samples[spec.data_type])
            assert (sent.name(), sent.datatype(), sent.shape()) == (spec.name, spec.data_type.kserve, [1, *spec.dims])
