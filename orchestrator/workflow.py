"""A film's job, stage by stage: plan, generate (image + voice per shot), compose.

Every stage starts from what the database says, so a job picked up by another replica after a crash
(or re-opened by RegenerateShot) continues where the last one stopped: succeeded shots are kept,
and assets are found in the content-addressed store instead of being generated again. Each state
change is committed (with its event) before the work it announces is acknowledged.

What each stage does is decided by the take planner (takes.py); FilmJob only fetches, calls and records.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable

import grpc
import numpy as np

from filmstudio import telemetry, wav
from filmstudio.errors import FailedPrecondition, InvalidArgument, Unavailable
from filmstudio.storage import ObjectStore
from filmstudio.v1 import composer_pb2, composer_pb2_grpc, film_pb2, script_pb2
from orchestrator import metrics, takes, voicing
from orchestrator.db import Database, FilmRecord, ShotRecord
from orchestrator.script import parse_script
from orchestrator.timeline import place_lines
from orchestrator.triton import TritonClient

tracer = telemetry.tracer


@dataclasses.dataclass
class Parts:
    """What a job talks to. One set per orchestrator process."""

    db: Database
    store: ObjectStore
    triton: TritonClient
    composer: composer_pb2_grpc.ComposerServiceStub
    composer_addr: str = ""


@dataclasses.dataclass(frozen=True)
class VoiceTrack:
    """A shot's voicing: its mixed track's key ("" for a silent shot) and each line's true length."""

    key: str
    line_seconds: tuple[float, ...]
    cached: bool


