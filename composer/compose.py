"""compose_film: a cut list in, a published film out. Read top to bottom:

1. plan: check the request and lay the cuts on the frame grid (InvalidArgument before any work);
2. fetch: every still, rig, clip and voice clip, each checked now (FailedPrecondition names the shot), and
   the cast's portraits for the storyboard sheet (one that cannot be read is left out with a warning, never
   an error);
3. render + encode, in worker threads: a renderer makes finished frames (a camera move over each still or
   title card, a rig's living animatic (composer.animatic), a clip retimed to its shot (composer.footage),
   transitions, burned captions) into a short queue, and the poster and storyboard sheet on the
   way; the encoder drains the queue into x264, muxing the sound (AAC-encoded in a thread of its own)
   and subtitles alongside; progress flows back;
4. publish: each output is uploaded under a temporary key, then moved to its name.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import functools
import inspect
import io
import logging
import pathlib
import queue
import tempfile
import threading
import uuid
import zipfile
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import numpy as np
from google.protobuf import duration_pb2
from PIL import Image

from composer import audio, transitions
from composer.animatic import Animatic
from composer.cards import card_still
from composer.encode import FilmWriter, beside_the_encoder, planes_to_frame
from composer.footage import ClipShot
from composer.motion import Planes, ShotCamera, check_still, decode_still
from composer.sheets import CastCard, Storyboard, portrait_thumbnail, poster_jpeg
from composer.subtitles import CaptionTrack, to_srt, to_webvtt
from composer.timeline import CastMember, FilmPlan, ShotPlan, VoicePlacement, plan_film
from filmstudio.clips import read_clip
from filmstudio.errors import Cancelled, FailedPrecondition, InvalidArgument, NotFound
from filmstudio.rig import decode_rig
from filmstudio.seeds import stable_seed
from filmstudio.storage import ObjectStore
from filmstudio.v1 import composer_pb2

log = logging.getLogger(__name__)
T = TypeVar("T")
OnProgress = Callable[[int, int], Awaitable[None] | None]
OUTPUTS = {  # file name -> content type
    "film.vtt": "text/vtt", "film.srt": "application/x-subrip", "poster.jpg": "image/jpeg",
    "storyboard.png": "image/png", "film.mp4": "video/mp4",  # the film last: its presence means all are there
}
PROGRESS_EVERY = 6  # frames
FETCH_CONCURRENCY = 8  # stills and voice clips read from the object store at once, per film
# Frames the renderer may have ready ahead of the encoder: enough to ride out its lower priority
# (beside_the_encoder) without starving x264 (~23 at 720p, ~10 at 1080p), bounded so that memory does
# not grow with the picture (a 90 s 1080p film peaks at ~500 MB, bench/compose.py).
FRAME_QUEUE_BYTES = 32 << 20


async def compose_film(request: composer_pb2.ComposeFilmRequest, store: ObjectStore,
                       on_progress: OnProgress) -> composer_pb2.ComposeResult:
    """Compose and publish the film under request.output_prefix; on_progress(frames_done, frames_total)
    is called as encoding advances. Cancelling the task stops the encoder within a frame or two."""
    plan = plan_film(request)
    prefix = output_key(request.output_prefix, store)
    with tempfile.TemporaryDirectory(prefix="composer-") as tmp:
        workdir = pathlib.Path(tmp)
        stills = await fetch_stills(plan, store, workdir)
        moving = await fetch_motion(plan, store, workdir)
        dialogue = await fetch_dialogue(plan, store)
        cast = await fetch_cast(plan, store)
        await _call(on_progress, 0, plan.frame_count)
        await _run_in_thread(lambda report, cancel: render_film(plan, stills, dialogue, workdir, report, cancel,
                                                                cast, moving),
                             plan.frame_count, on_progress)
        uris = {}
        token = uuid.uuid4().hex[:12]
        for name, content_type in OUTPUTS.items():
            tmp_key = f"{prefix}/.{name}.{token}.tmp"
            await store.put_file(tmp_key, workdir / name, content_type)
            uris[name] = await store.publish(tmp_key, f"{prefix}/{name}")
    duration = duration_pb2.Duration()
    duration.FromNanoseconds(plan.frame_count * 1_000_000_000 // plan.fps)
    return composer_pb2.ComposeResult(
        video_uri=uris["film.mp4"], subtitles_vtt_uri=uris["film.vtt"], subtitles_srt_uri=uris["film.srt"],
        poster_uri=uris["poster.jpg"], storyboard_uri=uris["storyboard.png"], frame_count=plan.frame_count,
        duration=duration)


def output_key(output_prefix: str, store: ObjectStore) -> str:
    """The store key the outputs go under (InvalidArgument when it is empty or not in the store)."""
    if not output_prefix.strip("/"):
        raise InvalidArgument("output_prefix is empty")
    return store.key(output_prefix.rstrip("/"))


async def _fetch(store: ObjectStore, uri: str, what: str, shot: ShotPlan) -> bytes:
    try:
        return await store.get(uri)
    except NotFound:
        raise FailedPrecondition(f"{shot.name}: {what} {uri} does not exist") from None
    except InvalidArgument as exc:
        raise InvalidArgument(f"{shot.name}: {what}: {exc.message}") from None


async def fetch_stills(plan: FilmPlan, store: ObjectStore, workdir: pathlib.Path) -> list[pathlib.Path | None]:
    """Each shot's still, checked (check_still: fast, no decoding), saved in workdir (the renderer
    decodes one at a time); None for a black shot or a title card, which have none."""
    first_use: dict[str, ShotPlan] = {}  # each still once, named after the first shot that shows it
    for shot in plan.shots:
        if shot.image_uri:
            first_use.setdefault(shot.image_uri, shot)

    async def fetch(index: int, uri: str) -> pathlib.Path:
        shot = first_use[uri]
        data = await _fetch(store, uri, "image", shot)
        try:
            await asyncio.to_thread(check_still, data)
        except ValueError as exc:
            raise _bad_still(shot, exc) from None
        path = workdir / f"still-{index}"
        path.write_bytes(data)  # here, not in a thread: a cancelled fetch must not write into a workdir being removed
        return path

    paths = dict(zip(first_use, await _all_at_once([functools.partial(fetch, i, uri)
                                                     for i, uri in enumerate(first_use)])))
    return [paths[shot.image_uri] if shot.image_uri else None for shot in plan.shots]


async def fetch_motion(plan: FilmPlan, store: ObjectStore, workdir: pathlib.Path) -> list[pathlib.Path | None]:
    """Each shot's rig or clip, saved in workdir and checked as far as it can be without decoding it
    (a rig's zip entries against their CRCs, a clip's container and tags; the renderer, which decodes one
    shot at a time, catches the rest and names the shot); None for a shot without one."""

    async def fetch(index: int, shot: ShotPlan) -> pathlib.Path | None:
        uri = shot.rig_uri or shot.clip_uri
        if not uri:
            return None
        what = "rig" if shot.rig_uri else "clip"
        data = await _fetch(store, uri, what, shot)
        try:
            await asyncio.to_thread(_check_rig_file if shot.rig_uri else read_clip, data)
        except (ValueError, zipfile.BadZipFile) as exc:
            raise FailedPrecondition(f"{shot.name}: {what} {uri} is {exc}") from None
        path = workdir / f"{what}-{index}"
        path.write_bytes(data)
        return path

    return await _all_at_once([functools.partial(fetch, i, shot) for i, shot in enumerate(plan.shots)])


def _check_rig_file(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        broken = archive.testzip()
    if broken is not None:
        raise ValueError(f"corrupt: its entry {broken} fails its CRC check")


def _bad_still(shot: ShotPlan, problem: ValueError) -> FailedPrecondition:
    return FailedPrecondition(f"{shot.name}: image {shot.image_uri} is {problem}")


def _decode_still(shot: ShotPlan, path: pathlib.Path) -> Image.Image:
    try:
        return decode_still(path.read_bytes())
    except ValueError as exc:  # passed check_still, but its pixels do not decode
        raise _bad_still(shot, exc) from None


async def fetch_dialogue(plan: FilmPlan, store: ObjectStore) -> np.ndarray:
    """The dialogue track: every voice clip at its place on the film's clock (mono, 48 kHz)."""
    track = np.zeros(plan.frame_count * audio.RATE // plan.fps, dtype=np.float32)
    voices = [(shot, voice) for shot in plan.shots for voice in shot.voices]

    async def fetch(shot: ShotPlan, voice: VoicePlacement) -> np.ndarray:
        data = await _fetch(store, voice.uri, "audio", shot)
        try:
            return await asyncio.to_thread(audio.decode_voice, data)
        except ValueError as exc:
            raise FailedPrecondition(f"{shot.name}: audio {voice.uri} is {exc}") from None

    clips = await _all_at_once([functools.partial(fetch, shot, voice) for shot, voice in voices])
    for (_, voice), clip in zip(voices, clips):
        audio.place(track, clip, voice.start_s)
    return track


async def fetch_cast(plan: FilmPlan, store: ObjectStore) -> list[CastCard]:
    """The storyboard sheet's cast cards, each with its portrait read from the store and cut to the card.
    A portrait that is missing, outside the store or not an image never fails the film: its card shows
    the name alone, and a warning says why."""

    async def fetch(member: CastMember) -> CastCard:
        card = CastCard(member.name, member.description)
        if not member.portrait_uri:
            return card
        try:
            data = await store.get(member.portrait_uri)
            picture = await asyncio.to_thread(lambda: portrait_thumbnail(decode_still(data)))
        except Exception as exc:  # NotFound, InvalidArgument, ValueError, or the store's own failure
            problem = (exc.message if isinstance(exc, (NotFound, InvalidArgument))
                       else str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}")
            log.warning("storyboard sheet: %s's portrait %s cannot be read (%s); drawing the name alone",
                        member.name, member.portrait_uri, problem)
            return card
        return dataclasses.replace(card, portrait=picture)

    return await _all_at_once([functools.partial(fetch, member) for member in plan.cast_sheet])


async def _all_at_once(work: list[Callable[[], Awaitable[T]]]) -> list[T]:
    """The results of calling each of `work`, in order, FETCH_CONCURRENCY at a time (object-store
    round trips, not bandwidth, are what a cut list waits on). The first failure cancels the rest
    and is raised."""
    slots = asyncio.Semaphore(FETCH_CONCURRENCY)

    async def bounded(job: Callable[[], Awaitable[T]]) -> T:
        async with slots:
            return await job()

    tasks = [asyncio.ensure_future(bounded(job)) for job in work]
    try:
        return await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def _call(callback: OnProgress, done: int, total: int) -> None:
    result = callback(done, total)
    if inspect.isawaitable(result):
        await result


async def _run_in_thread(work: Callable[[Callable[[int], None], threading.Event], None], total: int,
                         on_progress: OnProgress) -> None:
    """Run work(report, cancel) in a thread, passing its progress reports to on_progress on this
    loop; if this coroutine is cancelled, set `cancel` and wait for the thread to stop."""
    loop = asyncio.get_running_loop()
    cancel = threading.Event()
    changed = asyncio.Event()
    latest = [0]

    def report(done: int) -> None:  # called from the worker thread
        def note() -> None:
            latest[0] = done
            changed.set()
        loop.call_soon_threadsafe(note)

    worker = asyncio.ensure_future(asyncio.to_thread(work, report, cancel))
    sent = 0
    try:
        while True:
            waiter = asyncio.ensure_future(changed.wait())
            try:
                await asyncio.wait({worker, waiter}, return_when=asyncio.FIRST_COMPLETED)
            finally:  # also when we are cancelled mid-wait: no task is left pending
                waiter.cancel()
            changed.clear()
            if latest[0] != sent:
                sent = latest[0]
                await _call(on_progress, sent, total)
            if worker.done():
                worker.result()
                return
    except BaseException:
        cancel.set()
        await asyncio.wait({worker})
        raise


_DONE = object()


def render_film(plan: FilmPlan, stills: list[pathlib.Path | None], dialogue: np.ndarray, workdir: pathlib.Path,
                report: Callable[[int], None], cancel: threading.Event, cast: Sequence[CastCard] = (),
                moving: Sequence[pathlib.Path | None] = ()) -> None:
    """Render and encode the film and its sidecars into workdir (blocking; run it in a thread); `cast` is
    the storyboard sheet's cast strip (fetch_cast), `moving` each shot's rig or clip (fetch_motion).
    Raises Cancelled if `cancel` is set."""
    (workdir / "film.vtt").write_text(to_webvtt(plan.cues), encoding="utf-8")
    (workdir / "film.srt").write_text(to_srt(plan.cues, plan.srt_speaker_names), encoding="utf-8")
    mastering = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="composer-audio")
    soundtrack = mastering.submit(_soundtrack, plan, dialogue)  # alongside the first frames
    mastering.shutdown(wait=False)
    frames: queue.Queue = queue.Queue(maxsize=max(4, FRAME_QUEUE_BYTES // (plan.width * plan.height * 3 // 2)))
    moving = list(moving) or [None] * len(plan.shots)
    renderer = threading.Thread(target=_render_frames, args=(plan, stills, workdir, frames, cancel, cast, moving,
                                                             dialogue),
                                name="composer-render", daemon=True)
    writer = FilmWriter(workdir / "film.mp4", plan.width, plan.height, plan.fps, soundtrack, plan.cues, plan.title)
    renderer.start()
    finished = False
    try:
        while True:
            if cancel.is_set():
                raise Cancelled("compose cancelled")
            try:
                item = frames.get(timeout=0.1)
            except queue.Empty:  # the renderer stops without a word when cancelled
                continue
            if item is _DONE:
                break
            if isinstance(item, BaseException):
                raise item
            writer.write(item)
            if writer.frames % PROGRESS_EVERY == 0 or writer.frames == plan.frame_count:
                report(writer.frames)
        writer.close()
        finished = True
    finally:
        if not finished:
            cancel.set()
            writer.abandon()
            while renderer.is_alive():  # unblock a renderer waiting on a full queue
                try:
                    frames.get(timeout=0.05)
                except queue.Empty:
                    pass
        renderer.join()


def _soundtrack(plan: FilmPlan, dialogue: np.ndarray) -> np.ndarray:
    beside_the_encoder()
    music = audio.music_bed(len(dialogue), plan.seed) if plan.music else None
    return audio.master(dialogue, music)


def _put(frames: queue.Queue, item: object, cancel: threading.Event) -> bool:
    while not cancel.is_set():
        try:
            frames.put(item, timeout=0.1)
            return True
        except queue.Full:
            pass
    return False


def _render_frames(plan: FilmPlan, stills: list[pathlib.Path | None], workdir: pathlib.Path, frames: queue.Queue,
                   cancel: threading.Event, cast: Sequence[CastCard], moving: Sequence[pathlib.Path | None],
                   dialogue: np.ndarray) -> None:
    """The renderer thread: every frame of the film in order, as a yuv420p av.VideoFrame ready for the
    encoder, then _DONE (or the exception)."""
    beside_the_encoder()
    try:
        captions = CaptionTrack(plan.cues, plan.width, plan.height, plan.fps) if plan.burn_subtitles else None
        storyboard = Storyboard(plan.width, plan.height, plan.title, cast)
        # The poster is a picture, if there is one (not black, not a title card's words): the longest.
        poster_shot = max(plan.shots, key=lambda s: (not s.black and not s.card_text, s.frame_count))
        outgoing: Planes | None = None
        for shot, still, motion in zip(plan.shots, stills, moving):
            picture = _picture(plan, shot, still, motion, dialogue)
            for i in range(shot.frame_count):
                planes = transitions.apply(shot.transition, i, shot.transition_frames, picture(i), outgoing)
                if i == shot.frame_count // 2:
                    storyboard.add(planes, f"{shot.index + 1}. {shot.shot_id or 'cut'}  "
                                           f"{_timecode(shot.start_frame / plan.fps)}", shot.description, shot.lines)
                    if shot is poster_shot:
                        (workdir / "poster.jpg").write_bytes(poster_jpeg(planes, plan.title, plan.cast))
                if i == shot.frame_count - 1:
                    outgoing = planes
                frame = planes_to_frame(planes)
                caption = captions.at(shot.start_frame + i) if captions is not None else None
                if caption is not None:
                    caption.burn(frame)
                if not _put(frames, frame, cancel):
                    return
        (workdir / "storyboard.png").write_bytes(storyboard.png())
        _put(frames, _DONE, cancel)
    except BaseException as exc:  # hand it to the encoder thread, which raises it
        _put(frames, exc, cancel)


def _picture(plan: FilmPlan, shot: ShotPlan, still: pathlib.Path | None, motion: pathlib.Path | None,
             dialogue: np.ndarray) -> Callable[[int], Planes]:
    """Frame i of the shot before its transition: black; its rig animated or its clip retimed; or its
    still, or its title card's words drawn as one (composer.cards), under the shot's camera move."""
    if motion is not None and shot.rig_uri:
        try:
            rig = decode_rig(motion.read_bytes())
        except ValueError as exc:
            raise FailedPrecondition(f"{shot.name}: rig {shot.rig_uri} is {exc}") from None
        start, end = shot.start_frame * audio.RATE // plan.fps, shot.end_frame * audio.RATE // plan.fps
        return Animatic(rig, plan.width, plan.height, plan.fps, shot.frame_count, shot.camera_move,
                        stable_seed(plan.seed, shot.shot_id), voice=dialogue[start:end], rate=audio.RATE,
                        speakers=_speakers(plan, shot)).frame
    if motion is not None and shot.clip_uri:
        clip_shot = ClipShot(read_clip(motion), plan.width, plan.height, plan.fps, shot.frame_count)

        def from_clip(i: int) -> Planes:
            try:
                return clip_shot.frame(i)
            except ValueError as exc:  # a frame that fails its CRC: the clip is corrupt
                raise FailedPrecondition(f"{shot.name}: clip {shot.clip_uri} is {exc}") from None

        return from_clip
    if shot.black:
        black = transitions.solid(plan.width, plan.height, transitions.BLACK)
        return lambda i: black
    if shot.card_text:
        image = card_still(shot.card_text, plan.width, plan.height)
    else:
        assert still is not None  # fetch_stills fetched one for every shot with an image_uri
        image = _decode_still(shot, still)
    return ShotCamera(image, plan.width, plan.height, shot.camera_move, shot.frame_count).frame


def _speakers(plan: FilmPlan, shot: ShotPlan) -> list[tuple[float, float, str]]:
    """Who speaks when in the shot, on its own clock: (start s, end s, speaker) per line, both sides of
    dual dialogue included."""
    start = shot.start_frame / plan.fps
    lines = [side for cue in plan.cues if cue.shot_id == shot.shot_id for side in (cue.sides or (cue,))]
    return [(line.start_s - start, line.end_s - start, line.speaker) for line in lines if line.speaker]


def _timecode(seconds: float) -> str:
    minutes, seconds = divmod(seconds, 60)
    return f"{int(minutes):02d}:{seconds:04.1f}"
