"""The sdxl model's CUDA path: fp16, SDPA attention, channels-last, batches. Skips without a CUDA GPU."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="sdxl needs torch")
pytest.importorskip("diffusers", reason="sdxl needs diffusers and transformers")

from inference.sdxl import generate, load_pipeline  # noqa: E402
from inference.signature import ImageRequest  # noqa: E402

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(),
                       reason="needs a CUDA GPU: torch.cuda.is_available() is False on this machine"),
]


@pytest.fixture(scope="module")
def cuda_pipeline(tiny_sdxl):
    return load_pipeline(tiny_sdxl, device="cuda")


def test_on_cuda_the_pipeline_is_fp16_sdpa_and_channels_last(cuda_pipeline):
    from diffusers.models.attention_processor import AttnProcessor2_0

    unet = cuda_pipeline.unet
    assert unet.device.type == "cuda" and unet.dtype == torch.float16
    assert cuda_pipeline.vae.dtype == torch.float16
    assert unet.conv_in.weight.is_contiguous(memory_format=torch.channels_last)
    assert all(isinstance(p, AttnProcessor2_0) for p in unet.attn_processors.values())


def test_on_cuda_a_seed_gives_the_same_image_in_any_batch(cuda_pipeline):
    request = ImageRequest("a lighthouse at dusk", "blurry", 11, 64, 64, 2, 5.0)
    (alone,) = generate(cuda_pipeline, [request])
    batch = generate(cuda_pipeline, [ImageRequest("a dog", "", 5, 64, 64, 2, 5.0), request])
    assert alone.shape == (64, 64, 3) and alone.dtype == np.uint8
    assert np.abs(batch[1].astype(int) - alone).max() <= 3  # fp16 batching noise at most
    assert np.abs(batch[0].astype(int) - alone).max() > 10
