"""Two orchestrator replicas share one database and store; one is killed with SIGKILL mid-film and the
other finishes the film without generating any shot twice. On SQLite and on PostgreSQL."""

from __future__ import annotations

import pathlib

import pytest

from filmstudio.v1 import film_pb2
from orchestrator.db import Database
from tests.e2e.conftest import (Client, close_stack, describe, made_counts, make_stack,
                                settings, shot_events, store_files, succeeded)

LIGHTHOUSE = (pathlib.Path(__file__).resolve().parents[2] / "examples" / "lighthouse.fountain").read_text()


@pytest.fixture(params=["sqlite", "postgresql"])
def two_replicas(request, triton_mesh, tmp_path):
    stack, pg_name = make_stack(triton_mesh, tmp_path / "replicas", request.param)
    try:
        stack.start_composer()
        stack.start_replica()
        stack.start_replica()
        yield stack
    finally:
        close_stack(stack, pg_name)


async def lease_holder(stack, film_id: str) -> str | None:
    db = Database(stack.env["FILMSTUDIO_DATABASE_URL"])
    try:
        return (await db.load_film(film_id)).lease_owner
    finally:
        await db.close()


async def test_a_replica_killed_mid_film_is_recovered_without_a_duplicated_shot(two_replicas):
    stack = two_replicas
    before, images_before = made_counts(stack.triton_metrics), store_files(stack, "image")
    async with Client(stack.replicas[0].addr, "kim") as kim:
        # A seed of this run's own: Triton (shared by the module) has answered no request of this film yet.
        film = await kim.create(LIGHTHOUSE, settings(40, seed={"sqlite": 101, "postgresql": 102}[stack.database]))
        film_id = film.name.removeprefix("films/")
        seen = []
        call = kim.films.WatchFilm(film_pb2.WatchFilmRequest(name=film.name), metadata=kim.metadata)
        async for event in call:
            seen.append(event)
            if len(shot_events(seen)) >= 2:
                break
        holder = await lease_holder(stack, film_id)
        victim = next(r for r in stack.replicas if f"-{r.process.pid}-" in (holder or ""))
        victim.kill()  # SIGKILL: no goodbye, its lease simply stops being renewed
        call.cancel()
        done_before_kill = {s.shot_id for s in shot_events(seen)}
        survivor = next(r for r in stack.replicas if r is not victim)
    async with Client(survivor.addr, "kim") as kim:
        final, events = await kim.finish(film.name, after=seen[-1].sequence)
        whole = await kim.events(film.name)
    assert succeeded(final), describe(final)
    story = describe(final) + "\n" + "\n".join(str(e).replace("\n", " ") for e in whole)  # for a failure's message
    assert done_before_kill and len(done_before_kill) < len(final.shots), story  # killed mid-generation
    # Every shot was rendered to success exactly once (a later success of the same shot is a cache hit),
    # none of those finished before the kill was touched again, and each has its first take.
    uncached = [s.shot_id for s in shot_events(whole) if not s.cached]
    assert sorted(uncached) == sorted(set(uncached)), story
    assert not done_before_kill & {s.shot_id for s in shot_events(events)}, story
    assert all(s.take == 1 and s.state == film_pb2.SHOT_STATE_SUCCEEDED for s in final.shots), story
    images = store_files(stack, "image") - images_before  # the store is shared with the module's other films
    pictured = [s for s in final.shots if s.image_uri]  # all but the black the film fades out to
    assert len(pictured) == len(final.shots) - 1, story
    portraits = {c.portrait_uri for c in final.scene_graph.characters}  # drawn before the shots
    assert len(images) == len({s.image_uri for s in pictured} | portraits) == len(pictured) + len(portraits), \
        (sorted(images), story)
    # Triton drew each portrait and pictured shot exactly once: what the victim had at Triton when it died
    # was stored by the model under its key (inference.results) and found there by the survivor, or was
    # skipped by the model, its caller gone, before it ran.
    generated = made_counts(stack.triton_metrics).get("storyboard", 0) - before.get("storyboard", 0)
    takeovers = [line for r in stack.replicas for line in r.log().splitlines() if "lease lost" in line]
    drawn = len(pictured) + len(portraits)
    assert generated == drawn, (generated, takeovers, story)
    assert f"-{survivor.process.pid}-" not in (holder or "")
