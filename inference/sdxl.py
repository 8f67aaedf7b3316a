"""SDXL: diffusers' StableDiffusionXLPipeline loaded from a local directory, run in batches.

Weights live in a diffusers directory (save_pretrained layout) on a persistent volume or synced from object
storage; nothing is downloaded at run time. On CUDA the pipeline runs in fp16 with PyTorch's SDPA attention
and channels-last UNet (optionally torch.compile'd); on CPU in fp32, which is how the tests run a tiny
random-weight pipeline of the same architecture.

Every image's starting noise comes from its own CPU generator seeded with its seed, so one prompt's seed gives
the same image whatever its neighbours in a batch.

Characters' reference portraits condition a shot through one IP-Adapter (diffusers' load_ip_adapter, from a
local directory in h94/IP-Adapter's layout, with its CLIP image encoder). A batch's distinct portraits are
encoded once and handed to the adapter as its images; each row's mask (diffusers' ip_adapter_masks) is a
constant plane per portrait holding that row's scale for it, 0 for portraits of other rows, so one batch
carries different characters and scales per shot (diffusers' own per-image scale is one number per batch).
Without adapter weights the pipeline is the plain one and portraits are ignored, which load_pipeline's caller
is told once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import io
import logging
import math
import os
import pathlib
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from filmstudio import tensors
from filmstudio.tensors import REFERENCE_IMAGES, REFERENCE_SCALES
from inference.signature import BadRequest, ImageRequest

log = logging.getLogger(__name__)

SDXL_DIR_VARIABLE = "FILMSTUDIO_SDXL_MODEL_DIR"
IP_ADAPTER_DIR_VARIABLE = "FILMSTUDIO_IP_ADAPTER_DIR"
IGNORED = "reference portraits are ignored and shots are drawn from prompt and seed"


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


class AdapterMissing(RuntimeError):
    """No usable IP-Adapter at the configured path; the message says which path and how to provide one."""


@dataclasses.dataclass(frozen=True)
class IPAdapter:
    """Where an IP-Adapter's files are, as load_ip_adapter takes them (h94/IP-Adapter's SDXL layout by default)."""

    directory: pathlib.Path
    subfolder: str = "sdxl_models"
    weight_name: str = "ip-adapter_sdxl.safetensors"
    # The CLIP image encoder: a folder under subfolder, or a path under directory when it holds a "/".
    image_encoder_folder: str = "image_encoder"

    @property
    def weights(self) -> pathlib.Path:
        return self.directory / self.subfolder / self.weight_name

    @property
    def image_encoder(self) -> pathlib.Path:
        if "/" in self.image_encoder_folder:
            return self.directory / self.image_encoder_folder
        return self.directory / self.subfolder / self.image_encoder_folder


def ip_adapter_weights(parameter: str = "", subfolder: str = IPAdapter.subfolder,
                       weight_name: str = IPAdapter.weight_name,
                       image_encoder_folder: str = IPAdapter.image_encoder_folder,
                       env: Mapping[str, str] | None = None) -> IPAdapter:
    """The IP-Adapter: the model parameter ip_adapter_dir, else FILMSTUDIO_IP_ADAPTER_DIR; AdapterMissing if
    it is not configured or its weights or image encoder are not there."""
    env = os.environ if env is None else env
    value = parameter or env.get(IP_ADAPTER_DIR_VARIABLE, "")
    how = (f"set {IP_ADAPTER_DIR_VARIABLE} (or the sdxl model parameter ip_adapter_dir) to a directory holding "
           f"{subfolder}/{weight_name} and its CLIP image encoder, as h94/IP-Adapter lays them out")
    if not value:
        raise AdapterMissing(f"sdxl has no IP-Adapter weights configured: {how}")
    adapter = IPAdapter(pathlib.Path(value).expanduser(), subfolder, weight_name, image_encoder_folder)
    for path, what in ((adapter.weights, "is missing"), (adapter.image_encoder / "config.json", "is missing")):
        if not path.is_file():
            raise AdapterMissing(f"sdxl IP-Adapter not found: {path} {what}; {how}")
    return adapter


def find_ip_adapter(parameter: str = "", subfolder: str = IPAdapter.subfolder,
                    weight_name: str = IPAdapter.weight_name,
                    image_encoder_folder: str = IPAdapter.image_encoder_folder,
                    env: Mapping[str, str] | None = None,
                    warn: Callable[[str], None] = log.warning) -> IPAdapter | None:
    """ip_adapter_weights, or None after warning why (portraits are then ignored, never a failed shot)."""
    try:
        return ip_adapter_weights(parameter, subfolder, weight_name, image_encoder_folder, env)
    except AdapterMissing as exc:
        warn(f"{exc}; {IGNORED}")
        return None


def load_pipeline(model_dir: pathlib.Path | str, device: str | None = None, compile_unet: bool = False,
                  ip_adapter: IPAdapter | None = None, warn: Callable[[str], None] = log.warning):
    """The pipeline from a local directory: fp16 + SDPA + channels-last on CUDA, fp32 on CPU.

    With ip_adapter, the adapter and its image encoder too; if they fail to load, warn says why and the
    pipeline stays the plain one (has_ip_adapter tells which).
    """
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
    if ip_adapter is not None:
        _load_ip_adapter(pipeline, ip_adapter, warn)
    if device.startswith("cuda"):
        pipeline.unet.to(memory_format=torch.channels_last)
        pipeline.vae.to(memory_format=torch.channels_last)
        if compile_unet:
            pipeline.unet = torch.compile(pipeline.unet, fullgraph=True)
    return pipeline


def _load_ip_adapter(pipeline, adapter: IPAdapter, warn: Callable[[str], None]) -> None:
    try:
        pipeline.load_ip_adapter(str(adapter.directory), subfolder=adapter.subfolder, weight_name=adapter.weight_name,
                                 image_encoder_folder=adapter.image_encoder_folder, local_files_only=True,
                                 low_cpu_mem_usage=importlib.util.find_spec("accelerate") is not None)
        pipeline.set_ip_adapter_scale(1.0)  # the scales ride in the masks (see the module's docstring)
    except Exception as exc:  # a broken or mismatched adapter costs the portraits, not the model
        pipeline.unload_ip_adapter()
        warn(f"sdxl: the IP-Adapter {adapter.weights} could not be loaded ({type(exc).__name__}: {exc}); {IGNORED}")


def has_ip_adapter(pipeline) -> bool:
    """Whether the pipeline conditions on reference portraits (an IP-Adapter and its image encoder loaded)."""
    from diffusers.models.embeddings import MultiIPAdapterImageProjection

    return (getattr(pipeline, "image_encoder", None) is not None
            and isinstance(pipeline.unet.encoder_hid_proj, MultiIPAdapterImageProjection))


@dataclasses.dataclass(frozen=True)
class Reference:
    """A character's reference portrait and how strongly a shot follows it (the IP-Adapter scale)."""

    portrait: "PIL.Image.Image"  # noqa: F821 (RGB)
    scale: float


