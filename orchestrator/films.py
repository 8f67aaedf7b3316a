"""What FilmService does, as plain async functions over the database, the store and the worker.
The servicer (service.py) only extracts the caller and the request and calls these.

Requests are checked here, at the edge: resource names (filmstudio.names), settings normalised once
(filmstudio.settings), the script parsed once. Everything below trusts what it is handed."""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING

from filmstudio import names, settings as film_settings
from filmstudio.config import Config
from filmstudio.errors import FailedPrecondition, InvalidArgument, NotFound, ResourceExhausted, Unavailable
from filmstudio.storage import ObjectStore
from filmstudio.v1 import film_pb2, script_pb2
from orchestrator import export as film_export, lifecycle, takes
from orchestrator.characters import Characters
from orchestrator.db import Database, FilmRecord
from orchestrator.paging import decode_page_token, encode_page_token
from orchestrator.script import bible, parse_script
from orchestrator.triton import TritonClient

if TYPE_CHECKING:
    from orchestrator.worker import Worker

log = logging.getLogger(__name__)

TRASH_RETENTION = datetime.timedelta(seconds=Config.trash_retention_s)

MESSAGES_KEPT = 512  # films whose last API message Films.to_proto keeps (bounded; cleared whole when full)

# What the composer publishes under films/{film}/ (the purge removes them with the film).
FILM_OUTPUTS = ("film.mp4", "film.vtt", "film.srt", "poster.jpg", "storyboard.png")


def film_objects(film_ids: Sequence[str], orphaned: Sequence[str]) -> list[str]:
    """The store keys to delete once films are purged: the assets only they used, and their outputs."""
    return [*orphaned, *(f"films/{film_id}/{output}" for film_id in film_ids for output in FILM_OUTPUTS)]


@dataclasses.dataclass(frozen=True)
class Quotas:
    films_in_flight: int = 8  # per user
    seconds_per_day: int = 3600  # of requested film length, per user per UTC day

    def admit(self, wanted_s: float, now: datetime.datetime) -> "Admission":
        """The check the database runs, in the create's own transaction, for a film of `wanted_s`."""
        return Admission(self, wanted_s, now.replace(hour=0, minute=0, second=0, microsecond=0))


@dataclasses.dataclass(frozen=True)
class Admission:
    """One create's quota check (orchestrator.db.films.Admit)."""

    quotas: Quotas
    wanted_s: float
    since: datetime.datetime

    def __call__(self, films_in_flight: int, seconds_charged: float) -> None:
        limit = self.quotas.films_in_flight
        if films_in_flight >= limit:
            raise ResourceExhausted(f"{films_in_flight} films in flight; the limit is {limit} per user")
        if seconds_charged + self.wanted_s > self.quotas.seconds_per_day:
            raise ResourceExhausted(f"{seconds_charged:.0f} s of film rendered today; {self.wanted_s:g} s more would "
                                    f"pass the daily limit of {self.quotas.seconds_per_day} s")


SHOT_SECONDS = (1.0, 30.0)  # the screen time a redone shot may be given


def shot_edits(request: film_pb2.RegenerateShotRequest) -> dict:
    """What a redo changes in the shot's plan (framing, camera_move, seconds), checked; {} for none."""
    edits: dict = {}
    if request.framing:
        if request.framing not in script_pb2.Framing.values():
            raise InvalidArgument(f"framing {request.framing} is not a Framing")
        edits["framing"] = request.framing
    if request.camera_move:
        if request.camera_move not in script_pb2.CameraMove.values():
            raise InvalidArgument(f"camera_move {request.camera_move} is not a CameraMove")
        edits["camera_move"] = request.camera_move
    if request.HasField("duration"):
        seconds = request.duration.ToNanoseconds() / 1e9
        low, high = SHOT_SECONDS
        if not low <= seconds <= high:
            raise InvalidArgument(f"duration {seconds:g} s is out of range: {low:g}-{high:g} s")
        edits["seconds"] = seconds
    if request.motion:
        edits["motion"] = film_settings.check_motion(request.motion, "motion")
    return edits


def edit_shot(graph: script_pb2.SceneGraph, film_id: str, shot_id: str, framing: int = 0, camera_move: int = 0,
              seconds: float | None = None, motion: int = 0) -> script_pb2.SceneGraph:
    """The scene graph with one shot re-framed, re-moved, re-timed or moving otherwise (its motion);
    its planned prompt says the new framing. NotFound for a shot the film does not have."""
    edited = script_pb2.SceneGraph()
    edited.CopyFrom(graph)
    for _, shot in takes.shots_in_order(edited):
        if shot.id != shot_id:
            continue
        if framing:
            shot.prompt = bible.reframe(shot.prompt, shot.framing, framing)
            shot.framing = framing
        if camera_move:
            shot.camera_move = camera_move
        if seconds is not None:
            shot.duration.FromNanoseconds(round(seconds * 1e9))
        if motion:
            shot.motion = motion
        return edited
    raise NotFound(f"shot {names.shot_name(film_id, shot_id)} not found")


