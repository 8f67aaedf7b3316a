"""Random-weight image-to-video pipelines of the real architectures, built from configs and saved with
save_pretrained, so inference.video runs end to end with no download: "tiny" for the tests (a 64x64 clip of
9 frames in about a second on CPU), "full" with the released models' shapes for bench/motion_gpu.py.

svd: StableVideoDiffusionPipeline (CLIPVisionModelWithProjection, UNetSpatioTemporalConditionModel,
AutoencoderKLTemporalDecoder, EulerDiscreteScheduler, CLIPImageProcessor); "full" is img2vid-xt's shapes.
ltx: LTXImageToVideoPipeline (T5EncoderModel, LTXVideoTransformer3DModel, AutoencoderKLLTXVideo,
FlowMatchEulerDiscreteScheduler) with a T5 tokenizer made here: a Unigram vocabulary of single characters
and T5's special tokens, which tokenizes any text (unknown characters as <unk>); "full" is LTX-Video 0.9's
2B transformer and VAE with T5-v1.1-XXL's encoder shapes (4.7B parameters: minutes and 9.5 GB to write).
"""

from __future__ import annotations

import pathlib
import string

SCALES = ("tiny", "full")


def _check_scale(scale: str) -> None:
    if scale not in SCALES:
        raise ValueError(f"scale {scale!r}: expected one of {', '.join(SCALES)}")


def write_random_svd(out_dir: pathlib.Path | str, scale: str = "tiny", seed: int = 0) -> pathlib.Path:
    """Save a random-weight StableVideoDiffusionPipeline to out_dir."""
    import torch
    from diffusers import (AutoencoderKLTemporalDecoder, EulerDiscreteScheduler, StableVideoDiffusionPipeline,
                           UNetSpatioTemporalConditionModel)
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    _check_scale(scale)
    torch.manual_seed(seed)
    if scale == "tiny":
        unet = UNetSpatioTemporalConditionModel(
            block_out_channels=(32, 64), layers_per_block=2, sample_size=32, in_channels=8, out_channels=4,
            down_block_types=("CrossAttnDownBlockSpatioTemporal", "DownBlockSpatioTemporal"),
            up_block_types=("UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal"), cross_attention_dim=32,
            num_attention_heads=2, projection_class_embeddings_input_dim=96, addition_time_embed_dim=32, num_frames=9)
        # 4x spatial compression (SVD's is 8x): a 64x64 clip is 16x16 latents, cheap for the UNet's attention.
        vae = AutoencoderKLTemporalDecoder(block_out_channels=[32, 32, 64], in_channels=3, out_channels=3,
                                           down_block_types=["DownEncoderBlock2D"] * 3, latent_channels=4,
                                           layers_per_block=1)
        # SVD resizes the still to 224x224 for its image encoder whatever the encoder's config: 7x7 patches here.
        vision = CLIPVisionConfig(hidden_size=32, projection_dim=32, num_hidden_layers=2, num_attention_heads=4,
                                  image_size=224, intermediate_size=37, patch_size=32)
    else:  # stable-video-diffusion-img2vid-xt
        unet = UNetSpatioTemporalConditionModel(sample_size=96, num_frames=25)  # the defaults are SVD's
        vae = AutoencoderKLTemporalDecoder(block_out_channels=[128, 256, 512, 512], layers_per_block=2,
                                           down_block_types=["DownEncoderBlock2D"] * 4, latent_channels=4,
                                           sample_size=768)
        vision = CLIPVisionConfig(hidden_size=1280, projection_dim=1024, num_hidden_layers=32, num_attention_heads=16,
                                  image_size=224, intermediate_size=5120, patch_size=14, hidden_act="gelu")
    scheduler = EulerDiscreteScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", interpolation_type="linear",
        num_train_timesteps=1000, prediction_type="v_prediction", sigma_max=700.0, sigma_min=0.002, steps_offset=1,
        timestep_spacing="leading", timestep_type="continuous", use_karras_sigmas=True)
    pipeline = StableVideoDiffusionPipeline(
        vae=vae, image_encoder=CLIPVisionModelWithProjection(vision), unet=unet, scheduler=scheduler,
        feature_extractor=CLIPImageProcessor(crop_size=224, size={"shortest_edge": 224}))
    if scale == "full":
        pipeline.to(torch.float16)
    pipeline.save_pretrained(out_dir)
    return pathlib.Path(out_dir)


