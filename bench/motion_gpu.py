"""Image-to-video on one GPU: seconds of GPU per second of generated clip through our Triton motion model, at
768x512 and 1024x576, batch 1 and 4.

Baseline (measured in the same run): the plain diffusers pipeline, eager, batch 1, loaded without our code.
Ours: the motion model (inference.video's load_pipeline and generate, bf16 for LTX-Video, fp16 for SVD) reading
the still from and writing the FFV1 clip to a local object store, so a clip's figure includes its encode.
Weights are random, built from the released models' configs by inference.random_video ("full" scale: LTX-Video
0.9's 2B transformer and VAE with T5-v1.1-XXL's encoder, or SVD-XT): the arithmetic is the same. Lower is
better; 1.0 would be real time.

    .venv/bin/python bench/motion_gpu.py [--pipeline ltx|svd] [--work-dir /tmp/motion-bench] [--frames 25]
        [--fps 25] [--steps 30] [--sizes 768x512 1024x576] [--batches 1 4]

Needs CUDA: without it, says so and exits with status 2.

Results: not measured yet. No GPU was lent to the session that wrote this (2026-12-02); run it on a GPU node
and put the figures here and in bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import io
import os
import pathlib
import socket
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclasses.dataclass(frozen=True)
class Workload:
    pipeline: str
    width: int
    height: int
    frames: int
    fps: int
    steps: int
    guidance: float

    @property
    def clip_s(self) -> float:
        return self.frames / self.fps


def still_png(width: int, height: int) -> bytes:
    """A smooth test still (the arithmetic does not care what it shows)."""
    from PIL import Image

    y, x = np.mgrid[0:height, 0:width]
    pixels = np.stack([x * 255 // width, y * 255 // height, (x + y) * 127 // (width + height) + 64], -1)
    out = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(out, "PNG")
    return out.getvalue()


def eager_baseline(weights: pathlib.Path, work: Workload, runs: int, device: str = "cuda") -> float:
    """GPU seconds per second of clip with the plain diffusers pipeline at batch 1."""
    import diffusers
    import torch
    from PIL import Image

    from inference.video import PIPELINES

    dtype = (torch.bfloat16 if work.pipeline == "ltx" else torch.float16) if device == "cuda" else torch.float32
    pipeline = getattr(diffusers, PIPELINES[work.pipeline]).from_pretrained(
        weights, dtype=dtype, local_files_only=True).to(device)
    pipeline.set_progress_bar_config(disable=True)
    image = Image.open(io.BytesIO(still_png(work.width, work.height)))
    common = dict(image=image, width=work.width, height=work.height, num_frames=work.frames, output_type="np")
    if work.pipeline == "ltx":
        common |= dict(prompt="waves roll in under a lighthouse", frame_rate=work.fps, guidance_scale=work.guidance)
    else:
        common |= dict(fps=work.fps, max_guidance_scale=work.guidance)

    def run(steps: int, seed: int) -> None:
        pipeline(num_inference_steps=steps, generator=torch.Generator("cpu").manual_seed(seed), **common)

    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    run(2, 0)  # warm-up
    sync()
    start = time.perf_counter()
    for seed in range(runs):
        run(work.steps, seed + 1)
    sync()
    seconds = (time.perf_counter() - start) / runs
    del pipeline
    gc.collect()
    if device == "cuda":
        torch.cuda.empty_cache()
    return seconds / work.clip_s


async def triton_rates(addr: str, weights: pathlib.Path, store: pathlib.Path, works: list[Workload],
                       batches: list[int], rounds: int) -> dict[Workload, dict[int, float]]:
    """GPU seconds per second of clip through the motion model, by workload and batch size (concurrent requests)."""
    import tritonclient.grpc.aio as triton_aio

    from filmstudio import tensors
    from inference.launcher import model_config_json

    def inputs(work: Workload, seed: int, key: str) -> list:
        row = dict(IMAGE_KEY=f"bench/still-{work.width}x{work.height}.png", PROMPT="waves roll in under a lighthouse",
                   SEED=seed, WIDTH=work.width, HEIGHT=work.height, FRAME_COUNT=work.frames, FPS=work.fps,
                   STEPS=work.steps, GUIDANCE=work.guidance, RESULT_KEY=key)
        found = []
        for spec in tensors.MOTION.inputs:
            value = row[spec.name]
            tensor = triton_aio.InferInput(spec.name, [1, *spec.dims], spec.data_type.kserve)
            tensor.set_data_from_numpy(np.array([[value.encode() if isinstance(value, str) else value]],
                                                dtype=spec.data_type.numpy))
            found.append(tensor)
        return found

    rates: dict[Workload, dict[int, float]] = {}
    async with triton_aio.InferenceServerClient(addr) as raw:
        await raw.load_model("motion", config=model_config_json("motion", model_dir=str(weights),
                                                                pipeline=works[0].pipeline))
        for work in works:
            (store / "bench").mkdir(parents=True, exist_ok=True)
            (store / f"bench/still-{work.width}x{work.height}.png").write_bytes(still_png(work.width, work.height))
            rates[work] = {}
            for batch in batches:
                async def round_(tag: int) -> None:
                    await asyncio.gather(*[raw.infer("motion", inputs(work, tag * 100 + i, f"bench/clip-{i}.mkv"),
                                                     client_timeout=3600) for i in range(batch)])
                await round_(0)  # warm-up at this size and batch
                start = time.perf_counter()
                for tag in range(1, rounds + 1):
                    await round_(tag)
                rates[work][batch] = (time.perf_counter() - start) / (batch * rounds * work.clip_s)
                print(f"  {work.width}x{work.height} batch {batch}: {rates[work][batch]:.2f} GPU s per clip s",
                      flush=True)
        await raw.unload_model("motion")
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipeline", choices=("ltx", "svd"), default="ltx")
    parser.add_argument("--work-dir", type=pathlib.Path, default=pathlib.Path("/tmp/motion-bench"))
    parser.add_argument("--sizes", nargs="+", default=["768x512", "1024x576"])
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--frames", type=int, default=25, help="8k+1 (filmstudio.tensors)")
    parser.add_argument("--fps", type=int, default=25)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--guidance", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()

    try:
        import torch
    except ImportError:
        sys.exit("bench/motion_gpu.py: needs torch with CUDA (pip install torch diffusers transformers accelerate)")
    if not torch.cuda.is_available():
        print("bench/motion_gpu.py: needs a CUDA GPU and this machine has none (torch.cuda.is_available() is False); "
              "run it on a GPU node", file=sys.stderr)
        sys.exit(2)

    from inference.launcher import TritonProcess
    from inference.random_video import write_random_video

    weights = args.work_dir / f"{args.pipeline}-random"
    if not (weights / "model_index.json").is_file():
        print(f"writing random-weight {args.pipeline} to {weights} ...", flush=True)
        write_random_video(weights, args.pipeline, scale="full")
    store = (args.work_dir / "store").resolve()
    works = [Workload(args.pipeline, *(int(side) for side in size.split("x")), args.frames, args.fps, args.steps,
                      args.guidance) for size in args.sizes]
    print(f"{torch.cuda.get_device_name()}: {args.pipeline}, {args.frames} frames at {args.fps} fps, "
          f"{args.steps} steps, guidance {args.guidance}", flush=True)
    baselines = {}
    for work in works:  # before Triton holds the GPU's memory
        baselines[work] = eager_baseline(weights, work, args.rounds)
        print(f"  {work.width}x{work.height} diffusers eager b1: {baselines[work]:.2f} GPU s per clip s", flush=True)
    triton = TritonProcess(f"127.0.0.1:{_free_port()}", _free_port(), 0, models=(), work_dir=args.work_dir / "triton",
                           env=os.environ | {"FILMSTUDIO_STORE_URL": store.as_uri()})
    with triton:
        rates = asyncio.run(triton_rates(triton.grpc_addr, weights, store, works, args.batches, args.rounds))
    print(f"{'':>26} {'GPU s / clip s':>15} {'vs eager b1':>12}")
    for work in works:
        size = f"{work.width}x{work.height}"
        print(f"{f'{size} diffusers b1':>26} {baselines[work]:>15.2f} {1.0:>11.2f}x")
        for batch, rate in rates[work].items():
            print(f"{f'{size} motion b{batch}':>26} {rate:>15.2f} {rate / baselines[work]:>11.2f}x")


if __name__ == "__main__":
    main()
