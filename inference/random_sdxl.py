"""SDXL-architecture pipelines with random weights, built from configs and saved with save_pretrained,
and IP-Adapters for them (weights and CLIP image encoder) in h94/IP-Adapter's layout.

For tests (a tiny pipeline that runs on a CPU in seconds) and for the GPU benchmark (the real SDXL shapes:
the arithmetic is the same whatever the weights). Nothing is downloaded: the CLIP tokenizer is a byte-level
vocabulary written here.
"""

from __future__ import annotations

import json
import pathlib


def _bytes_to_unicode() -> list[str]:
    # CLIP's byte-level alphabet: printable bytes map to themselves, the rest to code points from 256 up.
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars, extra = [], 0
    for byte in range(256):
        if byte in keep:
            chars.append(chr(byte))
        else:
            chars.append(chr(256 + extra))
            extra += 1
    return chars


def write_tokenizer(directory: pathlib.Path) -> int:
    """A CLIP tokenizer whose tokens are single bytes (no merges); returns its vocabulary size."""
    directory.mkdir(parents=True, exist_ok=True)
    alphabet = _bytes_to_unicode()
    tokens = alphabet + [c + "</w>" for c in alphabet] + ["<|startoftext|>", "<|endoftext|>"]
    (directory / "vocab.json").write_text(json.dumps({token: i for i, token in enumerate(tokens)}))
    (directory / "merges.txt").write_text("#version: 0.2\n")
    return len(tokens)


def write_random_sdxl(out_dir: pathlib.Path | str, scale: str = "tiny", seed: int = 0) -> pathlib.Path:
    """Save a random-weight StableDiffusionXLPipeline to out_dir; scale "tiny" (tests) or "full" (SDXL shapes)."""
    import torch
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionXLPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection, CLIPTokenizer

    out_dir = pathlib.Path(out_dir)
    vocab_dir = out_dir.parent / f"{out_dir.name}-vocab"
    vocab = write_tokenizer(vocab_dir)
    start, end = vocab - 2, vocab - 1
    torch.manual_seed(seed)
    if scale == "tiny":
        unet = UNet2DConditionModel(
            block_out_channels=(32, 64), layers_per_block=2, sample_size=32, in_channels=4, out_channels=4,
            down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
            attention_head_dim=(2, 4), use_linear_projection=True, addition_embed_type="text_time",
            addition_time_embed_dim=8, transformer_layers_per_block=(1, 2),
            projection_class_embeddings_input_dim=6 * 8 + 32, cross_attention_dim=64, norm_num_groups=1)
        vae = AutoencoderKL(block_out_channels=[32, 64], in_channels=3, out_channels=3, latent_channels=4,
                            down_block_types=["DownEncoderBlock2D"] * 2, up_block_types=["UpDecoderBlock2D"] * 2,
                            sample_size=128)
        common = dict(bos_token_id=start, eos_token_id=end, pad_token_id=end, vocab_size=vocab, hidden_size=32,
                      intermediate_size=37, num_attention_heads=4, num_hidden_layers=5, hidden_act="gelu",
                      projection_dim=32)
        encoder_1, encoder_2 = CLIPTextConfig(**common), CLIPTextConfig(**common)
    elif scale == "full":
        unet = UNet2DConditionModel(
            block_out_channels=(320, 640, 1280), layers_per_block=2, sample_size=128, in_channels=4, out_channels=4,
            down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
            up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
            attention_head_dim=(5, 10, 20), use_linear_projection=True, addition_embed_type="text_time",
            addition_time_embed_dim=256, transformer_layers_per_block=(1, 2, 10),
            projection_class_embeddings_input_dim=2816, cross_attention_dim=2048)
        vae = AutoencoderKL(block_out_channels=[128, 256, 512, 512], in_channels=3, out_channels=3, latent_channels=4,
                            down_block_types=["DownEncoderBlock2D"] * 4, up_block_types=["UpDecoderBlock2D"] * 4,
                            layers_per_block=2, sample_size=1024, scaling_factor=0.13025, force_upcast=False)
        ids = dict(bos_token_id=start, eos_token_id=end, pad_token_id=end, vocab_size=vocab)
        encoder_1 = CLIPTextConfig(**ids, hidden_size=768, intermediate_size=3072, num_attention_heads=12,
                                   num_hidden_layers=12, hidden_act="quick_gelu", projection_dim=768)
        encoder_2 = CLIPTextConfig(**ids, hidden_size=1280, intermediate_size=5120, num_attention_heads=20,
                                   num_hidden_layers=32, hidden_act="gelu", projection_dim=1280)
    else:
        raise ValueError(f"scale {scale!r}: expected 'tiny' or 'full'")
    scheduler = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                       steps_offset=1, timestep_spacing="leading")
    tokenizer = CLIPTokenizer(str(vocab_dir / "vocab.json"), str(vocab_dir / "merges.txt"), model_max_length=77)
    pipeline = StableDiffusionXLPipeline(
        vae=vae, text_encoder=CLIPTextModel(encoder_1), text_encoder_2=CLIPTextModelWithProjection(encoder_2),
        tokenizer=tokenizer, tokenizer_2=tokenizer, unet=unet, scheduler=scheduler)
    if scale == "full":
        pipeline.to(torch.float16)
    pipeline.save_pretrained(out_dir)
    return out_dir


