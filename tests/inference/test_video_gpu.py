"""The motion model's CUDA path: bf16 (LTX-Video) and fp16 (SVD), batches seeded per shot. Skips without a CUDA GPU."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="motion needs torch")
pytest.importorskip("diffusers", reason="motion needs diffusers and transformers")

from inference.video import generate, load_pipeline  # noqa: E402
from tests.inference.test_video import SHOT, still  # noqa: E402

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(),
                       reason="needs a CUDA GPU: torch.cuda.is_available() is False on this machine"),
]


@pytest.fixture(scope="module", params=[("svd", torch.float16), ("ltx", torch.bfloat16)], ids=["svd", "ltx"])
def cuda_pipeline(request, tmp_path_factory):
    from inference.random_video import write_random_video

    kind, dtype = request.param
    path = write_random_video(tmp_path_factory.mktemp("motion-weights") / kind, kind)
    return load_pipeline(path, kind, device="cuda"), dtype


def test_on_cuda_the_pipeline_runs_in_half_precision(cuda_pipeline):
    pipeline, dtype = cuda_pipeline
    denoiser = getattr(pipeline, "unet", None) or pipeline.transformer
    assert denoiser.device.type == "cuda" and denoiser.dtype == dtype
    assert pipeline.vae.dtype == dtype


def test_on_cuda_a_seed_gives_the_same_clip_in_any_batch(cuda_pipeline):
    pipeline, _ = cuda_pipeline
    (alone,) = generate(pipeline, [SHOT], [still()])
    other, again = generate(pipeline, [dataclasses.replace(SHOT, seed=12), SHOT], [still()] * 2)
    assert alone.shape == (9, 64, 64, 3) and alone.dtype == np.uint8
    assert np.abs(again.astype(int) - alone).max() <= 3  # half-precision batching noise at most
    assert np.abs(other.astype(int) - alone).mean() > 5
