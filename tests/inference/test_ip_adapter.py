"""Reference portraits: sdxl's IP-Adapter (a tiny random one, loaded as real weights are), its fallback without
weights, the REFERENCE_* inputs on both sides of Triton, and one portrait through the real server."""

from __future__ import annotations

import asyncio
import io
import logging

import numpy as np
import pytest
import tritonclient.grpc.aio as triton_aio
from PIL import Image

from filmstudio import tensors
from filmstudio.errors import InvalidArgument
from inference.launcher import model_config_json
from inference.signature import BadRequest, ImageRequest
from orchestrator.triton import portrait_png, reference_inputs

pytest.importorskip("diffusers", reason="sdxl needs diffusers, transformers and torch")

from inference.random_sdxl import write_random_ip_adapter  # noqa: E402
from inference.sdxl import (Reference, default_scale, find_ip_adapter, generate, has_ip_adapter,  # noqa: E402
                            ip_adapter_weights, load_pipeline, reference_rows, references_applied)

SHOT = ImageRequest("a lighthouse keeper at dusk", "blurry", 11, 64, 64, 2, 5.0)


def png(pixels: np.ndarray, format: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format=format)
    return out.getvalue()


NOISE = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
RED = np.full((64, 64, 3), (200, 30, 30), dtype=np.uint8)


def portrait(pixels: np.ndarray) -> Image.Image:
    return Image.fromarray(pixels)


def differ(a: np.ndarray, b: np.ndarray) -> int:
    return int(np.abs(a.astype(int) - b).max())


@pytest.fixture(scope="module")
def tiny_ip_adapter(tmp_path_factory, tiny_sdxl):
    """A random-weight IP-Adapter for the tiny SDXL, in h94/IP-Adapter's layout."""
    return write_random_ip_adapter(tmp_path_factory.mktemp("weights") / "tiny-ip-adapter", tiny_sdxl)


@pytest.fixture(scope="module")
def adapted(tiny_sdxl, tiny_ip_adapter):
    """The tiny pipeline with its IP-Adapter, found and loaded as the Triton model does."""
    adapter = find_ip_adapter(str(tiny_ip_adapter), env={})
    assert adapter is not None and adapter.weights.is_file()
    pipeline = load_pipeline(tiny_sdxl, ip_adapter=adapter)
    assert has_ip_adapter(pipeline)
    return pipeline


@pytest.fixture(scope="module")
def plain(tiny_sdxl):
    return load_pipeline(tiny_sdxl)


@pytest.fixture(scope="module")
def unconditioned(plain):
    (image,) = generate(plain, [SHOT])
    return image


def test_a_portrait_conditions_the_shot_and_scale_zero_is_no_portrait(adapted, unconditioned):
    none, one, zero = generate(adapted, [SHOT] * 3, references=[
        (), (Reference(portrait(NOISE), 1.0),), (Reference(portrait(NOISE), 0.0),)])
    assert differ(none, unconditioned) <= 1  # the adapter adds nothing to a shot without portraits
    assert differ(one, none) > 10
    # A scale of 0 multiplies the adapter's attention by 0: the shot is the unconditioned one. (On the wire,
    # REFERENCE_SCALES 0 means the model's default instead: see test_reference_rows_read_slots_and_scales.)
    assert differ(zero, none) <= 1
    half, = generate(adapted, [SHOT], references=[(Reference(portrait(NOISE), 0.5),)])
    assert 0 < differ(half, none) and differ(half, one) > 0


def test_two_characters_condition_one_shot_each_at_its_own_scale(adapted):
    a, b = Reference(portrait(NOISE), 1.0), Reference(portrait(RED), 1.0)
    only_a, only_b, both, swapped = generate(adapted, [SHOT] * 4, references=[(a,), (b,), (a, b), (b, a)])
    assert differ(both, only_a) > 5 and differ(both, only_b) > 5
    assert differ(both, swapped) <= 1  # the order of the cast does not matter
    # A batch carries different portraits and scales per row: each row is what it is alone.
    (alone,) = generate(adapted, [SHOT], references=[(a, b)])
    assert differ(alone, both) <= 1
    (quiet_b,) = generate(adapted, [SHOT], references=[(a, Reference(portrait(RED), 0.0))])
    assert differ(quiet_b, only_a) <= 1