def parse(script: str, settings: film_pb2.FilmSettings,
          cast: Sequence[script_pb2.Character] = ()) -> film_pb2.ParseScriptResponse:
    settings = film_settings.normalize(settings)
    parsed = parse_script(script, settings, cast, cast_field="cast")
    takes.plan_motion(settings, parsed.scene_graph)
    return film_pb2.ParseScriptResponse(scene_graph=parsed.scene_graph, warnings=parsed.warnings)


class Films:
    """The FilmService operations for one orchestrator process."""

    def __init__(self, db: Database, store: ObjectStore, triton: TritonClient, worker: "Worker",
                 quotas: Quotas = Quotas(), trash_retention: datetime.timedelta = TRASH_RETENTION) -> None:
        self.db = db
        self.store = store
        self.triton = triton
        self.worker = worker
        self.quotas = quotas
        self.trash_retention = trash_retention  # how long a deleted film can be undeleted (purge_time)
        self.cast = Characters(db, store, worker, triton)  # the cast sheet's operations
        self._messages: dict[str, tuple[FilmRecord, film_pb2.Film]] = {}  # to_proto's last message per film

    async def to_proto(self, record: FilmRecord, into: film_pb2.Film | None = None) -> film_pb2.Film:
        """The API film (written into `into` when given); its shots are read unless the record came
        with them. The message last built for the film is copied when the record is the very one it
        was built from, as the reads of a film that did not change hand back (engine.FilmReads)."""
        if record.shots is None:
            record = dataclasses.replace(record, shots=tuple(await self.db.get_shots(record.id)))
        known = self._messages.get(record.id)
        if known is None or known[0] is not record:
            known = record, record.to_proto(self.store.uri, self.trash_retention)
            if len(self._messages) >= MESSAGES_KEPT:
                self._messages.clear()
            self._messages[record.id] = known
        film = film_pb2.Film() if into is None else into
        film.CopyFrom(known[1])  # a copy: the caller may change its message
        return film

    async def create(self, owner: str, request: film_pb2.CreateFilmRequest) -> film_pb2.Film:
        film = request.film
        names.check_user_id(owner)
        if not film.script.strip():
            raise InvalidArgument("film.script is empty")
        if request.film_id:
            names.check_film_id(request.film_id)
        film_settings.check_request_id(request.request_id)
        settings = film_settings.normalize(film.settings)
        # A bad script is refused now, with its line and column, and so is a bad cast override.
        parsed = parse_script(film.script, settings, film.cast)
        backend = settings.image_backend
        if backend != film_settings.DEFAULT_BACKEND and not await self.triton.is_model_ready(backend):
            raise Unavailable(f"image backend {backend!r} is not loaded on Triton; "
                              f"use {film_settings.DEFAULT_BACKEND!r} or start Triton with its weights")
        await self.check_motion(settings, parsed.scene_graph)
        takes.complete_plan(settings, parsed.scene_graph)
        admit = self.quotas.admit(film_settings.target_seconds(settings), datetime.datetime.now(datetime.UTC))
        display_name = film.display_name or parsed.scene_graph.title
        record = await self.db.create_film(owner, film.script, settings, display_name=display_name,
                                           film_id=request.film_id or None, request_id=request.request_id,
                                           scene_graph=parsed.scene_graph, admit=admit)
        self.worker.wake.set()
        return await self.to_proto(record)

    async def check_motion(self, settings: film_pb2.FilmSettings, scene_graph: script_pb2.SceneGraph) -> None:
        """Refuse generated motion when Triton has no motion weights loaded, before anything renders; with
        settings.motion_fallback, animate those shots on the CPU instead (settings and plan are changed)."""
        if not takes.generates_motion(settings, scene_graph) or await self.triton.is_model_ready(takes.MOTION_MODEL):
            return
        if not settings.motion_fallback:
            raise FailedPrecondition(
                "motion MOTION_GENERATED needs the image-to-video model, and Triton has no motion weights loaded "
                "(FILMSTUDIO_MOTION_MODEL_DIR); ask for MOTION_ANIMATED or MOTION_CAMERA, or set "
                "settings.motion_fallback to animate those shots on the CPU instead")
        takes.animate_instead(settings, scene_graph)

    async def get(self, owner: str, name: str) -> film_pb2.Film:
        return await self.to_proto(await self.db.get_film(owner, names.parse_film_name(name), with_shots=True))

    async def list(self, owner: str, request: film_pb2.ListFilmsRequest) -> film_pb2.ListFilmsResponse:
        size = film_settings.page_size(request.page_size)
        after = decode_page_token(request.page_token) if request.page_token else None
        records, more = await self.db.list_films(owner, size, after, with_shots=True, trashed=request.show_deleted)
        page = film_pb2.ListFilmsResponse(next_page_token=encode_page_token(records[-1].created_at, records[-1].id)
                                          if more else "")
        for record in records:
            await self.to_proto(record, into=page.films.add())
        return page

    async def cancel(self, owner: str, name: str) -> film_pb2.Film:
        record = await self.db.request_cancel(owner, names.parse_film_name(name))
        self.worker.cancel_local(record.id)
        return await self.get(owner, name)

    async def delete(self, owner: str, name: str) -> None:
        """Move the film to the trash, stopping it if it renders; the sweeper purges it later."""
        record = await self.db.trash_film(owner, names.parse_film_name(name))
        self.worker.cancel_local(record.id)  # another replica's job stops at its next lease renewal
        log.info("moved %s (films/%s) to the trash", record.name, record.id)

    async def undelete(self, owner: str, name: str) -> film_pb2.Film:
        record = await self.db.undelete_film(owner, names.parse_film_name(name))
        return await self.to_proto(record)

    async def regenerate(self, owner: str, request: film_pb2.RegenerateShotRequest) -> film_pb2.Film:
        film_id, shot_id = names.parse_shot_name(request.name)
        seed = request.seed if request.HasField("seed") else None
        prompt = request.prompt if request.HasField("prompt") else None
        if prompt is not None and not prompt.strip():
            raise InvalidArgument("prompt is empty; leave it unset to keep the planned prompt")
        edits = shot_edits(request)
        graph, before = None, None
        if edits:
            current = await self.db.get_film(owner, film_id)
            if current.scene_graph is None:
                raise FailedPrecondition(f"film {names.film_name(film_id)} is not planned yet")
            graph, before = edit_shot(current.scene_graph, film_id, shot_id, **edits), current.updated_at
            await self.check_motion(current.settings, graph)
            takes.plan_motion(current.settings, graph)
        record = await self.db.reopen_for_shot(owner, film_id, shot_id, seed=seed, prompt=prompt,
                                               scene_graph=graph, before=before)
        self.worker.wake.set()
        return await self.to_proto(record)

    async def export(self, owner: str, request: film_pb2.ExportFilmRequest) -> film_pb2.FilmExport:
        """The film's cut as an editor's timeline, written to the store beside its outputs."""
        record = await self.db.get_film(owner, names.parse_film_name(request.name))  # NotFound for another's
        chosen = film_export.writer(request.format)
        if record.state != film_pb2.FILM_STATE_SUCCEEDED or record.scene_graph is None:
            raise FailedPrecondition(f"film {record.name} has not succeeded "
                                     f"({film_pb2.FilmState.Name(record.state)}); only a finished cut is exported")
        records = {s.shot_id: s for s in await self.db.get_shots(record.id)}
        cuts = takes.cut_list(record.id, record.display_name, record.settings, record.scene_graph, records,
                              self.store.uri)
        timeline = film_export.build_timeline(cuts, record.scene_graph, self.store.uri(f"films/{record.id}/film.mp4"))
        data = await film_export.export(timeline, request.format, self.store.get)
        uri = await self.store.put(film_export.export_key(record.id, request.format), data)
        frames = film_export.shot_frames(cuts.cuts, cuts.format.fps)
        result = film_pb2.FilmExport(uri=uri, format=request.format, clip_count=len(frames))
        total = frames[-1].start_frame + frames[-1].frame_count if frames else 0
        result.duration.FromNanoseconds(total * 1_000_000_000 // cuts.format.fps)
        log.info("exported %s as %s to %s", record.name, chosen.extension, uri)
        return result

    async def watch(self, owner: str, request: film_pb2.WatchFilmRequest) -> AsyncIterator[film_pb2.FilmEvent]:
        """Events after the cursor, then new ones as they happen, until the film ends."""
        named = names.parse_film_name(request.name)
        film_id = (await self.db.get_film(owner, named)).id  # NotFound for another user's film
        cursor = max(0, request.after_sequence)
        while True:
            events = await self.db.events_after(film_id, cursor)
            for event in events:
                cursor = event.sequence
                yield event
            if not events:
                record = await self.db.get_film(owner, film_id)
                if lifecycle.is_terminal(record.state) and not await self.db.events_after(film_id, cursor):
                    return
                await self.db.wait_for_events(film_id, cursor, timeout_s=1.0)
