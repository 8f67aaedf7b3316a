"""The cast sheet on the embedded default (SQLite, local store, storyboard on CPU, real Triton):

1. time from CreateFilm to the film's cast sheet with every portrait drawn, against the whole film
   (the baseline a creator would otherwise wait for before seeing who is in it);
2. the cost of changing one character: shots rendered again against the film's shots, and the redo's
   wall time against the first render's.

    .venv/bin/python bench/cast.py [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pathlib
import sys
import tempfile
import time
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import grpc  # noqa: E402
from google.protobuf import duration_pb2, field_mask_pb2  # noqa: E402

from filmstudio.config import Config  # noqa: E402
from filmstudio.v1 import film_pb2, film_pb2_grpc, script_pb2  # noqa: E402
from mesh.supervisor import Supervisor, mesh_services  # noqa: E402
from tests.conftest import as_user, mesh_env  # noqa: E402

LIGHTHOUSE = (ROOT / "examples" / "lighthouse.fountain").read_text()
USER = as_user("bench")


def portrait_drawn(character: script_pb2.Character) -> bool:
    uri = urllib.parse.urlparse(character.portrait_uri)
    return uri.scheme == "file" and pathlib.Path(urllib.parse.unquote(uri.path)).exists()


async def until_cast_sheet(films, name: str, started: float) -> float:
    """Seconds from `started` until every character of the film has a drawn portrait."""
    while True:
        try:
            cast = await films.ListCharacters(film_pb2.ListCharactersRequest(parent=name), metadata=USER)
            if cast.characters and all(portrait_drawn(c) for c in cast.characters):
                return time.perf_counter() - started
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.FAILED_PRECONDITION:  # not planned yet
                raise
        await asyncio.sleep(0.02)


async def finished(films, name: str, after: int = 0) -> tuple[film_pb2.Film, int]:
    """The film once it ends, and how many of its shots went back to PENDING after event `after`."""
    reopened = 0
    async for event in films.WatchFilm(film_pb2.WatchFilmRequest(name=name, after_sequence=after), metadata=USER):
        if event.HasField("shot") and event.shot.state == film_pb2.SHOT_STATE_PENDING:
            reopened += 1
    film = await films.GetFilm(film_pb2.GetFilmRequest(name=name), metadata=USER)
    if film.state != film_pb2.FILM_STATE_SUCCEEDED:
        raise SystemExit(f"{name} {film_pb2.FilmState.Name(film.state)}: {film.error.message}")
    return film, reopened


async def last_sequence(films, name: str) -> int:
    sequence = 0
    async for event in films.WatchFilm(film_pb2.WatchFilmRequest(name=name), metadata=USER):
        sequence = event.sequence
    return sequence


async def main(args: argparse.Namespace) -> None:
    data_dir = pathlib.Path(tempfile.mkdtemp(prefix="bench-cast-"))
    os.environ.update(mesh_env(data_dir))
    config = Config.from_env()
    supervisor = Supervisor(config, specs=mesh_services(config, with_gateway=False), log_dir=data_dir / "logs",
                            report=lambda line: None)
    await supervisor.start()
    try:
        async with grpc.aio.insecure_channel(config.orchestrator_addr) as channel:
            films = film_pb2_grpc.FilmServiceStub(channel)
            settings = film_pb2.FilmSettings(target_duration=duration_pb2.Duration(seconds=args.seconds), seed=3)
            started = time.perf_counter()
            film = await films.CreateFilm(film_pb2.CreateFilmRequest(film=film_pb2.Film(
                script=LIGHTHOUSE, settings=settings)), metadata=USER)
            sheet_s = await until_cast_sheet(films, film.name, started)
            film, _ = await finished(films, film.name)
            film_s = time.perf_counter() - started
            cast = film.scene_graph.characters
            print(f"cast sheet: {len(cast)} characters ({', '.join(c.name for c in cast)}), "
                  f"{len(film.shots)} shots, {args.seconds} s 720p")
            print(f"  cast sheet with portraits      {sheet_s:7.2f} s")
            print(f"  whole film                     {film_s:7.2f} s   (baseline)")
            print(f"  ratio                          {sheet_s / film_s:7.2f}x")

            theo = next(c for c in cast if c.name == "THEO")
            after = await last_sequence(films, film.name)
            started = time.perf_counter()
            await films.UpdateCharacter(film_pb2.UpdateCharacterRequest(
                name=f"{film.name}/characters/{theo.id}", character=script_pb2.Character(hair="a bright green mohawk"),
                update_mask=field_mask_pb2.FieldMask(paths=["hair"])), metadata=USER)
            film, reopened = await finished(films, film.name, after)
            redo_s = time.perf_counter() - started
            in_frame = sum(theo.id in shot.character_ids for scene in film.scene_graph.scenes for shot in scene.shots)
            print(f"one character changed (THEO's hair; he is in frame in {in_frame} shots)")
            print(f"  shots rendered again           {reopened:4d} of {len(film.shots)}   "
                  f"({reopened / len(film.shots):.0%})")
            print(f"  redo, change to new film       {redo_s:7.2f} s")
            print(f"  first render                   {film_s:7.2f} s   (baseline)")
            print(f"  ratio                          {redo_s / film_s:7.2f}x")
    finally:
        await supervisor.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    asyncio.run(main(parser.parse_args()))