def test_without_adapter_weights_the_model_says_so_and_draws_from_prompt_and_seed(plain, unconditioned, tmp_path,
                                                                                   caplog):
    with caplog.at_level(logging.WARNING):
        assert find_ip_adapter("", env={}) is None
        assert find_ip_adapter(str(tmp_path / "nowhere")) is None
    assert "no IP-Adapter weights configured: set FILMSTUDIO_IP_ADAPTER_DIR" in caplog.text
    assert f"{tmp_path / 'nowhere' / 'sdxl_models' / 'ip-adapter_sdxl.safetensors'} is missing" in caplog.text
    assert "reference portraits are ignored and shots are drawn from prompt and seed" in caplog.text
    assert not has_ip_adapter(plain)
    references = (Reference(portrait(NOISE), 1.0),)
    (image,) = generate(plain, [SHOT], references=[references])
    assert differ(image, unconditioned) == 0 and references_applied(plain, references) == 0


def test_a_broken_adapter_is_reported_and_the_pipeline_stays_plain(tiny_sdxl, tiny_ip_adapter, tmp_path, caplog,
                                                                   unconditioned):
    broken = tmp_path / "broken"
    (broken / "sdxl_models").mkdir(parents=True)
    (broken / "sdxl_models" / "ip-adapter_sdxl.safetensors").write_bytes(b"not safetensors")
    (broken / "sdxl_models" / "image_encoder").symlink_to(tiny_ip_adapter / "sdxl_models" / "image_encoder")
    with caplog.at_level(logging.WARNING):
        pipeline = load_pipeline(tiny_sdxl, ip_adapter=ip_adapter_weights(str(broken)))
    assert "could not be loaded" in caplog.text and "reference portraits are ignored" in caplog.text
    assert not has_ip_adapter(pipeline)
    (image,) = generate(pipeline, [SHOT], references=[(Reference(portrait(NOISE), 1.0),)])
    assert differ(image, unconditioned) <= 1


def wire(rows: list[list[tuple[bytes, float]]]) -> dict[str, np.ndarray]:
    images = np.full((len(rows), tensors.MAX_REFERENCES), b"", dtype=object)
    scales = np.zeros((len(rows), tensors.MAX_REFERENCES), dtype=np.float32)
    for row, references in enumerate(rows):
        for slot, (data, scale) in enumerate(references):
            images[row, slot], scales[row, slot] = data, scale
    return {tensors.REFERENCE_IMAGES.name: images, tensors.REFERENCE_SCALES.name: scales}


def test_reference_rows_read_slots_and_scales():
    assert reference_rows({}, 2, 0.6) == [(), ()]
    first, second = reference_rows(wire([[(png(NOISE), 0.0), (png(RED), 0.25)], []]), 2, 0.6)
    assert [r.scale for r in first] == [pytest.approx(0.6), 0.25] and second == ()
    assert first[0].portrait.size == (64, 64) and first[0].portrait.mode == "RGB"
    inputs = wire([[(png(NOISE), 0.5)]])
    inputs[tensors.REFERENCE_IMAGES.name][0, 2] = b"not an image"
    with pytest.raises(BadRequest, match=r"REFERENCE_IMAGES\[0\]\[2\] is not an image"):
        reference_rows(inputs, 1, 0.6)
    with pytest.raises(BadRequest, match=r"REFERENCE_SCALES\[0\]\[1\] 1.5 must be between 0 and 1"):
        reference_rows(wire([[(png(NOISE), 0.5), (png(RED), 1.5)]]), 1, 0.6)
    with pytest.raises(BadRequest, match="REFERENCE_IMAGES needs REFERENCE_SCALES"):
        reference_rows({tensors.REFERENCE_IMAGES.name: wire([[]])[tensors.REFERENCE_IMAGES.name]}, 1, 0.6)
    with pytest.raises(BadRequest, match=r"shape \[1, 4\], expected \[2, 4\]"):
        reference_rows(wire([[]]), 2, 0.6)
    assert default_scale("0.6") == pytest.approx(0.6)
    for bad in ("0", "1.5", "strong"):
        with pytest.raises(ValueError, match="ip_adapter_scale"):
            default_scale(bad)