def t5_tokenizer(model_max_length: int = 128):
    """A T5 tokenizer (T5's special tokens and layout) whose pieces are single characters."""
    from transformers import T5TokenizerFast

    pieces = ["▁"] + list(string.ascii_lowercase + string.ascii_uppercase + string.digits + string.punctuation)
    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)] + [(piece, -1.0) for piece in pieces]
    return T5TokenizerFast(vocab=vocab, extra_ids=0, model_max_length=model_max_length)


def write_random_ltx(out_dir: pathlib.Path | str, scale: str = "tiny", seed: int = 0) -> pathlib.Path:
    """Save a random-weight LTXImageToVideoPipeline to out_dir."""
    import torch
    from diffusers import (AutoencoderKLLTXVideo, FlowMatchEulerDiscreteScheduler, LTXImageToVideoPipeline,
                           LTXVideoTransformer3DModel)
    from transformers import T5Config, T5EncoderModel

    _check_scale(scale)
    torch.manual_seed(seed)
    tokenizer = t5_tokenizer()
    if scale == "tiny":
        transformer = LTXVideoTransformer3DModel(
            in_channels=8, out_channels=8, patch_size=1, patch_size_t=1, num_attention_heads=4, attention_head_dim=8,
            cross_attention_dim=32, num_layers=1, caption_channels=32)
        # 4x spatial and temporal compression (LTX-Video's is 32x and 8x): a 9-frame 64x64 clip is 3x16x16 latents.
        vae = AutoencoderKLLTXVideo(
            in_channels=3, out_channels=3, latent_channels=8, block_out_channels=(8, 8, 8, 8),
            decoder_block_out_channels=(8, 8, 8, 8), layers_per_block=(1, 1, 1, 1, 1),
            decoder_layers_per_block=(1, 1, 1, 1, 1), spatio_temporal_scaling=(True, True, False, False),
            decoder_spatio_temporal_scaling=(True, True, False, False),
            decoder_inject_noise=(False, False, False, False, False), upsample_residual=(False, False, False, False),
            upsample_factor=(1, 1, 1, 1), timestep_conditioning=False, patch_size=1, patch_size_t=1,
            encoder_causal=True, decoder_causal=False)
        text = T5Config(vocab_size=len(tokenizer), d_model=32, d_ff=37, d_kv=8, num_heads=4, num_layers=2,
                        feed_forward_proj="gated-gelu", relative_attention_num_buckets=8, pad_token_id=0,
                        eos_token_id=1, decoder_start_token_id=0)
    else:  # LTX-Video 0.9: the diffusers defaults; T5-v1.1-XXL's encoder
        transformer = LTXVideoTransformer3DModel()
        vae = AutoencoderKLLTXVideo()
        text = T5Config(vocab_size=len(tokenizer), d_model=4096, d_ff=10240, d_kv=64, num_heads=64, num_layers=24,
                        feed_forward_proj="gated-gelu", pad_token_id=0, eos_token_id=1, decoder_start_token_id=0)
    pipeline = LTXImageToVideoPipeline(scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae,
                                       text_encoder=T5EncoderModel(text), tokenizer=tokenizer, transformer=transformer)
    if scale == "full":
        pipeline.to(torch.bfloat16)
    pipeline.save_pretrained(out_dir)
    return pathlib.Path(out_dir)


WRITERS = {"svd": write_random_svd, "ltx": write_random_ltx}


def write_random_video(out_dir: pathlib.Path | str, pipeline: str, scale: str = "tiny",
                       seed: int = 0) -> pathlib.Path:
    """Save a random-weight pipeline of the kind inference.video loads as `pipeline` ("svd" or "ltx")."""
    if pipeline not in WRITERS:
        raise ValueError(f"pipeline {pipeline!r}: expected one of {', '.join(WRITERS)}")
    return WRITERS[pipeline](out_dir, scale, seed)
