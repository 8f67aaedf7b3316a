"""A film's job, stage by stage: plan, generate (image + voice per shot), compose.

Every stage starts from what the database says, so a job picked up by another replica after a crash
(or re-opened by RegenerateShot) continues where the last one stopped: succeeded shots are kept,
and assets are found in the content-addressed store instead of being generated again. Each state
change is committed (with its event) before the work it announces is acknowledged.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
import time
from collections.abc import Callable

import grpc
from google.protobuf import duration_pb2
from PIL import Image

from filmstudio.errors import FailedPrecondition, FilmStudioError, InvalidArgument, Unavailable
from filmstudio.storage import ObjectStore
from filmstudio.v1 import composer_pb2, composer_pb2_grpc, film_pb2, script_pb2
from orchestrator import metrics, voicing
from filmstudio.seeds import stable_seed
from orchestrator.assets import asset_key
from orchestrator.script import parse_script
from orchestrator.timeline import frame_size, image_size, place_lines, shot_seconds
from orchestrator.db import Database
from orchestrator.triton import TritonClient

log = logging.getLogger(__name__)

IMAGE_BACKENDS = ("storyboard", "sdxl")
DEFAULT_BACKEND = "storyboard"
IMAGE_MODEL_VERSION = "1"
SDXL_STEPS, SDXL_GUIDANCE = 30, 6.0

# Share of the film's progress bar each stage owns.
PLANNED, GENERATED = 0.05, 0.70


@dataclasses.dataclass
class Parts:
    """What a job talks to. One set per orchestrator process."""

    db: Database
    store: ObjectStore
    triton: TritonClient
    composer: composer_pb2_grpc.ComposerServiceStub
    composer_addr: str = ""


def duration(seconds_: float) -> duration_pb2.Duration:
    d = duration_pb2.Duration()
    d.FromNanoseconds(int(round(seconds_ * 1e9)))
    return d


def shots_in_order(scene_graph: script_pb2.SceneGraph) -> list[tuple[script_pb2.Scene, script_pb2.Shot]]:
    return [(scene, shot) for scene in scene_graph.scenes for shot in scene.shots]


def shot_brief(scene_graph: script_pb2.SceneGraph, scene: script_pb2.Scene, shot: script_pb2.Shot) -> script_pb2.ShotBrief:
    cast = {c.id: c for c in scene_graph.characters}
    return script_pb2.ShotBrief(
        shot=shot, setting=scene.setting, location=scene.location, time_of_day=scene.time_of_day,
        characters=[cast[c] for c in shot.character_ids if c in cast], opens_scene=scene.shots[0].id == shot.id)


class FilmJob:
    """Runs one film from its current state to the end (or until cancelled / the lease is lost)."""

    def __init__(self, parts: Parts, film_id: str, worker: str) -> None:
        self.parts = parts
        self.film_id = film_id
        self.worker = worker
        self._last_compose_event = 0.0

    @property
    def db(self):
        return self.parts.db

    async def run(self) -> None:
        film = await self.db.load_film(self.film_id)
        if film.state in (film_pb2.FILM_STATE_QUEUED, film_pb2.FILM_STATE_PLANNING):
            await self.plan(film)
            film = await self.db.load_film(self.film_id)
        if film.state == film_pb2.FILM_STATE_GENERATING:
            await self.generate(film)
            film = await self.db.load_film(self.film_id)
        if film.state == film_pb2.FILM_STATE_COMPOSING:
            await self.compose(film)

    # --- planning ------------------------------------------------------------------------------------

    async def plan(self, film) -> None:
        if film.state == film_pb2.FILM_STATE_QUEUED:
            await self.db.set_state(self.film_id, self.worker, film_pb2.FILM_STATE_PLANNING, progress=0.01)
        parsed = parse_script(film.script, film.settings)
        shots = shots_in_order(parsed.scene_graph)
        await self.db.put_shots(self.film_id, self.worker, [(shot.id, i) for i, (_, shot) in enumerate(shots)])
        await self.db.set_state(self.film_id, self.worker, film_pb2.FILM_STATE_GENERATING, progress=PLANNED,
                                scene_graph=parsed.scene_graph)

    # --- generating ------------------------------------------------------------------------------------

    async def generate(self, film) -> None:
        scene_graph = film.scene_graph
        records = {s.shot_id: s for s in await self.db.get_shots(self.film_id)}
        todo = [(scene, shot) for scene, shot in shots_in_order(scene_graph)
                if records[shot.id].state != film_pb2.SHOT_STATE_SUCCEEDED]
        done = len(records) - len(todo)
        total = max(1, len(records))
        backend = film.settings.image_backend or DEFAULT_BACKEND

        def progress_after_one() -> float:
            nonlocal done
            done += 1
            return PLANNED + (GENERATED - PLANNED) * done / total

        tasks = [asyncio.create_task(self.render_shot(film, scene_graph, scene, shot, records[shot.id], backend,
                                                      progress_after_one))
                 for scene, shot in todo]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        await self.db.set_state(self.film_id, self.worker, film_pb2.FILM_STATE_COMPOSING, progress=GENERATED)

    async def render_shot(self, film, scene_graph, scene, shot, record, backend: str,
                          progress_after: Callable[[], float]) -> None:
        await self.db.set_shot(self.film_id, shot.id, self.worker, film_pb2.SHOT_STATE_RENDERING)
        started = time.perf_counter()
        try:
            (image_key, image_cached), (audio_key, audio_cached) = await asyncio.gather(
                self.image(film, scene_graph, scene, shot, record, backend), self.voice(scene_graph, shot))
        except (FailedPrecondition, InvalidArgument) as exc:
            # The model refused or crashed on this shot: the shot fails with its message, and so does the film.
            await self.db.set_shot(self.film_id, shot.id, self.worker, film_pb2.SHOT_STATE_FAILED, error=exc.message)
            raise FailedPrecondition(f"shot {shot.id}: {exc.message}") from exc
        metrics.SHOT_SECONDS.labels(model=backend).observe(time.perf_counter() - started)
        await self.db.set_shot(self.film_id, shot.id, self.worker, film_pb2.SHOT_STATE_SUCCEEDED,
                               image_key=image_key, audio_key=audio_key or "", cached=image_cached and audio_cached,
                               progress=progress_after())

    async def image(self, film, scene_graph, scene, shot, record, backend: str) -> tuple[str, bool]:
        """The shot's still: from the store if these exact inputs were rendered before."""
        width, height = image_size(film.settings, backend)
        seed = shot.seed if record.seed_override is None else record.seed_override
        if record.seed_override is None and record.take > 1:
            seed = stable_seed(shot.seed, "take", record.take)
        prompt = shot.prompt if record.prompt_override is None else record.prompt_override
        brief = shot_brief(scene_graph, scene, shot)
        steps, guidance = (SDXL_STEPS, SDXL_GUIDANCE) if backend == "sdxl" else (1, 0.0)
        # The brief's shot carries the planned timing, which does not change the picture: leave it out.
        keyed_brief = script_pb2.ShotBrief()
        keyed_brief.CopyFrom(brief)
        keyed_brief.shot.ClearField("duration")
        keyed_brief.shot.ClearField("dialogue")
        key = asset_key("image", backend, IMAGE_MODEL_VERSION,
                        {"prompt": prompt, "negative": shot.negative_prompt, "seed": seed, "width": width,
                         "height": height, "steps": steps, "guidance": guidance, "brief": keyed_brief}, "png")
        if await self.parts.store.exists(key):
            metrics.CACHE_HITS.labels(kind="image").inc()
            await self.uses(key, "image", backend, IMAGE_MODEL_VERSION)
            return key, True
        pixels = await self.parts.triton.render_image(backend, prompt, shot.negative_prompt, seed, width, height,
                                                      steps=steps, guidance=guidance, brief=brief)
        png = await asyncio.to_thread(_png, pixels)
        await self.parts.store.put(key, png, "image/png")
        await self.db.record_asset(key, "image", backend, IMAGE_MODEL_VERSION, len(png), self.film_id)
        return key, False

    async def voice(self, scene_graph, shot) -> tuple[str, bool]:
        """The shot's voice track (empty key for a silent shot), every line cached by content."""
        if not shot.dialogue:
            return "", True
        voices = {c.id: c.voice for c in scene_graph.characters}
        keys, clips, cached = [], [], True
        for line in shot.dialogue:
            key = voicing.line_key(line, voices[line.character_id])
            if await self.parts.store.exists(key):
                metrics.CACHE_HITS.labels(kind="voice").inc()
                await self.uses(key, "voice", voicing.TTS_MODEL, voicing.TTS_VERSION)
                clips.append(voicing.decode_wav(await self.parts.store.get(key)))
            else:
                cached = False
                speech = await self.parts.triton.speak(line.text, voices[line.character_id])
                wav = speech.wav_bytes()
                await self.parts.store.put(key, wav, "audio/wav")
                await self.db.record_asset(key, "voice", voicing.TTS_MODEL, voicing.TTS_VERSION, len(wav), self.film_id)
                clips.append((speech.samples, speech.sample_rate))
            keys.append(key)
        placed = place_lines(shot, [len(samples) / rate for samples, rate in clips])
        track_key = voicing.mixed_key(keys, placed)
        if await self.parts.store.exists(track_key):
            await self.uses(track_key, "voice-track", "mix", "1")
        else:
            track = voicing.mix(placed, clips)
            await self.parts.store.put(track_key, track, "audio/wav")
            await self.db.record_asset(track_key, "voice-track", "mix", "1", len(track), self.film_id)
        return track_key, cached

    async def uses(self, key: str, kind: str, model: str, version: str) -> None:
        """Note that this film uses an asset found in the store, so deleting another film that made it
        keeps it. (Its row, with its size, is normally there already: whoever generated it recorded it.)"""
        await self.db.record_asset(key, kind, model, version, 0, self.film_id)

    # --- composing -------------------------------------------------------------------------------------

    async def cut_list(self, film) -> composer_pb2.ComposeFilmRequest:
        scene_graph = film.scene_graph
        records = {s.shot_id: s for s in await self.db.get_shots(self.film_id)}
        voices = {c.id: c.voice for c in scene_graph.characters}
        width, height = frame_size(film.settings)
        cuts = []
        for _, shot in shots_in_order(scene_graph):
            record = records[shot.id]
            placed = place_lines(shot, await voicing.line_durations(self.parts.store, shot, voices))
            cut = composer_pb2.Cut(
                shot_id=shot.id, image_uri=self.parts.store.uri(record.image_key),
                duration=duration(shot_seconds(shot, placed)), camera_move=shot.camera_move,
                transition_in=shot.transition_in)
            if record.audio_key:
                cut.audio.add(uri=self.parts.store.uri(record.audio_key), offset=duration(0))
            names = {c.id: c.name for c in scene_graph.characters}
            for p in placed:
                cut.subtitles.add(text=p.line.text, speaker=names.get(p.line.character_id, ""),
                                  offset=duration(p.offset_s), duration=duration(p.duration_s))
            cuts.append(cut)
        return composer_pb2.ComposeFilmRequest(
            cuts=cuts, title=scene_graph.title or film.display_name,
            format=composer_pb2.OutputFormat(width=width, height=height, fps=film.settings.fps or 24,
                                             burn_subtitles=film.settings.burn_subtitles, music=True,
                                             seed=film.settings.seed),
            output_prefix=self.parts.store.uri(f"films/{self.film_id}") + "/")

    async def compose(self, film) -> None:
        request = await self.cut_list(film)
        result = None
        try:
            async for reply in self.parts.composer.ComposeFilm(request):
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
        fraction = progress.frames_done / max(1, progress.frames_total)
        await self.db.append_event(self.film_id, film_pb2.FilmEvent(
            progress=GENERATED + (1 - GENERATED) * fraction * 0.99,
            compose=composer_pb2.ComposeProgress(frames_done=progress.frames_done,
                                                 frames_total=progress.frames_total)))


def _png(pixels) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def is_terminal(state: int) -> bool:
    return state in (film_pb2.FILM_STATE_SUCCEEDED, film_pb2.FILM_STATE_FAILED, film_pb2.FILM_STATE_CANCELLED)


__all__ = ["FilmJob", "Parts", "IMAGE_BACKENDS", "DEFAULT_BACKEND", "FilmStudioError", "is_terminal"]
