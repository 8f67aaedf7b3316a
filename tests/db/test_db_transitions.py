"""The state machine: forward-only moves, each committed with its event; shots; RegenerateShot."""

from __future__ import annotations

import pytest
from google.protobuf import duration_pb2
from google.rpc import code_pb2, status_pb2

from filmstudio.errors import FailedPrecondition, NotFound
from filmstudio.v1 import film_pb2, script_pb2
from orchestrator.db import LeaseLost
from orchestrator.lifecycle import can_move
from tests.db.films import generating_film, new_film

S = film_pb2
ALL_STATES = [
    S.FILM_STATE_QUEUED, S.FILM_STATE_PLANNING, S.FILM_STATE_GENERATING, S.FILM_STATE_COMPOSING,
    S.FILM_STATE_SUCCEEDED, S.FILM_STATE_FAILED, S.FILM_STATE_CANCELLED,
]


def test_moves_only_go_forward():
    allowed = {(a, b) for a in ALL_STATES for b in ALL_STATES if can_move(a, b)}
    q, p, g, c, s, f, x = ALL_STATES
    assert allowed == {
        (q, p), (q, g), (q, c), (p, g), (p, c), (g, c), (c, s),
        (q, f), (p, f), (g, f), (c, f), (q, x), (p, x), (g, x), (c, x),
    }


async def test_a_film_runs_forward_and_every_move_is_an_event(db):
    film = await new_film(db)
    await db.claim_film("w1", 30)
    graph = script_pb2.SceneGraph(title="Noir")
    await db.set_state(film.id, "w1", S.FILM_STATE_PLANNING)
    await db.set_state(film.id, "w1", S.FILM_STATE_GENERATING, scene_graph=graph, progress=0.1)
    await db.set_state(film.id, "w1", S.FILM_STATE_COMPOSING, progress=0.8)
    outputs = S.FilmOutputs(video_uri="file:///f.mp4", duration=duration_pb2.Duration(seconds=42))
    event = await db.set_state(film.id, "w1", S.FILM_STATE_SUCCEEDED, outputs=outputs)
    assert event.state_change.state == S.FILM_STATE_SUCCEEDED and event.progress == 1.0
    kinds = [(e.sequence, e.WhichOneof("kind")) for e in await db.events_after(film.id, 0)]
    assert kinds == [(1, "state_change"), (2, "state_change"), (3, "state_change"), (4, "state_change"),
                     (5, "outputs"), (6, "state_change")]
    done = await db.get_film("alice", film.id)
    assert done.state == S.FILM_STATE_SUCCEEDED and done.progress == 1.0
    assert done.scene_graph == graph and done.outputs == outputs and done.seconds == 42
    assert done.lease_owner is None and done.error is None
    assert await db.claim_film("w2", 30) is None


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([S.FILM_STATE_PLANNING, S.FILM_STATE_GENERATING], S.FILM_STATE_PLANNING),
        ([S.FILM_STATE_PLANNING], S.FILM_STATE_PLANNING),
        ([S.FILM_STATE_GENERATING], S.FILM_STATE_SUCCEEDED),
    ],
)
async def test_backward_moves_are_refused_and_change_nothing(db, path, refused):
    film = await new_film(db)
    await db.claim_film("w1", 30)
    for state in path:
        await db.set_state(film.id, "w1", state)
    before = await db.load_film(film.id)
    with pytest.raises(FailedPrecondition, match=f"film films/{film.id} is"):
        await db.set_state(film.id, "w1", refused)
    after = await db.load_film(film.id)
    assert (after.state, after.last_sequence) == (before.state, before.last_sequence)


async def test_a_finished_film_has_no_lease_left_to_move_it(db):
    film = await new_film(db)
    await db.claim_film("w1", 30)
    await db.set_state(film.id, "w1", S.FILM_STATE_FAILED)
    with pytest.raises(LeaseLost, match="held by nobody"):
        await db.set_state(film.id, "w1", S.FILM_STATE_CANCELLED)
    assert (await db.load_film(film.id)).state == S.FILM_STATE_FAILED


async def test_failure_keeps_its_status(db):
    film = await new_film(db)
    await db.claim_film("w1", 30)
    status = status_pb2.Status(code=code_pb2.UNAVAILABLE, message="triton at 127.0.0.1:50053 was down for 600 s")
    event = await db.set_state(film.id, "w1", S.FILM_STATE_FAILED, error=status)
    assert event.state_change.message == status.message
    assert (await db.get_film("alice", film.id)).error == status