def decode_portrait(data: bytes, where: str):
    """An encoded image (PNG, JPEG, WebP ...) as RGB, transparency over white; BadRequest naming where if it is not one."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if "A" in image.getbands() or image.mode == "P":
                image = image.convert("RGBA")
                flat = Image.new("RGB", image.size, "white")
                flat.paste(image, mask=image.getchannel("A"))
                return flat
            return image.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise BadRequest(f"{where} is not an image: {exc}") from None


def default_scale(text: str) -> float:
    """The sdxl parameter ip_adapter_scale: what a REFERENCE_SCALES of 0 stands for; ValueError unless in (0, 1]."""
    try:
        scale = float(text)
    except ValueError:
        scale = math.nan
    if not 0.0 < scale <= tensors.MAX_REFERENCE_SCALE:
        raise ValueError(f"sdxl parameter ip_adapter_scale {text!r} must be a number above 0 and at most "
                         f"{tensors.MAX_REFERENCE_SCALE:g}")
    return scale


def reference_rows(inputs: Mapping[str, np.ndarray | None], rows: int,
                   default_scale: float) -> list[tuple[Reference, ...]]:
    """Each row's reference portraits (REFERENCE_IMAGES, REFERENCE_SCALES; empty slots skipped, scale 0 meaning
    default_scale); BadRequest naming the input, row and slot when one is wrong."""
    images, scales = inputs.get(REFERENCE_IMAGES.name), inputs.get(REFERENCE_SCALES.name)
    if images is None and scales is None:
        return [()] * rows
    if images is None or scales is None:
        given, missing = (REFERENCE_IMAGES, REFERENCE_SCALES) if scales is None else (REFERENCE_SCALES, REFERENCE_IMAGES)
        raise BadRequest(f"input {given.name} needs {missing.name} with it")
    shape = (rows, tensors.MAX_REFERENCES)
    for tensor, array in ((REFERENCE_IMAGES, images), (REFERENCE_SCALES, scales)):
        if array.shape != shape:
            raise BadRequest(f"input {tensor.name} has shape {list(array.shape)}, expected {list(shape)}")
    found = []
    for row in range(rows):
        references = []
        for slot in range(tensors.MAX_REFERENCES):
            data = images[row, slot]
            if not data:
                continue
            where = f"{REFERENCE_IMAGES.name}[{row}][{slot}]"
            scale = float(scales[row, slot])
            if not (math.isfinite(scale) and 0.0 <= scale <= tensors.MAX_REFERENCE_SCALE):
                raise BadRequest(f"{REFERENCE_SCALES.name}[{row}][{slot}] {scale} must be between 0 and "
                                 f"{tensors.MAX_REFERENCE_SCALE:g} (0 for the model's default)")
            references.append(Reference(decode_portrait(bytes(data), where), scale or default_scale))
        found.append(tuple(references))
    return found


def references_applied(pipeline, references: Sequence[Reference]) -> int:
    """How many of a row's portraits condition its image: all of them with an IP-Adapter, none without."""
    return len(references) if has_ip_adapter(pipeline) else 0


