"""Persistence benchmark: the database writes of a film's life, one film alone (the baseline) against
20 films at once on the same Database, on SQLite (embedded default) and PostgreSQL (if reachable).

    .venv/bin/python bench/db.py [--shots 24] [--compose-events 50] [--films 20]

A film's writes here: create, claim, 3 state moves, planning its shots, RENDERING and SUCCEEDED per
shot, compose-progress events, SUCCEEDED with outputs. The ratio says how much the database lets
concurrent films overlap: on SQLite every write is serialized, so it shows the cost of that.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pathlib
import sys
import tempfile
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from filmstudio.v1 import composer_pb2, film_pb2  # noqa: E402
from orchestrator.db import Database, async_url  # noqa: E402

POSTGRES_URL = os.environ.get("FILMSTUDIO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


async def film_life(db: Database, worker: str, shots: int, compose_events: int) -> None:
    film = await db.create_film("bench", "INT. ROOM - DAY", film_pb2.FilmSettings())
    claimed = await db.claim_film(worker, 60)
    assert claimed is not None
    film_id = claimed.id  # with many films in flight the claim may return another queued film
    await db.set_state(film_id, worker, film_pb2.FILM_STATE_PLANNING)
    await db.put_shots(film_id, worker, [(f"s{i}", i) for i in range(shots)])
    await db.set_state(film_id, worker, film_pb2.FILM_STATE_GENERATING)

    async def shot(i: int) -> None:
        await db.set_shot(film_id, f"s{i}", worker, film_pb2.SHOT_STATE_RENDERING)
        await db.record_asset(f"img/{film.id}/{i}", "image", "storyboard", "1", 1000, film_id)
        await db.set_shot(film_id, f"s{i}", worker, film_pb2.SHOT_STATE_SUCCEEDED, image_key=f"img/{film.id}/{i}")

    await asyncio.gather(*(shot(i) for i in range(shots)))
    await db.set_state(film_id, worker, film_pb2.FILM_STATE_COMPOSING)
    for frame in range(compose_events):
        await db.append_event(film_id, film_pb2.FilmEvent(compose=composer_pb2.ComposeProgress(frames_done=frame)))
    await db.set_state(film_id, worker, film_pb2.FILM_STATE_SUCCEEDED, outputs=film_pb2.FilmOutputs(video_uri="v"))


async def measure(url: str, schema: str | None, args) -> tuple[float, float]:
    db = Database(url, schema=schema)
    await db.migrate()
    try:
        start = time.perf_counter()
        await film_life(db, "w0", args.shots, args.compose_events)
        one = time.perf_counter() - start
        start = time.perf_counter()
        await asyncio.gather(*(film_life(db, f"w{i}", args.shots, args.compose_events) for i in range(args.films)))
        many = time.perf_counter() - start
        return one, many
    finally:
        await db.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=24)
    parser.add_argument("--compose-events", type=int, default=50)
    parser.add_argument("--films", type=int, default=20)
    args = parser.parse_args()
    writes = 7 + 3 * args.shots + args.compose_events
    print(f"each film: {args.shots} shots, {args.compose_events} compose events, ~{writes} write transactions")
    with tempfile.TemporaryDirectory() as tmp:
        backends = [("sqlite", f"sqlite+aiosqlite:///{tmp}/bench.db", None)]
        dsn = async_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(hide_password=False)
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        try:
            (await asyncpg.connect(dsn, timeout=3)).terminate()
            backends.append(("postgresql", POSTGRES_URL, schema))
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            print(f"postgresql: skipped, {POSTGRES_URL} unreachable ({exc})")
        for name, url, schema_name in backends:
            try:
                one, many = await measure(url, schema_name, args)
            finally:
                if schema_name:
                    conn = await asyncpg.connect(dsn)
                    await conn.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')
                    await conn.close()
            print(
                f"{name}: baseline 1 film {one:.3f} s ({writes / one:.0f} writes/s); "
                f"{args.films} films at once {many:.3f} s ({args.films * writes / many:.0f} writes/s); "
                f"throughput {args.films * one / many:.2f}x the single film"
            )


if __name__ == "__main__":
    asyncio.run(main())