class FilmJob:
    """Runs one film from its current state to the end (or until cancelled / the lease is lost)."""

    def __init__(self, parts: Parts, film_id: str, worker: str) -> None:
        self.parts = parts
        self.db: Database = parts.db
        self.store: ObjectStore = parts.store
        self.film_id = film_id
        self.worker = worker
        self._last_compose_event = 0.0

    async def run(self) -> None:
        film = await self.db.load_film(self.film_id)
        # The job's spans join the trace of the CreateFilm call that made the film, on any replica.
        with telemetry.attached(telemetry.context_from(film.traceparent)), \
                tracer.start_as_current_span("film.job", attributes={"film": film.name, "film.attempt": film.attempts}):
            await self.stages(film)

    async def stages(self, film: FilmRecord) -> None:
        if film.state in (film_pb2.FILM_STATE_QUEUED, film_pb2.FILM_STATE_PLANNING):
            await self.plan(film)
            film = await self.db.load_film(self.film_id)
        if film.state == film_pb2.FILM_STATE_GENERATING:
            await self.generate(film)
            film = await self.db.load_film(self.film_id)
        if film.state == film_pb2.FILM_STATE_COMPOSING:
            await self.compose(film)

    # --- planning ------------------------------------------------------------------------------------

    @tracer.start_as_current_span("film.plan")
    async def plan(self, film: FilmRecord) -> None:
        if film.state == film_pb2.FILM_STATE_QUEUED:
            await self.db.set_state(self.film_id, self.worker, film_pb2.FILM_STATE_PLANNING, progress=0.01)
        # CreateFilm parsed the script and kept its scene graph; a film queued without one is read now.
        scene_graph = film.scene_graph
        if scene_graph is None:
            scene_graph = parse_script(film.script, film.settings).scene_graph
            takes.complete_plan(film.settings, scene_graph)
        shots = takes.shots_in_order(scene_graph)
        await self.db.put_shots(self.film_id, self.worker, [(shot.id, i) for i, (_, shot) in enumerate(shots)])
        await self.db.set_state(self.film_id, self.worker, film_pb2.FILM_STATE_GENERATING, progress=takes.PLANNED,
                                scene_graph=scene_graph)

    # --- generating ----------------------------------------------------------------------------------

    @tracer.start_as_current_span("film.generate")
    async def generate(self, film: FilmRecord) -> None:
        assert film.scene_graph is not None  # planned films have one
        records = {s.shot_id: s for s in await self.db.get_shots(self.film_id)}
        todo = takes.shots_to_render(film.scene_graph, records)
        done = len(records) - len(todo)

        def progress_after_one() -> float:
            nonlocal done
            done += 1
            return takes.generating_progress(done, len(records))

        if todo:
            await self.portraits(film)
        tasks = [asyncio.create_task(self.render_shot(film, scene, shot, records[shot.id], progress_after_one))
                 for scene, shot in todo]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        await self.db.set_state(self.film_id, self.worker, film_pb2.FILM_STATE_COMPOSING, progress=takes.GENERATED)

    @tracer.start_as_current_span("film.portraits")
    async def portraits(self, film: FilmRecord) -> None:
        """Every character's reference portrait, before any shot is imaged (shots are conditioned on
        them; the cast sheet shows them). Cached like shots: only a changed character's is drawn again."""
        assert film.scene_graph is not None

        async def one(take: takes.ImageTake) -> None:
            try:
                await self.image(take)
            except (FailedPrecondition, InvalidArgument) as exc:
                raise FailedPrecondition(f"portrait of {take.brief.characters[0].name}: {exc.message}") from exc

        await asyncio.gather(*(one(take) for take in takes.portrait_takes(film.settings, film.scene_graph)))

    async def render_shot(self, film: FilmRecord, scene: script_pb2.Scene, shot: script_pb2.Shot,
                          record: ShotRecord, progress_after: Callable[[], float]) -> None:
        telemetry.shot_context.set(shot.id)  # this shot's own task: its log lines name it
        with tracer.start_as_current_span("shot", attributes={"shot": shot.id}):
            await self._render_shot(film, scene, shot, record, progress_after)

    async def _render_shot(self, film: FilmRecord, scene: script_pb2.Scene, shot: script_pb2.Shot,
                           record: ShotRecord, progress_after: Callable[[], float]) -> None:
        assert film.scene_graph is not None
        take = takes.image_take(film.settings, film.scene_graph, scene, shot, record) if takes.needs_image(shot) \
            else None
        moving = takes.motion_take(film.settings, shot, take, takes.planned_seconds(shot))
        await self.db.set_shot(self.film_id, shot.id, self.worker, film_pb2.SHOT_STATE_RENDERING)
        started = time.perf_counter()
        try:
            image_cached, track = await asyncio.gather(self.picture(take, moving), self.voice(film.scene_graph, shot))
        except (FailedPrecondition, InvalidArgument) as exc:
            # The model refused or crashed on this shot: the shot fails with its message, and so does the film.
            await self.db.set_shot(self.film_id, shot.id, self.worker, film_pb2.SHOT_STATE_FAILED, error=exc.message)
            raise FailedPrecondition(f"shot {shot.id}: {exc.message}") from exc
        metrics.SHOT_SECONDS.labels(model=film.settings.image_backend).observe(time.perf_counter() - started)
        await self.db.set_shot(self.film_id, shot.id, self.worker, film_pb2.SHOT_STATE_SUCCEEDED,
                               image_key=take.key if take else "", audio_key=track.key,
                               motion_key=moving.key if moving else "", line_seconds=track.line_seconds,
                               cached=image_cached and track.cached, progress=progress_after())

    async def picture(self, take: takes.ImageTake | None, moving: takes.MotionTake | None) -> bool:
        """The shot's still, then its moving picture if it has one (a clip starts from the still); True
        if both were in the store already."""
        cached = await self.image(take)
        if moving is not None:
            cached = await self.motion(moving) and cached
        return cached

    @tracer.start_as_current_span("shot.motion")
    async def motion(self, take: takes.MotionTake) -> bool:
        """Put the shot's rig or clip in the store under its key (the model stores it before it answers,
        as it does stills); True if it was there already."""
        kind = "rig" if take.motion == script_pb2.MOTION_ANIMATED else "clip"
        if await self.store.exists(take.key):
            metrics.CACHE_HITS.labels(kind=kind).inc()
            await self.uses(take.key, kind, take.model, take.version)
            return True
        image = take.image
        if kind == "rig":
            size = await self.parts.triton.store_rig(take.key, image.prompt, image.seed, take.width, take.height,
                                                     image.brief)
        else:
            size = await self.parts.triton.store_clip(take.key, image.key, image.prompt, image.seed, take.width,
                                                      take.height, take.frame_count, take.fps, takes.MOTION_STEPS,
                                                      takes.MOTION_GUIDANCE)
        await self.db.record_asset(take.key, kind, take.model, take.version, size, self.film_id)
        return False

    @tracer.start_as_current_span("shot.image")
    async def image(self, take: takes.ImageTake | None) -> bool:
        """Put the shot's still in the store under its key; True if it was there already (or the
        shot is a title card, with no still)."""
        if take is None:
            return True
        if await self.store.exists(take.key):
            metrics.CACHE_HITS.labels(kind="image").inc()
            await self.uses(take.key, "image", take.model, takes.IMAGE_MODEL_VERSION)
            return True
        references = [(await self.store.get(key), scale) for key, scale in take.references]  # sdxl's portraits
        # The model stores the still before it answers (inference.results): if this replica dies meanwhile,
        # whoever runs the film next finds it above instead of asking again.
        size = await self.parts.triton.store_image(
            take.key, take.model, take.prompt, take.negative_prompt, take.seed, take.width, take.height,
            steps=take.steps, guidance=take.guidance, brief=take.brief, references=references)
        await self.db.record_asset(take.key, "image", take.model, takes.IMAGE_MODEL_VERSION, size, self.film_id)
        return False

    @tracer.start_as_current_span("shot.voice")
    async def voice(self, scene_graph: script_pb2.SceneGraph, shot: script_pb2.Shot) -> VoiceTrack:
        """The shot's voice track, every line cached by content, with each line's true length."""
        lines = takes.line_takes(scene_graph, shot)
        if not lines:
            return VoiceTrack("", (), True)
        clips = [await self.speak(line) for line in lines]
        cached = all(was_cached for _, was_cached in clips)
        samples = [clip for clip, _ in clips]
        line_seconds = tuple(len(clip) / rate for clip, rate in samples)
        placed = place_lines(shot, list(line_seconds))
        track_key = takes.voice_track_key(lines, placed)
        if await self.store.exists(track_key):
            await self.uses(track_key, "voice-track", takes.MIX_MODEL, takes.MIX_VERSION)
        else:
            track = voicing.mix(placed, samples)
            await self.store.put(track_key, track, "audio/wav")
            await self.db.record_asset(track_key, "voice-track", takes.MIX_MODEL, takes.MIX_VERSION, len(track),
                                       self.film_id)
        return VoiceTrack(track_key, line_seconds, cached)

    async def speak(self, line: takes.LineTake) -> tuple[tuple[np.ndarray, int], bool]:
        """One line's clip (samples, rate), from the store if it was spoken before; and whether it was."""
        if await self.store.exists(line.key):
            metrics.CACHE_HITS.labels(kind="voice").inc()
            await self.uses(line.key, "voice", takes.TTS_MODEL, takes.TTS_VERSION)
            return wav.decode(await self.store.get(line.key)), True
        size = await self.parts.triton.store_speech(line.key, line.line.text, line.voice)  # stored, as images are
        await self.db.record_asset(line.key, "voice", takes.TTS_MODEL, takes.TTS_VERSION, size, self.film_id)
        return wav.decode(await self.store.get(line.key)), False

    async def uses(self, key: str, kind: str, model: str, version: str) -> None:
        """Note that this film uses an asset found in the store, so deleting another film that made it
        keeps it. (Its row, with its size, is normally there already: whoever generated it recorded it.)"""
        await self.db.record_asset(key, kind, model, version, 0, self.film_id)

    # --- composing -----------------------------------------------------------------------------------

    @tracer.start_as_current_span("film.compose")
    async def compose(self, film: FilmRecord) -> None:
        assert film.scene_graph is not None
        records = {s.shot_id: s for s in await self.db.get_shots(self.film_id)}
        request = takes.cut_list(self.film_id, film.display_name, film.settings, film.scene_graph, records,
                                 self.store.uri)
        result = None
        started = time.perf_counter()
        trace = telemetry.trace_metadata()  # the composer's span joins the film's trace
        replies = self.parts.composer.ComposeFilm(request, metadata=trace) if trace else \
            self.parts.composer.ComposeFilm(request)
        try:
            async for reply in replies:
                if reply.WhichOneof("kind") == "progress":
                    await self.compose_progress(reply.progress)
                else:
                    result = reply.result
        except grpc.aio.AioRpcError as exc:
            if exc.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise Unavailable(f"composer at {self.parts.composer_addr} unavailable: {exc.details()}") from exc
            raise FailedPrecondition(f"composer: {exc.details()}") from exc
        if result is None:
            raise Unavailable(f"composer at {self.parts.composer_addr} ended the stream without a result")
        metrics.COMPOSE_SECONDS.observe(time.perf_counter() - started)
        outputs = film_pb2.FilmOutputs(
            video_uri=result.video_uri, subtitles_vtt_uri=result.subtitles_vtt_uri,
            subtitles_srt_uri=result.subtitles_srt_uri, poster_uri=result.poster_uri,
            storyboard_uri=result.storyboard_uri, duration=result.duration)
        await self.db.set_state(self.film_id, self.worker, film_pb2.FILM_STATE_SUCCEEDED, progress=1.0,
                                outputs=outputs)

    async def compose_progress(self, progress: composer_pb2.ComposeProgress) -> None:
        """An event for the composer's progress, at most every 0.5 s (and always for the last frame)."""
        now = time.monotonic()
        last = progress.frames_done >= progress.frames_total
        if not last and now - self._last_compose_event < 0.5:
            return
        self._last_compose_event = now
        await self.db.append_event(self.film_id, film_pb2.FilmEvent(
            progress=takes.composing_progress(progress.frames_done, progress.frames_total),
            compose=composer_pb2.ComposeProgress(frames_done=progress.frames_done,
                                                 frames_total=progress.frames_total)))

