"""Motion: a shot's still moved into a short clip by a diffusers image-to-video pipeline, run in batches.

Two pipelines, chosen by the motion model's parameter `pipeline` (empty: the kind the weights directory's
model_index.json names):

- "ltx": LTXImageToVideoPipeline (LTX-Video), conditioned on the shot's prompt as well as its still; its VAE
  folds 8 frames into a latent after the first, hence filmstudio.tensors' 8k+1 frame counts.
- "svd": StableVideoDiffusionPipeline (Stable Video Diffusion), conditioned on the still alone (the prompt
  is not read) and micro-conditioned on the clip's fps.

Weights live in a diffusers directory (save_pretrained layout; the model parameter model_dir, else
FILMSTUDIO_MOTION_MODEL_DIR) on a persistent volume or synced from object storage; nothing is downloaded at
run time. On CUDA the pipeline runs in bf16 (LTX-Video, trained in bf16) or fp16 (SVD, released in fp16) with
PyTorch's SDPA attention (diffusers' default); on CPU in fp32, which is how the tests run tiny random-weight
pipelines of the same architectures (inference.random_video).

Every clip's noise comes from its own CPU generator seeded with its seed, so a shot's seed gives the same clip
whatever its neighbours in a batch. Rows that share size, frame count, fps, steps and guidance run as one
pipeline call (those are one number per call in both pipelines); the others run one call per group.

The still is fitted to the clip by cropping it to the clip's aspect around its centre, then resizing: the
pipelines' own preprocessing would stretch it.
"""

from __future__ import annotations

import json
import logging
import os
import pathlib
from collections.abc import Mapping, Sequence

import numpy as np

from inference.sdxl import WeightsMissing  # one error for missing weights, whichever model
from inference.signature import MotionRequest

log = logging.getLogger(__name__)

MOTION_DIR_VARIABLE = "FILMSTUDIO_MOTION_MODEL_DIR"
# The model parameter `pipeline`: the diffusers class each name loads.
PIPELINES = {"ltx": "LTXImageToVideoPipeline", "svd": "StableVideoDiffusionPipeline"}
# LTX-Video's model card's negative prompt: what its classifier-free guidance steers away from.
LTX_NEGATIVE_PROMPT = "worst quality, inconsistent motion, blurry, jittery, distorted"
# LTX-Video 0.9.1+ decodes with a little noise at a small timestep (its VAE is timestep-conditioned; for a VAE
# that is not, as in the tiny test pipeline, diffusers ignores both).
LTX_DECODE_TIMESTEP, LTX_DECODE_NOISE_SCALE = 0.05, 0.025

def pipeline_name(text: str) -> str:
    """The model parameter `pipeline` checked: "ltx", "svd", or "" (whichever the weights are); ValueError
    naming the parameter otherwise."""
    if text and text not in PIPELINES:
        raise ValueError(f"motion parameter pipeline {text!r} must be one of {', '.join(PIPELINES)}, or empty for "
                         "the kind the weights are")
    return text


def weights_dir(parameter: str = "", env: Mapping[str, str] | None = None) -> pathlib.Path:
    """The pipeline directory: the model parameter model_dir, else FILMSTUDIO_MOTION_MODEL_DIR."""
    env = os.environ if env is None else env
    value = parameter or env.get(MOTION_DIR_VARIABLE, "")
    how = (f"set {MOTION_DIR_VARIABLE} (or the motion model parameter model_dir) to a directory written by "
           f"{' or '.join(PIPELINES.values())}.save_pretrained, e.g. synced from object storage onto a persistent "
           "volume")
    if not value:
        raise WeightsMissing(f"motion has no weights configured: {how}")
    path = pathlib.Path(value).expanduser()
    if not (path / "model_index.json").is_file():
        state = "does not exist" if not path.exists() else "has no model_index.json"
        raise WeightsMissing(f"motion weights not found: {path} {state}; {how}")
    return path


def _saved_class(path: pathlib.Path) -> str:
    try:
        return str(json.loads((path / "model_index.json").read_text()).get("_class_name", ""))
    except (OSError, ValueError) as exc:
        raise WeightsMissing(f"motion weights at {path}: model_index.json is unreadable ({exc})") from None


