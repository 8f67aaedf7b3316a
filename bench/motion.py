"""The living animatic's frames per second against today's Ken Burns, on the lighthouse's own shots.

Every shot of examples/lighthouse.fountain (planned as a 60 s film, 1280x720 at 24 fps) is drawn once
both ways, untimed: its storyboard still (inference.storyboard) and its rig (inference.rig, through its
file, as the composer will read it). Then each shot's frames are made, timed, both ways in the same
run: composer.animatic.Animatic (parallax, breathing, blinks, turns, the speaker's mouth on a voice
track) against the baseline composer.motion.ShotCamera (a Ken Burns move over the still), each timed
from its construction to its last frame, as a film renders a shot. A shot with dialogue gets a voice
track of speech-like bursts over each of its lines. Best of --repeat runs per shot and method.

Then (--films N, default 2) the whole film both ways: the lighthouse as a 60 s 720p film through the
embedded mesh with `camera` motion (the baseline) and with `animated`, N interleaved pairs, uncached.

    .venv/bin/python bench/motion.py [--repeat 3] [--width 1280 --height 720] [--films 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pathlib
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from composer.animatic import Animatic  # noqa: E402
from composer.motion import ShotCamera  # noqa: E402
from filmstudio import settings as film_settings  # noqa: E402
from filmstudio.rig import decode_rig, encode_rig  # noqa: E402
from filmstudio.v1 import film_pb2, script_pb2  # noqa: E402
from inference.rig import render_rig  # noqa: E402
from inference.storyboard import render_storyboard  # noqa: E402
from orchestrator.script.parse import parse_script  # noqa: E402
from orchestrator.takes import shot_brief, shots_in_order  # noqa: E402

SCRIPT = ROOT / "examples" / "lighthouse.fountain"
FPS, RATE, SECONDS = 24, 24000, 60


def voice_track(shot: script_pb2.Shot, seconds: float) -> tuple[np.ndarray | None, list[tuple[float, float, str]]]:
    """Syllable-like bursts of a 160 Hz buzz over each line of the shot, and who speaks when."""
    if not shot.dialogue:
        return None, []
    t = np.arange(int(seconds * RATE)) / RATE
    wave = np.zeros_like(t)
    speakers = []
    for line in shot.dialogue:
        start = line.offset.ToNanoseconds() / 1e9
        end = start + line.duration.ToNanoseconds() / 1e9
        inside = (t >= start) & (t < end)
        syllables = 0.5 + 0.5 * np.sin(2 * np.pi * 4.5 * t)
        wave += inside * syllables * 0.4 * np.sin(2 * np.pi * 160 * t)
        speakers.append((start, end, line.character_id))
    return (np.clip(wave, -1, 1) * 32767).astype(np.int16), speakers


def shots(width: int, height: int) -> list[dict]:
    """Each shot of the lighthouse with its still, its rig (read back from its file) and its timing."""
    asked = film_pb2.FilmSettings()
    asked.target_duration.FromSeconds(SECONDS)
    graph = parse_script(SCRIPT.read_text(), film_settings.normalize(asked)).scene_graph
    names = {c.id: c.name for c in graph.characters}
    made = []
    for index, (scene, shot) in enumerate(shots_in_order(graph)):
        brief = shot_brief(graph, scene, shot)
        seconds = shot.duration.ToNanoseconds() / 1e9
        voice, speakers = voice_track(shot, seconds)
        made.append({"id": shot.id, "brief": brief, "frames": max(1, round(seconds * FPS)), "move": shot.camera_move,
                     "seed": index + 1, "voice": voice,
                     "speakers": [(a, b, names.get(who, who)) for a, b, who in speakers],
                     "still": Image.fromarray(render_storyboard(brief, index + 1, width, height)),
                     "rig": decode_rig(encode_rig(render_rig(brief, index + 1, width, height)))})
    return made


def timed(make, frames: int, repeat: int) -> float:
    """Best wall seconds of building the shot's renderer and making all its frames."""
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        renderer = make()
        for i in range(frames):
            renderer.frame(i)
        best = min(best, time.perf_counter() - began)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--films", type=int, default=2, help="pairs of 60 s films, camera then animated (0: none)")
    args = parser.parse_args()
    w, h = args.width, args.height
    began = time.perf_counter()
    cut = shots(w, h)
    print(f"{len(cut)} shots of {SCRIPT.name} drawn both ways in {time.perf_counter() - began:.1f} s (untimed below)")
    print(f"{'shot':<10} {'frames':>6} {'move':<22} {'camera f/s':>10} {'animatic f/s':>12} {'ratio':>6}")
    total = {"camera": 0.0, "animatic": 0.0}
    frames = 0
    for shot in cut:
        n = shot["frames"]
        camera = timed(lambda: ShotCamera(shot["still"], w, h, shot["move"], n), n, args.repeat)
        animatic = timed(lambda: Animatic(shot["rig"], w, h, FPS, n, shot["move"], shot["seed"], shot["voice"], RATE,
                                          shot["speakers"]), n, args.repeat)
        total["camera"] += camera
        total["animatic"] += animatic
        frames += n
        print(f"{shot['id']:<10} {n:>6} {script_pb2.CameraMove.Name(shot['move']):<22} {n / camera:>10.1f} "
              f"{n / animatic:>12.1f} {camera / animatic:>6.2f}")
    camera_fps, animatic_fps = frames / total["camera"], frames / total["animatic"]
    print(f"all {frames} frames at {w}x{h}: ShotCamera {camera_fps:.1f} f/s ({1000 / camera_fps:.2f} ms a frame), "
          f"Animatic {animatic_fps:.1f} f/s ({1000 / animatic_fps:.2f} ms a frame): "
          f"{animatic_fps / camera_fps:.2f}x the baseline's frames/s, "
          f"{total['animatic'] - total['camera']:+.2f} s over the film's {frames} frames")
    if args.films:
        asyncio.run(film_times(args.films))