def _conditioning(pipeline, rows: Sequence[Sequence[Reference]], width: int, height: int, guidance: float) -> dict:
    """The pipeline arguments that condition each row on its own portraits (see the module's docstring)."""
    import torch
    from diffusers.models.embeddings import ImageProjection

    slots: dict[tuple, int] = {}  # a portrait's slot among the batch's distinct portraits
    portraits, scales_by_row = [], []
    for references in rows:
        by_slot: dict[int, float] = {}
        for reference in references:
            key = (reference.portrait.size, hashlib.sha1(reference.portrait.tobytes()).digest())
            if key not in slots:
                slots[key] = len(portraits)
                portraits.append(reference.portrait)
            by_slot[slots[key]] = max(by_slot.get(slots[key], 0.0), reference.scale)
        scales_by_row.append(by_slot)
    # Plain IP-Adapters read the encoder's projected embedding, the "plus" ones its penultimate hidden states.
    hidden = not isinstance(pipeline.unet.encoder_hid_proj.image_projection_layers[0], ImageProjection)
    if portraits:
        images = portraits  # encode_image runs the pipeline's CLIP feature extractor over them
    else:  # the adapter still wants an image: a blank one, masked out everywhere
        side = pipeline.image_encoder.config.image_size
        images = torch.zeros(1, 3, side, side)
    with torch.inference_mode():
        embeds, negative = pipeline.encode_image(images, pipeline.device, 1, hidden)
    scales = torch.zeros(len(rows), embeds.shape[0])
    for row, by_slot in enumerate(scales_by_row):
        for slot, scale in by_slot.items():
            scales[row, slot] = scale
    embeds = embeds[None]  # one set of images for the whole batch: the masks pick each row's
    if guidance > 1 and pipeline.unet.config.time_cond_proj_dim is None:  # classifier-free guidance: negatives first
        embeds = torch.cat([negative[None], embeds])
        scales = torch.cat([scales, scales])
    latent = (height // pipeline.vae_scale_factor, width // pipeline.vae_scale_factor)
    masks = scales[:, :, None, None].expand(-1, -1, *latent).contiguous().to(pipeline.device)
    return {"ip_adapter_image_embeds": [embeds], "cross_attention_kwargs": {"ip_adapter_masks": [masks]}}


def truncate_prompt(tokenizer, prompt: str) -> tuple[str, bool]:
    """The prompt cut to what CLIP reads (model_max_length tokens with start and end), and whether it was cut."""
    ids = tokenizer(prompt, truncation=False, add_special_tokens=False, verbose=False).input_ids
    room = tokenizer.model_max_length - 2
    if len(ids) <= room:
        return prompt, False
    return tokenizer.decode(ids[:room], skip_special_tokens=True).strip(), True


def generate(pipeline, requests: list[ImageRequest], warn: Callable[[str], None] = log.warning,
             references: Sequence[Sequence[Reference]] = ()) -> list[np.ndarray]:
    """One H x W x 3 uint8 image per request, in order; requests sharing size, steps and guidance run as one batch.

    references, when given, are each request's portraits (one sequence per request); a pipeline without an
    IP-Adapter ignores them (references_applied says so).
    """
    import torch

    references = list(references) or [()] * len(requests)
    if len(references) != len(requests):
        raise ValueError(f"{len(references)} sets of references for {len(requests)} requests")
    conditioned = has_ip_adapter(pipeline)

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
        extra = _conditioning(pipeline, [references[i] for i in indices], width, height, guidance) if conditioned else {}
        with torch.inference_mode():
            output = pipeline(prompt=prompts, negative_prompt=negatives, width=width, height=height,
                              num_inference_steps=steps, guidance_scale=guidance, generator=generators,
                              output_type="np", **extra).images
        for index, image in zip(indices, output):
            images[index] = np.clip(np.round(image * 255.0), 0, 255).astype(np.uint8)
    return images  # type: ignore[return-value]