def write_random_ip_adapter(out_dir: pathlib.Path | str, sdxl_dir: pathlib.Path | str, scale: str = "tiny",
                            seed: int = 0, subfolder: str = "sdxl_models",
                            weight_name: str = "ip-adapter_sdxl.safetensors") -> pathlib.Path:
    """Save a random-weight IP-Adapter for the UNet saved in sdxl_dir to out_dir, laid out as h94/IP-Adapter's
    SDXL one: out_dir/subfolder/weight_name (image_proj.* and ip_adapter.* tensors) and the CLIP image encoder in
    out_dir/subfolder/image_encoder. scale "tiny" (tests) or "full" (ip-adapter_sdxl's OpenCLIP ViT-bigG/14)."""
    import torch
    from diffusers import UNet2DConditionModel
    from diffusers.models.embeddings import ImageProjection
    from safetensors.torch import save_file
    from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection

    out_dir = pathlib.Path(out_dir)
    torch.manual_seed(seed)
    if scale == "tiny":
        vision = CLIPVisionConfig(hidden_size=32, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2,
                                  image_size=32, patch_size=8, projection_dim=32, hidden_act="gelu")
    elif scale == "full":
        vision = CLIPVisionConfig(hidden_size=1664, intermediate_size=8192, num_attention_heads=16,
                                  num_hidden_layers=48, image_size=224, patch_size=14, projection_dim=1280,
                                  hidden_act="gelu")
    else:
        raise ValueError(f"scale {scale!r}: expected 'tiny' or 'full'")
    with torch.device("meta"):  # only the attention layers' names and sizes are needed
        unet = UNet2DConditionModel.from_config(UNet2DConditionModel.load_config(pathlib.Path(sdxl_dir) / "unet"))
    cross = unet.config.cross_attention_dim
    projection = ImageProjection(image_embed_dim=vision.projection_dim, cross_attention_dim=cross,
                                 num_image_text_embeds=4)
    weights = {f"image_proj.{name.replace('image_embeds', 'proj')}": value
               for name, value in projection.state_dict().items()}
    # load_ip_adapter numbers the cross-attention layers 1, 3, 5, ... in attn_processors order.
    key = 1
    for name in unet.attn_processors:
        if name.endswith("attn1.processor"):
            continue
        hidden = unet.get_submodule(name.removesuffix(".processor")).to_k.out_features
        for part in ("to_k_ip", "to_v_ip"):
            weights[f"ip_adapter.{key}.{part}.weight"] = torch.nn.Linear(cross, hidden, bias=False).weight.detach()
        key += 2
    dtype = torch.float16 if scale == "full" else torch.float32
    (out_dir / subfolder).mkdir(parents=True, exist_ok=True)
    save_file({name: value.to(dtype).contiguous() for name, value in weights.items()}, out_dir / subfolder / weight_name)
    CLIPVisionModelWithProjection(vision).to(dtype).save_pretrained(out_dir / subfolder / "image_encoder")
    return out_dir
