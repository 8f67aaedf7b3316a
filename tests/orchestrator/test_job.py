"""FilmJob with fakes for Triton and the composer (no server): what the job asks for on a first run,
on a cached run, after a crash at each stage, and for a regenerated shot.

The database (SQLite in a temp dir) and the object store (a local directory) are the real ones.
"""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from filmstudio.errors import Unavailable
from filmstudio.seeds import stable_seed
from filmstudio.settings import normalize
from filmstudio.storage import LocalStore
from filmstudio.v1 import composer_pb2, film_pb2, script_pb2
from orchestrator import takes
from orchestrator.db import Database
from orchestrator.script import parse_script
from orchestrator.triton import Speech
from inference.results import png
from orchestrator.workflow import FilmJob, Parts

SCRIPT = (pathlib.Path(__file__).parents[2] / "examples" / "lighthouse.fountain").read_text()
WORKER = "w1"
RATE = 24_000


class FakeTriton:
    """Counts what it is asked; an image is the seed's colour, a line is 0.1 s per word. `fail_after`
    images, it raises Unavailable (Triton went away mid-film). What it is asked to store it writes to
    `store`, as the real models do (inference.results)."""

    def __init__(self, store: LocalStore) -> None:
        self.store = store
        self.rigs: list[str] = []  # the shots whose animatic rig was drawn
        self.images: list[tuple[str, int]] = []  # (shot id, seed)
        self.portraits: list[str] = []  # the character ids whose reference portrait was drawn
        self.lines: list[str] = []
        self.fail_after: int | None = None

    async def render_image(self, model, prompt, negative_prompt, seed, width, height, steps, guidance, brief,
                           references=()):
        if brief.portrait:
            self.portraits.append(brief.characters[0].id)
            return np.full((height, width, 3), seed % 256, dtype=np.uint8)
        if self.fail_after is not None and len(self.images) >= self.fail_after:
            raise Unavailable("Triton at test:0 is unavailable")
        self.images.append((brief.shot.id, seed))
        return np.full((height, width, 3), seed % 256, dtype=np.uint8)

    async def speak(self, text, voice):
        self.lines.append(text)
        samples = np.full(int(RATE * 0.1 * len(text.split())), 100, dtype=np.int16)
        return Speech(samples=samples, sample_rate=RATE, duration_s=samples.size / RATE)

    async def store_image(self, key, *args, **kwargs):
        await self.store.put(key, png(await self.render_image(*args, **kwargs)), "image/png")
        return self.store.local_path(key).stat().st_size

    async def store_rig(self, key, prompt, seed, width, height, brief):
        self.rigs.append(brief.shot.id)
        await self.store.put(key, b"rig of " + brief.shot.id.encode(), "application/zip")
        return self.store.local_path(key).stat().st_size

    async def store_speech(self, key, text, voice):
        await self.store.put(key, (await self.speak(text, voice)).wav_bytes(), "audio/wav")
        return self.store.local_path(key).stat().st_size


class FakeComposer:
    """Keeps every cut list; ends with a result naming the film's outputs (or fails, when armed)."""

    def __init__(self) -> None:
        self.requests: list[composer_pb2.ComposeFilmRequest] = []
        self.fail = False

    def ComposeFilm(self, request):
        self.requests.append(request)
        fail = self.fail

        async def replies():
            yield composer_pb2.ComposeFilmResponse(progress=composer_pb2.ComposeProgress(frames_done=1, frames_total=2))
            if fail:
                raise Unavailable("composer gone")
            total = sum(c.duration.ToNanoseconds() for c in request.cuts)
            result = composer_pb2.ComposeResult(video_uri=request.output_prefix + "film.mp4")
            result.duration.FromNanoseconds(total)
            yield composer_pb2.ComposeFilmResponse(result=result)

        return replies()


@pytest.fixture
async def parts(tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'films.db'}")
    await db.migrate()
    store = LocalStore(tmp_path / "store")
    yield Parts(db=db, store=store, triton=FakeTriton(store), composer=FakeComposer())
    await db.close()


async def new_film(parts: Parts, seed: int = 7) -> str:
    settings = normalize(film_pb2.FilmSettings(seed=seed))
    graph = parse_script(SCRIPT, settings).scene_graph
    takes.complete_plan(settings, graph)  # as CreateFilm does
    film = await parts.db.create_film("alice", SCRIPT, settings, scene_graph=graph)
    assert (await parts.db.claim_film(WORKER, 60)).id == film.id
    return film.id


async def run(parts: Parts, film_id: str) -> film_pb2.Film:
    await FilmJob(parts, film_id, WORKER).run()
    return (await parts.db.get_film("alice", film_id, with_shots=True)).to_proto()


def planned(film_id: str) -> tuple[int, int, int]:
    """(shots, shots with a picture to generate, lines) in the film's plan: the black it fades out to
    has no picture."""
    graph = parse_script(SCRIPT, normalize(film_pb2.FilmSettings(seed=7))).scene_graph
    shots = takes.shots_in_order(graph)
    return len(shots), sum(takes.needs_image(shot) for _, shot in shots), sum(len(shot.dialogue) for _, shot in shots)