async def film_times(pairs: int) -> None:
    """The lighthouse as a 60 s 720p film through the whole embedded mesh, script to MP4, with `camera`
    motion (the baseline: stills under Ken Burns moves) and `animated` (rigs drawn by Triton's animatic
    model, moved by the composer), in interleaved pairs, every film uncached (a seed of its own)."""
    import grpc

    from bench.e2e import render
    from filmstudio.config import Config
    from filmstudio.v1 import film_pb2_grpc
    from mesh.supervisor import Supervisor, mesh_services
    from tests.conftest import mesh_env

    data_dir = pathlib.Path(tempfile.mkdtemp(prefix="bench-motion-"))
    os.environ.update(mesh_env(data_dir))
    config = Config.from_env()
    supervisor = Supervisor(config, specs=mesh_services(config, with_gateway=False), log_dir=data_dir / "logs",
                            report=lambda line: None)
    await supervisor.start()
    script = SCRIPT.read_text()
    walls: dict[str, list[float]] = {"camera": [], "animated": []}
    try:
        async with grpc.aio.insecure_channel(config.orchestrator_addr) as channel:
            films = film_pb2_grpc.FilmServiceStub(channel)
            warmup = (ROOT / "examples" / "morning.txt").read_text()
            await render(films, warmup, 10, 999, "warmup", motion=script_pb2.MOTION_ANIMATED)  # load, warm up
            for pair in range(pairs):
                for name, motion in (("camera", script_pb2.MOTION_CAMERA), ("animated", script_pb2.MOTION_ANIMATED)):
                    _, wall = await render(films, script, SECONDS, 1000 + 2 * pair + (motion == script_pb2.MOTION_ANIMATED),
                                           f"bench-{name}", motion=motion)
                    walls[name].append(wall)
                    print(f"  pair {pair + 1}: {name:<8} {wall:6.2f} s", flush=True)
    finally:
        await supervisor.stop()
    camera, animated = (statistics.median(walls[name]) for name in ("camera", "animated"))
    print(f"60 s 720p film, script to MP4 on the embedded mesh, median of {pairs}: camera {camera:.2f} s (baseline), "
          f"animated {animated:.2f} s: {animated / camera:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
