"""End-to-end benchmark on the embedded default (SQLite, local store, storyboard on CPU):

1. a script to a 60 s 720p film through the whole mesh, against the composer alone on the same cut list
   (the baseline: the encode every film must pay). Target <= 1.5x: planning, frames and voices overlap.
2. throughput of 20 films submitted at once against one film alone (the baseline), every film uncached.
   Target >= 1.6x on 2 cores.

    .venv/bin/python bench/e2e.py [--seconds 60] [--films 20] [--crowd-seconds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pathlib
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import grpc  # noqa: E402
from google.protobuf import duration_pb2  # noqa: E402

from filmstudio.config import Config  # noqa: E402
from mesh.supervisor import Supervisor, mesh_services  # noqa: E402
from filmstudio.storage import opened_store  # noqa: E402
from filmstudio.v1 import composer_pb2_grpc, film_pb2, film_pb2_grpc  # noqa: E402
from orchestrator.db import Database  # noqa: E402
from orchestrator.workflow import FilmJob, Parts  # noqa: E402
from tests.conftest import as_user, mesh_env  # noqa: E402

LIGHTHOUSE = (ROOT / "examples" / "lighthouse.fountain").read_text()
SHORT = (ROOT / "examples" / "morning.txt").read_text()


async def render(films, script: str, seconds: int, seed: int, user: str, **settings) -> tuple[film_pb2.Film, float]:
    """The film made from `script` (other FilmSettings fields in `settings`) and its wall time from
    CreateFilm to its last event."""
    metadata = as_user(user)
    started = time.perf_counter()
    film = await films.CreateFilm(film_pb2.CreateFilmRequest(film=film_pb2.Film(
        script=script, settings=film_pb2.FilmSettings(target_duration=duration_pb2.Duration(seconds=seconds),
                                                      seed=seed, **settings))), metadata=metadata)
    async for _ in films.WatchFilm(film_pb2.WatchFilmRequest(name=film.name), metadata=metadata):
        pass
    wall = time.perf_counter() - started
    film = await films.GetFilm(film_pb2.GetFilmRequest(name=film.name), metadata=metadata)
    if film.state != film_pb2.FILM_STATE_SUCCEEDED:
        raise SystemExit(f"{film.name} {film_pb2.FilmState.Name(film.state)}: {film.error.message}")
    return film, wall


async def compose_alone(config: Config, film_name: str) -> float:
    """The composer on the film's own cut list (same request the orchestrator sent, its own output folder)."""
    db = Database(config.database_url)
    async with opened_store(config.store_url) as store, grpc.aio.insecure_channel(config.composer_addr) as channel:
        film_id = film_name.removeprefix("films/")
        parts = Parts(db=db, store=store, triton=None, composer=composer_pb2_grpc.ComposerServiceStub(channel))
        request = await FilmJob(parts, film_id, "bench").cut_list(await db.load_film(film_id))
        request.output_prefix = store.uri(f"bench/{film_id}") + "/"
        started = time.perf_counter()
        async for _ in parts.composer.ComposeFilm(request):
            pass
        wall = time.perf_counter() - started
    await db.close()
    return wall


def cpu_ticks() -> tuple[int, int]:
    """(all, idle) jiffies of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in pathlib.Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values), values[3] + values[4]


async def busy_while(work):
    """Run work; its result and the share of the machine's CPU time that was busy meanwhile."""
    total0, idle0 = cpu_ticks()
    result = await work
    total1, idle1 = cpu_ticks()
    return result, 1 - (idle1 - idle0) / max(1, total1 - total0)


async def main(args: argparse.Namespace) -> None:
    data_dir = pathlib.Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    env = mesh_env(data_dir)
    os.environ.update(env)
    config = Config.from_env()
    supervisor = Supervisor(config, specs=mesh_services(config, with_gateway=False), log_dir=data_dir / "logs",
                            report=lambda line: None)
    await supervisor.start()
    try:
        async with grpc.aio.insecure_channel(config.orchestrator_addr) as channel:
            films = film_pb2_grpc.FilmServiceStub(channel)
            await render(films, SHORT, 10, 999, "warmup")  # load models, warm caches of code paths

            film, e2e = await render(films, LIGHTHOUSE, args.seconds, 1, "solo")
            composer = await compose_alone(config, film.name)
            seconds = film.outputs.duration.seconds + film.outputs.duration.nanos / 1e9
            print(f"film: {seconds:.1f} s 720p, {len(film.shots)} shots")
            print(f"  script -> film, whole mesh     {e2e:7.2f} s")
            print(f"  composer alone, same cut list  {composer:7.2f} s   (baseline)")
            print(f"  ratio                          {e2e / composer:7.2f}x  (target <= 1.5x)")

            (_, one), busy = await busy_while(render(films, SHORT, args.crowd_seconds, 2, "one"))
            started = time.perf_counter()
            await asyncio.gather(*[render(films, SHORT, args.crowd_seconds, 100 + i, f"crowd{i % 4}")
                                   for i in range(args.films)])
            crowd = time.perf_counter() - started
            print(f"throughput: {args.crowd_seconds} s films, uncached")
            print(f"  one film alone                 {one:7.2f} s   {1 / one:6.3f} films/s (baseline), "
                  f"CPU {busy:.0%} busy on {os.cpu_count()} cores")
            print(f"  {args.films} films at once              {crowd:7.2f} s   {args.films / crowd:6.3f} films/s")
            print(f"  ratio                          {(args.films / crowd) / (1 / one):7.2f}x  (target >= 1.6x)")
    finally:
        await supervisor.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--films", type=int, default=20)
    parser.add_argument("--crowd-seconds", type=int, default=15)
    asyncio.run(main(parser.parse_args()))