async def test_a_first_run_images_every_shot_and_voices_every_line_once(parts):
    film_id = await new_film(parts)
    film = await run(parts, film_id)
    shot_count, image_count, line_count = planned(film_id)
    assert film.state == film_pb2.FILM_STATE_SUCCEEDED
    assert len(parts.triton.images) == image_count and len(parts.triton.lines) == line_count
    assert sum(shot.cached for shot in film.shots) == shot_count - image_count  # the black: nothing to make
    # The default moves every pictured shot as the living animatic: one rig each, cut as the shot's rig.
    pictured = [shot.shot_id for shot in film.shots if shot.image_uri]
    assert sorted(parts.triton.rigs) == sorted(pictured) and len(pictured) == image_count
    assert all(shot.motion_uri.endswith(".rig") for shot in film.shots if shot.image_uri)
    (request,) = parts.composer.requests
    assert [c.shot_id for c in request.cuts if c.rig_uri] == pictured and not any(c.clip_uri for c in request.cuts)
    # The cut is timed from the lengths recorded when the lines were voiced (0.1 s a word here).
    spoken = [(s.text, s.duration.ToNanoseconds() / 1e9) for cut in request.cuts for s in cut.subtitles]
    assert spoken and all(seconds == pytest.approx(0.1 * len(text.split())) for text, seconds in spoken)


async def test_the_same_film_again_is_all_cache(parts):
    await run(parts, await new_film(parts))
    images, lines = len(parts.triton.images), len(parts.triton.lines)
    film = await run(parts, await new_film(parts))
    assert film.state == film_pb2.FILM_STATE_SUCCEEDED
    assert (len(parts.triton.images), len(parts.triton.lines)) == (images, lines)
    assert len(parts.triton.rigs) == images  # the second film found every rig in the store too
    assert all(shot.cached for shot in film.shots)
    first, second = parts.composer.requests
    assert [c.image_uri for c in first.cuts] == [c.image_uri for c in second.cuts]


async def test_a_camera_film_asks_for_no_rig_and_cuts_stills(parts):
    settings = normalize(film_pb2.FilmSettings(seed=7, motion=script_pb2.MOTION_CAMERA))
    graph = parse_script(SCRIPT, settings).scene_graph
    takes.complete_plan(settings, graph)
    record = await parts.db.create_film("alice", SCRIPT, settings, scene_graph=graph)
    assert (await parts.db.claim_film(WORKER, 60)).id == record.id
    film = await run(parts, record.id)
    assert film.state == film_pb2.FILM_STATE_SUCCEEDED and parts.triton.rigs == []
    assert not any(shot.motion_uri for shot in film.shots)
    assert not any(c.rig_uri or c.clip_uri for c in parts.composer.requests[0].cuts)


async def test_a_crash_while_generating_resumes_without_imaging_a_shot_twice(parts):
    film_id = await new_film(parts)
    parts.triton.fail_after = 4
    with pytest.raises(Unavailable):
        await run(parts, film_id)
    assert (await parts.db.load_film(film_id)).state == film_pb2.FILM_STATE_GENERATING
    parts.triton.fail_after = None
    film = await run(parts, film_id)
    assert film.state == film_pb2.FILM_STATE_SUCCEEDED
    shot_ids = [shot_id for shot_id, _ in parts.triton.images]
    assert sorted(shot_ids) == sorted(set(shot_ids)) and len(shot_ids) == planned(film_id)[1]


async def test_a_crash_while_composing_resumes_with_no_inference_and_the_same_cut(parts):
    film_id = await new_film(parts)
    parts.composer.fail = True
    with pytest.raises(Unavailable):
        await run(parts, film_id)
    assert (await parts.db.load_film(film_id)).state == film_pb2.FILM_STATE_COMPOSING
    images, lines = len(parts.triton.images), len(parts.triton.lines)
    parts.composer.fail = False
    film = await run(parts, film_id)
    assert film.state == film_pb2.FILM_STATE_SUCCEEDED
    assert (len(parts.triton.images), len(parts.triton.lines)) == (images, lines)
    first, second = parts.composer.requests
    assert first == second


async def test_a_crash_while_planning_plans_again_harmlessly(parts):
    film_id = await new_film(parts)
    await parts.db.set_state(film_id, WORKER, film_pb2.FILM_STATE_PLANNING)
    await parts.db.put_shots(film_id, WORKER, [("s01-sh01", 0)])  # half a plan, then the crash
    film = await run(parts, film_id)
    assert film.state == film_pb2.FILM_STATE_SUCCEEDED
    shot_count, image_count, _ = planned(film_id)
    assert (len(film.shots), len(parts.triton.images)) == (shot_count, image_count)


async def test_the_cut_does_not_read_voice_clips_back(parts):
    film_id = await new_film(parts)
    parts.composer.fail = True
    with pytest.raises(Unavailable):
        await run(parts, film_id)
    clips = list((parts.store.root / "assets" / "voice").rglob("*.wav"))
    assert clips
    for clip in clips:
        clip.unlink()
    parts.composer.fail = False
    assert (await run(parts, film_id)).state == film_pb2.FILM_STATE_SUCCEEDED


async def test_regenerating_a_shot_images_that_shot_alone_with_its_next_take(parts):
    film_id = await new_film(parts)
    await run(parts, film_id)
    graph = (await parts.db.load_film(film_id)).scene_graph
    _, shot = takes.shots_in_order(graph)[2]
    images, lines = len(parts.triton.images), len(parts.triton.lines)
    await parts.db.reopen_for_shot("alice", film_id, shot.id)
    await parts.db.claim_film(WORKER, 60)
    film = await run(parts, film_id)
    assert film.state == film_pb2.FILM_STATE_SUCCEEDED
    assert parts.triton.images[images:] == [(shot.id, stable_seed(shot.seed, "take", 2))]
    assert len(parts.triton.lines) == lines  # its voice is kept
    before, after = parts.composer.requests
    changed = [b.shot_id for b, a in zip(before.cuts, after.cuts) if b != a]
    assert changed == [shot.id]
