"""Storyboard frames per second through Triton gRPC against the same render function called in-process.

Baseline (measured in the same run): inference.storyboard.render_storyboard called directly, one frame at a
time (concurrency 1) and from 8 threads (concurrency 8). Ratio < 1 is Triton's overhead; at concurrency 8 Triton
can beat the in-process baseline because its two model instances draw on two cores without sharing a GIL.

    .venv/bin/python bench/triton_roundtrip.py [--frames 48] [--width 1280 --height 720]
"""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import socket
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from filmstudio.v1 import script_pb2  # noqa: E402
from inference.launcher import TritonProcess  # noqa: E402
from inference.storyboard import render_storyboard  # noqa: E402
from orchestrator.triton import TritonClient  # noqa: E402


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def shot(index: int) -> script_pb2.ShotBrief:
    characters = [script_pb2.Character(id="char-maya", name="MAYA", seed=11),
                  script_pb2.Character(id="char-bo", name="BO", seed=12)]
    return script_pb2.ShotBrief(
        shot=script_pb2.Shot(id=f"s01-sh{index:02d}", framing=script_pb2.FRAMING_WIDE + index % 3),
        setting=script_pb2.SETTING_EXTERIOR, location="CITY STREET", time_of_day="NIGHT",
        characters=characters, opens_scene=index % 8 == 0)


def in_process(frames: int, concurrency: int, width: int, height: int) -> float:
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(lambda i: render_storyboard(shot(i), i, width, height), range(frames)))
    return frames / (time.perf_counter() - start)


async def through_triton(addr: str, frames: int, concurrency: int, width: int, height: int) -> float:
    client = TritonClient(addr, max_in_flight_per_model=concurrency)
    for i in range(4):  # warm up the channel and both model instances
        await client.render_image("storyboard", "", "", i, width, height, brief=shot(i))
    start = time.perf_counter()
    await asyncio.gather(*[client.render_image("storyboard", "", "", i, width, height, brief=shot(i))
                           for i in range(frames)])
    rate = frames / (time.perf_counter() - start)
    await client.close()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=48)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work_dir:
        triton = TritonProcess(f"127.0.0.1:{_free_port()}", _free_port(), 0, models=("storyboard",),
                               work_dir=work_dir)
        with triton:
            in_process(4, 1, args.width, args.height)  # warm up fonts and caches
            print(f"storyboard {args.width}x{args.height}, {args.frames} frames per run")
            print(f"{'concurrency':>11} {'in-process fps':>15} {'triton fps':>11} {'triton/in-process':>18}")
            for concurrency in (1, 8):
                local = in_process(args.frames, concurrency, args.width, args.height)
                remote = asyncio.run(through_triton(triton.grpc_addr, args.frames, concurrency, args.width, args.height))
                print(f"{concurrency:>11} {local:>15.1f} {remote:>11.1f} {remote / local:>17.2f}x")


if __name__ == "__main__":
    main()
