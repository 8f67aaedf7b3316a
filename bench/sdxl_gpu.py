"""SDXL-architecture images/s through our Triton sdxl model at batch 1, 2, 4, 8, on one GPU.

Baseline (measured in the same run): plain diffusers StableDiffusionXLPipeline, eager fp16, batch 1.
Weights are random (built from SDXL's configs by inference.random_sdxl): the arithmetic is the same.
1024x1024, 30 steps, classifier-free guidance. Prints model FLOP utilisation (UNet FLOPs counted with
torch.utils.flop_counter, against the GPU's dense fp16 peak). Reference (H100, diffusers 0.42 eager fp16):
0.35 img/s at batch 1, 0.81 img/s at batch 4; target >= 1.0 img/s.

    .venv/bin/python bench/sdxl_gpu.py [--work-dir /tmp/sdxl-bench] [--compile] [--batches 1 2 4 8]

Needs CUDA: without it, says so and exits with status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import pathlib
import socket
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

# Dense fp16/bf16 tensor-core peak, TFLOP/s, by GPU name.
PEAK_TFLOPS = {"H100": 989.4, "H200": 989.4, "A100": 312.0, "L40S": 362.1, "A10G": 125.0, "L4": 121.0}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unet_tflop_per_step(pipeline, size: int) -> float:
    """TFLOP of one UNet call with CFG (batch 2) at this image size."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    latent = size // pipeline.vae_scale_factor
    unet, device, dtype = pipeline.unet, pipeline.device, pipeline.unet.dtype
    sample = torch.randn(2, 4, latent, latent, device=device, dtype=dtype)
    text = torch.randn(2, 77, unet.config.cross_attention_dim, device=device, dtype=dtype)
    added = {"text_embeds": torch.randn(2, pipeline.text_encoder_2.config.projection_dim, device=device, dtype=dtype),
             "time_ids": torch.tensor([[size, size, 0, 0, size, size]] * 2, device=device, dtype=dtype)}
    with torch.inference_mode(), FlopCounterMode(display=False) as counter:
        unet(sample, 500, encoder_hidden_states=text, added_cond_kwargs=added)
    return counter.get_total_flops() / 1e12


def eager_baseline(weights: pathlib.Path, size: int, steps: int, guidance: float, runs: int) -> tuple[float, float]:
    """(seconds per image at batch 1, UNet TFLOP per step) with plain diffusers."""
    import torch
    from diffusers import StableDiffusionXLPipeline

    pipeline = StableDiffusionXLPipeline.from_pretrained(weights, dtype=torch.float16, local_files_only=True).to("cuda")
    pipeline.set_progress_bar_config(disable=True)
    flops = unet_tflop_per_step(pipeline, size)
    pipeline("warm-up", width=size, height=size, num_inference_steps=2, guidance_scale=guidance)
    torch.cuda.synchronize()
    start = time.perf_counter()
    for i in range(runs):
        pipeline(f"a lighthouse at dusk {i}", width=size, height=size, num_inference_steps=steps,
                 guidance_scale=guidance, generator=torch.Generator("cpu").manual_seed(i))
    torch.cuda.synchronize()
    seconds = (time.perf_counter() - start) / runs
    del pipeline
    gc.collect()
    torch.cuda.empty_cache()
    return seconds, flops


async def triton_rates(addr: str, weights: pathlib.Path, compile_unet: bool, batches: list[int], size: int,
                       steps: int, guidance: float, rounds: int) -> dict[int, float]:
    import tritonclient.grpc.aio as triton_aio

    from inference.launcher import model_config_json
    from orchestrator.triton import TritonClient

    async with triton_aio.InferenceServerClient(addr) as raw:
        await raw.load_model("sdxl", config=model_config_json("sdxl", model_dir=str(weights),
                                                              compile=str(compile_unet).lower()))
    client = TritonClient(addr, max_in_flight_per_model=max(batches), deadline_s=1800.0)
    rates = {}
    for batch in batches:
        async def round_(tag: int) -> None:
            await asyncio.gather(*[client.render_image("sdxl", f"a harbour at night {tag}-{i}", "blurry", tag * 100 + i,
                                                       size, size, steps=steps, guidance=guidance)
                                   for i in range(batch)])
        await round_(0)  # warm-up (and compilation) at this batch size
        start = time.perf_counter()
        for tag in range(1, rounds + 1):
            await round_(tag)
        rates[batch] = batch * rounds / (time.perf_counter() - start)
        print(f"  batch {batch}: {rates[batch]:.3f} img/s", flush=True)
    await client.close()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work-dir", type=pathlib.Path, default=pathlib.Path("/tmp/sdxl-bench"))
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--guidance", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--compile", action="store_true", help="torch.compile the UNet inside the Triton model")
    parser.add_argument("--peak-tflops", type=float, default=0.0, help="dense fp16 peak if the GPU is not known")
    args = parser.parse_args()

    try:
        import torch
    except ImportError:
        sys.exit("bench/sdxl_gpu.py: needs torch with CUDA (pip install torch diffusers transformers accelerate)")
    if not torch.cuda.is_available():
        print("bench/sdxl_gpu.py: needs a CUDA GPU and this machine has none (torch.cuda.is_available() is False); "
              "run it on a GPU node", file=sys.stderr)
        sys.exit(2)

    from inference.launcher import TritonProcess
    from inference.random_sdxl import write_random_sdxl

    name = torch.cuda.get_device_name()
    peak = args.peak_tflops or next((v for k, v in PEAK_TFLOPS.items() if k in name), 0.0)
    weights = args.work_dir / "sdxl-random"
    if not (weights / "model_index.json").is_file():
        print(f"writing random-weight SDXL to {weights} ...", flush=True)
        write_random_sdxl(weights, scale="full")

    print(f"{name}: SDXL {args.size}x{args.size}, {args.steps} steps, CFG {args.guidance}, fp16", flush=True)
    seconds, tflop_step = eager_baseline(weights, args.size, args.steps, args.guidance, args.rounds)
    baseline = 1 / seconds
    tflop_image = tflop_step * args.steps

    def mfu(rate: float) -> str:
        return f"{rate * tflop_image / peak * 100:5.1f}%" if peak else "  n/a"

    print(f"UNet step with CFG: {tflop_step:.1f} TFLOP; peak {peak or 'unknown'} TFLOP/s")
    triton = TritonProcess(f"127.0.0.1:{_free_port()}", _free_port(), 0, models=(), work_dir=args.work_dir / "triton")
    with triton:
        rates = asyncio.run(triton_rates(triton.grpc_addr, weights, args.compile, args.batches, args.size,
                                         args.steps, args.guidance, args.rounds))
    print(f"{'':>22} {'img/s':>7} {'s/img':>7} {'vs eager b1':>12} {'MFU':>6}")
    print(f"{'diffusers eager b1':>22} {baseline:>7.3f} {seconds:>7.2f} {1.0:>11.2f}x {mfu(baseline):>6}")
    for batch, rate in rates.items():
        print(f"{f'triton sdxl b{batch}':>22} {rate:>7.3f} {1 / rate:>7.2f} {rate / baseline:>11.2f}x {mfu(rate):>6}")
    best = max(rates.values())
    print(f"best {best:.3f} img/s: target 1.0 img/s {'met' if best >= 1.0 else 'not met'}")


if __name__ == "__main__":
    main()