def load_pipeline(model_dir: pathlib.Path | str, pipeline: str = "", device: str | None = None):
    """The pipeline from a local directory: bf16 (ltx) or fp16 (svd) on CUDA, fp32 on CPU.

    pipeline "ltx" or "svd" says which kind the directory must hold, "" takes the kind it holds; WeightsMissing
    when the directory is not there or holds another kind.
    """
    import torch
    import diffusers

    pipeline_name(pipeline)
    path = weights_dir(str(model_dir))
    found = _saved_class(path)
    kind = next((name for name, cls in PIPELINES.items() if cls == found), None)
    if kind is None or (pipeline and kind != pipeline):
        wanted = PIPELINES[pipeline] if pipeline else " or ".join(PIPELINES.values())
        fix = f"; set the motion parameter pipeline to {kind!r} or empty" if kind else ""
        raise WeightsMissing(f"motion weights at {path} are a {found or 'pipeline of no known class'}, not "
                             f"{wanted}{fix}")
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda"):
        dtype = torch.bfloat16 if kind == "ltx" else torch.float16
    else:
        dtype = torch.float32
    loaded = getattr(diffusers, found).from_pretrained(path, dtype=dtype, local_files_only=True)
    loaded.to(device)
    loaded.set_progress_bar_config(disable=True)
    return loaded


def pipeline_kind(pipeline) -> str:
    """Which of PIPELINES a loaded pipeline is ("ltx" or "svd")."""
    name = type(pipeline).__name__
    for kind, cls in PIPELINES.items():
        if cls == name:
            return kind
    raise TypeError(f"{name} is not a motion pipeline ({', '.join(PIPELINES.values())})")


def fit_still(still: np.ndarray, width: int, height: int):
    """The still (H x W x 3 uint8 RGB) cropped around its centre to width:height and resized to width x height."""
    from PIL import Image

    image = Image.fromarray(np.ascontiguousarray(still[..., :3]))
    aspect = width / height
    if image.width / image.height > aspect:  # too wide: crop the sides
        crop = round(image.height * aspect)
        left = (image.width - crop) // 2
        image = image.crop((left, 0, left + crop, image.height))
    elif image.width / image.height < aspect:  # too tall: crop top and bottom
        crop = round(image.width / aspect)
        top = (image.height - crop) // 2
        image = image.crop((0, top, image.width, top + crop))
    if image.size != (width, height):
        image = image.resize((width, height), Image.LANCZOS)
    return image


def generate(pipeline, requests: Sequence[MotionRequest], stills: Sequence[np.ndarray]) -> list[np.ndarray]:
    """One frame_count x height x width x 3 uint8 clip per request, moved from its still, in order."""
    import torch

    if len(stills) != len(requests):
        raise ValueError(f"{len(stills)} stills for {len(requests)} requests")
    kind = pipeline_kind(pipeline)
    groups: dict[tuple[int, int, int, int, int, float], list[int]] = {}
    for index, r in enumerate(requests):
        groups.setdefault((r.width, r.height, r.frame_count, r.fps, r.steps, r.guidance), []).append(index)
    clips: list[np.ndarray | None] = [None] * len(requests)
    for (width, height, frame_count, fps, steps, guidance), indices in groups.items():
        images = [fit_still(stills[i], width, height) for i in indices]
        generators = [torch.Generator("cpu").manual_seed(requests[i].seed % 2**63) for i in indices]
        common = dict(image=images, width=width, height=height, num_frames=frame_count, num_inference_steps=steps,
                      generator=generators, output_type="np")
        with torch.inference_mode():
            if kind == "ltx":
                output = pipeline(prompt=[requests[i].prompt for i in indices],
                                  negative_prompt=[LTX_NEGATIVE_PROMPT] * len(indices), frame_rate=fps,
                                  guidance_scale=guidance, decode_timestep=LTX_DECODE_TIMESTEP,
                                  decode_noise_scale=LTX_DECODE_NOISE_SCALE, **common).frames
            else:
                # SVD's guidance rises from min to max over the clip's frames (<= 1 turns it off). Its temporal VAE
                # decodes decode_chunk_size frames of the flattened batch at a time: a whole clip per chunk keeps
                # each row's frames to itself (and is how SVD decodes by default).
                output = pipeline(fps=fps, min_guidance_scale=min(1.0, guidance), max_guidance_scale=guidance,
                                  decode_chunk_size=frame_count, **common).frames
        for index, frames in zip(indices, np.asarray(output)):
            if frames.shape != (frame_count, height, width, 3):
                raise RuntimeError(f"motion: the {kind} pipeline made frames of shape {list(frames.shape)}, "
                                   f"not {[frame_count, height, width, 3]}")
            clips[index] = np.clip(np.round(frames * 255.0), 0, 255).astype(np.uint8)
    return clips  # type: ignore[return-value]
