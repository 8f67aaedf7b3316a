"""The sdxl model: loading code, prompt truncation, and a tiny random-weight SDXL served by the real Triton."""

from __future__ import annotations

import asyncio
import logging

import numpy as np
import pytest
import tritonclient.grpc.aio as triton_aio
from tritonclient.utils import InferenceServerException

from filmstudio.errors import Unavailable
from inference.launcher import model_config_json
from inference.sdxl import WeightsMissing, generate, load_pipeline, truncate_prompt, weights_dir
from inference.signature import ImageRequest

pytest.importorskip("diffusers", reason="sdxl needs diffusers, transformers and torch")


def test_missing_weights_name_the_path_and_how_to_provide_them(tmp_path):
    with pytest.raises(WeightsMissing, match=f"{tmp_path / 'none'} does not exist.*FILMSTUDIO_SDXL_MODEL_DIR"):
        weights_dir(str(tmp_path / "none"))
    with pytest.raises(WeightsMissing, match="no weights configured"):
        weights_dir("", env={})


def test_long_prompts_are_truncated_with_a_warning(tiny_sdxl, caplog):
    pipeline = load_pipeline(tiny_sdxl)
    cut, truncated = truncate_prompt(pipeline.tokenizer, "rain " * 40)
    assert truncated and cut.startswith("rain rain")
    assert len(pipeline.tokenizer(cut, add_special_tokens=False).input_ids) == pipeline.tokenizer.model_max_length - 2
    assert truncate_prompt(pipeline.tokenizer, "a short prompt") == ("a short prompt", False)
    with caplog.at_level(logging.WARNING):
        (image,) = generate(pipeline, [ImageRequest("rain " * 40, "", 3, 64, 64, 2, 5.0)])
    assert image.shape == (64, 64, 3) and "truncated" in caplog.text


def test_a_seed_gives_the_same_image_in_any_batch(tiny_sdxl):
    pipeline = load_pipeline(tiny_sdxl)
    request = ImageRequest("a lighthouse at dusk", "blurry", 11, 64, 64, 2, 5.0)
    (alone,) = generate(pipeline, [request])
    batch = generate(pipeline, [ImageRequest("a dog", "", 5, 64, 64, 2, 5.0), request,
                                ImageRequest("a dog", "", 6, 64, 48, 2, 5.0)])
    assert np.abs(batch[1].astype(int) - alone).max() <= 1  # float batching noise at most
    assert np.abs(batch[0].astype(int) - alone).max() > 10
    assert batch[2].shape == (48, 64, 3)


@pytest.mark.slow
@pytest.mark.mesh
async def test_sdxl_through_triton(triton, client, tiny_sdxl, tmp_path):
    async with triton_aio.InferenceServerClient(triton.grpc_addr) as raw:
        # Missing weights: the load fails naming the path, and the orchestrator hears "unavailable" at once.
        with pytest.raises(InferenceServerException, match=f"{tmp_path / 'nowhere'} does not exist"):
            await raw.load_model("sdxl", config=model_config_json("sdxl", model_dir=str(tmp_path / "nowhere")))
        with pytest.raises(Unavailable, match="'sdxl' is not loaded"):
            await asyncio.wait_for(client.render_image("sdxl", "p", "", 1, 64, 64, steps=2), 30)
        assert not await client.is_model_ready("sdxl")
        # With weights it serves, batching concurrent shots, a seed's image independent of its neighbours.
        await raw.load_model("sdxl", config=model_config_json("sdxl", model_dir=str(tiny_sdxl)))
        try:
            assert await client.is_model_ready("sdxl")
            alone = await client.render_image("sdxl", "a harbour", "", 21, 64, 64, steps=2, guidance=5.0)
            images = await asyncio.gather(*[client.render_image("sdxl", prompt, "", seed, 64, 64, steps=2, guidance=5.0)
                                            for prompt, seed in [("a harbour", 21), ("a forest", 22), ("x " * 100, 23)]])
            assert alone.shape == (64, 64, 3) and alone.dtype == np.uint8
            assert np.abs(images[0].astype(int) - alone).max() <= 1
            assert not np.array_equal(images[1], alone)
        finally:
            await raw.unload_model("sdxl")
