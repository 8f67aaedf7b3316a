"""SDXL images/s with IP-Adapter reference portraits vs without, same batch, 1024², on one GPU.

Runs our model code in-process (inference.sdxl: load_pipeline, generate), the way the Triton sdxl model does:
the plain pipeline (no adapter: the baseline), then the pipeline with an IP-Adapter (ip-adapter_sdxl's shapes:
OpenCLIP ViT-bigG/14 image encoder, 4 image tokens) rendering the same batch with 0, 1 and 2 portraits per
shot, every row its own characters (the per-row masks of inference.sdxl). Weights are random
(inference.random_sdxl): the arithmetic is the same. 30 steps, classifier-free guidance 6, fp16.

    .venv/bin/python bench/sdxl_ipadapter_gpu.py [--work-dir /tmp/sdxl-bench] [--batch 4] [--rounds 2]

Needs CUDA: without it, says so and exits with status 2.
"""

from __future__ import annotations

import argparse
import gc
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))


def portraits(count: int, seed: int) -> list:
    """count distinct 448 px portraits (what the orchestrator sends: tensors.REFERENCE_SIDE squares)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    return [Image.fromarray(rng.integers(0, 256, (448, 448, 3), dtype=np.uint8)) for _ in range(count)]


def rate(pipeline, batch: int, per_shot: int, size: int, steps: int, guidance: float, rounds: int) -> float:
    """Images/s rendering batches of `batch` shots with `per_shot` portraits each (one warm-up batch first)."""
    import torch

    from inference.sdxl import Reference, generate
    from inference.signature import ImageRequest

    cast = portraits(batch * per_shot, seed=per_shot)

    def one_round(tag: int) -> None:
        requests = [ImageRequest(f"a lighthouse keeper at dusk {tag}-{i}", "blurry", tag * 100 + i, size, size, steps,
                                 guidance) for i in range(batch)]
        references = [tuple(Reference(cast[i * per_shot + j], 0.6) for j in range(per_shot)) for i in range(batch)]
        generate(pipeline, requests, references=references)

    one_round(0)
    torch.cuda.synchronize()
    start = time.perf_counter()
    for tag in range(1, rounds + 1):
        one_round(tag)
    torch.cuda.synchronize()
    return batch * rounds / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work-dir", type=pathlib.Path, default=pathlib.Path("/tmp/sdxl-bench"))
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--guidance", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--portraits", type=int, nargs="+", default=[0, 1, 2], help="portraits per shot to measure")
    args = parser.parse_args()

    try:
        import torch
    except ImportError:
        sys.exit("bench/sdxl_ipadapter_gpu.py: needs torch with CUDA (pip install torch diffusers transformers)")
    if not torch.cuda.is_available():
        print("bench/sdxl_ipadapter_gpu.py: needs a CUDA GPU and this machine has none "
              "(torch.cuda.is_available() is False); run it on a GPU node", file=sys.stderr)
        sys.exit(2)

    from inference.random_sdxl import write_random_ip_adapter, write_random_sdxl
    from inference.sdxl import has_ip_adapter, ip_adapter_weights, load_pipeline

    weights, adapter_dir = args.work_dir / "sdxl-random", args.work_dir / "ip-adapter-random"
    if not (weights / "model_index.json").is_file():
        print(f"writing random-weight SDXL to {weights} ...", flush=True)
        write_random_sdxl(weights, scale="full")
    try:
        adapter = ip_adapter_weights(str(adapter_dir))
    except RuntimeError:
        print(f"writing a random-weight IP-Adapter (ViT-bigG/14 encoder) to {adapter_dir} ...", flush=True)
        write_random_ip_adapter(adapter_dir, weights, scale="full")
        adapter = ip_adapter_weights(str(adapter_dir))

    name = torch.cuda.get_device_name()
    shape = f"batch {args.batch}, {args.size}x{args.size}, {args.steps} steps, CFG {args.guidance}, fp16"
    print(f"{name}: SDXL {shape}", flush=True)
    plain = load_pipeline(weights, device="cuda")
    baseline = rate(plain, args.batch, 0, args.size, args.steps, args.guidance, args.rounds)
    print(f"  without IP-Adapter: {baseline:.3f} img/s", flush=True)
    del plain
    gc.collect()
    torch.cuda.empty_cache()

    adapted = load_pipeline(weights, device="cuda", ip_adapter=adapter)
    if not has_ip_adapter(adapted):
        sys.exit("bench/sdxl_ipadapter_gpu.py: the IP-Adapter did not load (see the warning above)")
    rates = {}
    for per_shot in args.portraits:
        rates[per_shot] = rate(adapted, args.batch, per_shot, args.size, args.steps, args.guidance, args.rounds)
        print(f"  IP-Adapter, {per_shot} portrait(s) per shot: {rates[per_shot]:.3f} img/s", flush=True)

    print(f"{'':>34} {'img/s':>7} {'s/img':>7} {'vs without':>11}")
    print(f"{'without IP-Adapter':>34} {baseline:>7.3f} {1 / baseline:>7.2f} {1.0:>10.2f}x")
    for per_shot, value in rates.items():
        print(f"{f'IP-Adapter, {per_shot} portrait(s)/shot':>34} {value:>7.3f} {1 / value:>7.2f} "
              f"{value / baseline:>10.2f}x")
    print(f"peak GPU memory {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB")


if __name__ == "__main__":
    main()
