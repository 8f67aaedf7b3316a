"""SDXL: diffusers' StableDiffusionXLPipeline loaded from a local directory, run in batches.

Weights live in a diffusers directory (save_pretrained layout) on a persistent volume or synced from object
storage; nothing is downloaded at run time. On CUDA the pipeline runs in fp16 with PyTorch's SDPA attention
and channels-last UNet (optionally torch.compile'd); on CPU in fp32, which is how the tests run a tiny
random-weight pipeline of the same architecture.

Every image's starting noise comes from its own CPU generator seeded with its seed, so one prompt's seed gives
the same image whatever its neighbours in a batch.
"""

from __future__ import annotations

import logging
import os
import pathlib
from collections.abc import Callable, Mapping

import numpy as np

from inference.signature import ImageRequest

log = logging.getLogger(__name__)

SDXL_DIR_VARIABLE = "FILMSTUDIO_SDXL_MODEL_DIR"


class WeightsMissing(RuntimeError):
    """No usable pipeline at the configured path; the message says which path and how to provide one."""


def weights_dir(parameter: str = "", env: Mapping[str, str] | None = None) -> pathlib.Path:
    """The pipeline directory: the model parameter model_dir, else FILMSTUDIO_SDXL_MODEL_DIR."""
    env = os.environ if env is None else env
    value = parameter or env.get(SDXL_DIR_VARIABLE, "")
    how = (f"set {SDXL_DIR_VARIABLE} (or the sdxl model parameter model_dir) to a directory written by "
           "StableDiffusionXLPipeline.save_pretrained, e.g. synced from object storage onto a persistent volume")
    if not value:
        raise WeightsMissing(f"sdxl has no weights configured: {how}")
    path = pathlib.Path(value).expanduser()
    if not (path / "model_index.json").is_file():
        state = "does not exist" if not path.exists() else "has no model_index.json"
        raise WeightsMissing(f"sdxl weights not found: {path} {state}; {how}")
    return path


def load_pipeline(model_dir: pathlib.Path | str, device: str | None = None, compile_unet: bool = False):
    """The pipeline from a local directory: fp16 + SDPA + channels-last on CUDA, fp32 on CPU."""
    import torch
    from diffusers import StableDiffusionXLPipeline
    from diffusers.models.attention_processor import AttnProcessor2_0

    path = weights_dir(str(model_dir))
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    dtype = torch.float16 if device.startswith("cuda") else torch.float32
    pipeline = StableDiffusionXLPipeline.from_pretrained(path, dtype=dtype, local_files_only=True)
    pipeline.to(device)
    pipeline.set_progress_bar_config(disable=True)
    pipeline.unet.set_attn_processor(AttnProcessor2_0())  # scaled_dot_product_attention
    if device.startswith("cuda"):
        pipeline.unet.to(memory_format=torch.channels_last)
        pipeline.vae.to(memory_format=torch.channels_last)
        if compile_unet:
            pipeline.unet = torch.compile(pipeline.unet, fullgraph=True)
    return pipeline


def truncate_prompt(tokenizer, prompt: str) -> tuple[str, bool]:
    """The prompt cut to what CLIP reads (model_max_length tokens with start and end), and whether it was cut."""
    ids = tokenizer(prompt, truncation=False, add_special_tokens=False, verbose=False).input_ids
    room = tokenizer.model_max_length - 2
    if len(ids) <= room:
        return prompt, False
    return tokenizer.decode(ids[:room], skip_special_tokens=True).strip(), True


def generate(pipeline, requests: list[ImageRequest],
             warn: Callable[[str], None] = log.warning) -> list[np.ndarray]:
    """One H x W x 3 uint8 image per request, in order; requests sharing size, steps and guidance run as one batch."""
    import torch

    groups: dict[tuple[int, int, int, float], list[int]] = {}
    for index, request in enumerate(requests):
        groups.setdefault((request.width, request.height, request.steps, request.guidance), []).append(index)
    images: list[np.ndarray | None] = [None] * len(requests)
    for (width, height, steps, guidance), indices in groups.items():
        prompts, negatives = [], []
        for index in indices:
            for text, into in ((requests[index].prompt, prompts), (requests[index].negative_prompt, negatives)):
                cut, truncated = truncate_prompt(pipeline.tokenizer, text)
                if truncated:
                    warn(f"sdxl: prompt over CLIP's {pipeline.tokenizer.model_max_length} tokens truncated to "
                         f"{cut!r}")
                into.append(cut)
        generators = [torch.Generator("cpu").manual_seed(requests[i].seed % 2**63) for i in indices]
        with torch.inference_mode():
            output = pipeline(prompt=prompts, negative_prompt=negatives, width=width, height=height,
                              num_inference_steps=steps, guidance_scale=guidance, generator=generators,
                              output_type="np").images
        for index, image in zip(indices, output):
            images[index] = np.clip(np.round(image * 255.0), 0, 255).astype(np.uint8)
    return images  # type: ignore[return-value]