async def test_shots_are_planned_once_and_report_their_renders(backend):
    db = await backend.open(object_uri=lambda key: f"s3://bucket/{key}")
    film = await generating_film(db, "w1", shot_ids=("s1", "s2"))
    again = await db.put_shots(film.id, "w1", [("s1", 0), ("s2", 1)])
    assert [(s.shot_id, s.take, s.state) for s in again] == [("s1", 1, S.SHOT_STATE_PENDING), ("s2", 1, S.SHOT_STATE_PENDING)]
    rendering = await db.set_shot(film.id, "s1", "w1", S.SHOT_STATE_RENDERING)
    assert (await db.get_shots(film.id))[0].lease_owner == "w1"
    done = await db.set_shot(
        film.id, "s1", "w1", S.SHOT_STATE_SUCCEEDED, image_key="img/1.png", audio_key="vo/1.wav", cached=True, progress=0.5
    )
    assert done.sequence == rendering.sequence + 1
    assert done.shot.name == f"films/{film.id}/shots/s1"
    assert (done.shot.image_uri, done.shot.audio_uri, done.shot.cached) == ("s3://bucket/img/1.png", "s3://bucket/vo/1.wav", True)
    assert done.progress == 0.5 and (await db.load_film(film.id)).progress == 0.5
    shot = (await db.get_shots(film.id))[0]
    assert (shot.state, shot.image_key, shot.lease_owner) == (S.SHOT_STATE_SUCCEEDED, "img/1.png", None)
    with pytest.raises(NotFound, match=f"shot films/{film.id}/shots/nope not found"):
        await db.set_shot(film.id, "nope", "w1", S.SHOT_STATE_RENDERING)


async def test_regenerating_a_shot_reopens_only_that_shot(db):
    film = await generating_film(db, "w1", shot_ids=("s1", "s2"))
    for shot_id in ("s1", "s2"):
        await db.set_shot(film.id, shot_id, "w1", S.SHOT_STATE_SUCCEEDED, image_key=f"i-{shot_id}", audio_key=f"a-{shot_id}")
    with pytest.raises(FailedPrecondition, match="is GENERATING"):
        await db.reopen_for_shot("alice", film.id, "s2")
    await db.set_state(film.id, "w1", S.FILM_STATE_COMPOSING)
    await db.set_state(film.id, "w1", S.FILM_STATE_SUCCEEDED, outputs=S.FilmOutputs(video_uri="v1"))
    with pytest.raises(NotFound, match="shots/s9 not found"):
        await db.reopen_for_shot("alice", film.id, "s9")
    reopened = await db.reopen_for_shot("alice", film.id, "s2", seed=99, prompt="in the rain")
    assert reopened.state == S.FILM_STATE_GENERATING and reopened.outputs.video_uri == "v1"
    shots = {s.shot_id: s for s in await db.get_shots(film.id)}
    assert (shots["s1"].take, shots["s1"].image_key) == (1, "i-s1")
    s2 = shots["s2"]
    assert (s2.take, s2.state, s2.image_key, s2.audio_key) == (2, S.SHOT_STATE_PENDING, None, "a-s2")
    assert (s2.seed_override, s2.prompt_override) == (99, "in the rain")
    last_two = (await db.events_after(film.id, 0))[-2:]
    assert last_two[0].shot.take == 2 and last_two[1].state_change.state == S.FILM_STATE_GENERATING
    assert (await db.claim_film("w2", 30)).id == film.id
    await db.set_state(film.id, "w2", S.FILM_STATE_COMPOSING)
    await db.set_state(film.id, "w2", S.FILM_STATE_SUCCEEDED)
    third = await db.reopen_for_shot("alice", film.id, "s2")  # unset seed: derived from the take; prompt kept
    s2 = next(s for s in await db.get_shots(film.id) if s.shot_id == "s2")
    assert third.state == S.FILM_STATE_GENERATING
    assert (s2.take, s2.seed_override, s2.prompt_override) == (3, None, "in the rain")


async def test_no_shot_of_a_failed_film_is_left_rendering(db):
    # A Triton outage failed the film but left its shots RENDERING for ever.
    film = await generating_film(db, "w1", shot_ids=("s1", "s2", "s3"))
    await db.set_shot(film.id, "s1", "w1", S.SHOT_STATE_SUCCEEDED, image_key="img/1.png")
    await db.set_shot(film.id, "s2", "w1", S.SHOT_STATE_RENDERING)
    await db.set_state(film.id, "w1", S.FILM_STATE_FAILED, error=status_pb2.Status(code=code_pb2.UNAVAILABLE,
                                                                                      message="Triton is down"))
    states = [(s.shot_id, s.state, s.lease_owner) for s in await db.get_shots(film.id)]
    assert states == [("s1", S.SHOT_STATE_SUCCEEDED, None), ("s2", S.SHOT_STATE_CANCELLED, None),
                      ("s3", S.SHOT_STATE_CANCELLED, None)]