def test_the_orchestrator_sends_portraits_only_to_models_that_take_them(caplog):
    assert tensors.takes_references("sdxl") and not tensors.takes_references("storyboard")
    assert not tensors.takes_references("nope")
    small = png(NOISE)
    images, scales = reference_inputs([(small, 0.5), (png(RED, "JPEG"), 0.0)])
    assert images.name() == "REFERENCE_IMAGES" and images.shape() == [1, tensors.MAX_REFERENCES]
    assert scales.datatype() == "FP32" and scales.shape() == [1, tensors.MAX_REFERENCES]
    # Five characters: the first four condition the shot, and the log says so.
    with caplog.at_level(logging.WARNING):
        assert len(reference_inputs([(small, 0.5)] * 5, "shot s01-sh02")) == 2
    assert "s01-sh02: conditioning on the first 4 of 5 reference portraits" in caplog.text
    with pytest.raises(InvalidArgument, match="shot s01-sh02: reference portrait 2 is not an image"):
        reference_inputs([(small, 0.5), (b"nope", 0.5)], "shot s01-sh02")
    with pytest.raises(InvalidArgument, match="reference portrait 1 has scale 2.0; it must be between 0 and 1"):
        reference_inputs([(small, 2.0)])


def test_portraits_travel_as_small_centred_squares():
    assert portrait_png(png(NOISE)) == png(NOISE)  # already a small square PNG: as it is
    wide = np.zeros((1200, 1600, 3), dtype=np.uint8)
    wide[:, 200:1400] = 255  # the centred square is white, the sides black
    sent = Image.open(io.BytesIO(portrait_png(png(wide, "JPEG"))))
    assert sent.format == "PNG" and sent.size == (tensors.REFERENCE_SIDE, tensors.REFERENCE_SIDE)
    assert np.asarray(sent.convert("L")).min() > 240
    # Four noise portraits (PNG's worst case) fit one gRPC message with room to spare.
    noise = np.random.default_rng(1).integers(0, 256, (2000, 2000, 3), dtype=np.uint8)
    assert 4 * len(portrait_png(png(noise))) < 3 * 2**20


@pytest.mark.slow
@pytest.mark.mesh
async def test_a_portrait_through_triton_and_the_fallback(triton, client, tiny_sdxl, tiny_ip_adapter, tmp_path,
                                                          caplog):
    args = ("sdxl", "a harbour", "", 21, 64, 64)
    reference = [(png(NOISE), 0.0)]  # 0: the model's default scale
    async with triton_aio.InferenceServerClient(triton.grpc_addr) as raw:
        await raw.load_model("sdxl", config=model_config_json("sdxl", model_dir=str(tiny_sdxl),
                                                              ip_adapter_dir=str(tiny_ip_adapter)))
        try:
            none, one = await asyncio.gather(client.render_image(*args, steps=2, guidance=5.0),
                                             client.render_image(*args, steps=2, guidance=5.0, references=reference))
            assert differ(one, none) > 10
            # Without adapter weights: the load says so, portraits are ignored, the shot still renders.
            await raw.load_model("sdxl", config=model_config_json("sdxl", model_dir=str(tiny_sdxl),
                                                                  ip_adapter_dir=str(tmp_path / "nowhere")))
            with caplog.at_level(logging.WARNING):
                ignored = await client.render_image(*args, steps=2, guidance=5.0, references=reference)
            assert differ(ignored, none) <= 1
            assert "'sdxl'" in caplog.text and "ignores reference portraits" in caplog.text
            assert f"{tmp_path / 'nowhere'}" in triton.log_path.read_text(errors="replace")
        finally:
            await raw.unload_model("sdxl")
    # The storyboard never receives them (its contract has no such inputs); its frame is unchanged.
    board = await client.render_image("storyboard", "a harbour", "", 21, 64, 64)
    assert np.array_equal(await client.render_image("storyboard", "a harbour", "", 21, 64, 64, references=reference),
                          board)
