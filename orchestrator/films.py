"""What FilmService does, as plain async functions over the database, the store and the worker.
The servicer (service.py) only extracts the caller and the request and calls these."""

from __future__ import annotations

import dataclasses
import datetime
import logging
import re

from filmstudio.errors import InvalidArgument, NotFound, ResourceExhausted, Unavailable
from filmstudio.storage import ObjectStore
from filmstudio.v1 import film_pb2
from orchestrator.script import parse_script
from orchestrator.workflow import DEFAULT_BACKEND, IMAGE_BACKENDS

log = logging.getLogger(__name__)

FILM_NAME = re.compile(r"^films/([a-z0-9][a-z0-9-]{0,62})$")
SHOT_NAME = re.compile(r"^films/([a-z0-9][a-z0-9-]{0,62})/shots/([A-Za-z0-9_.-]{1,64})$")
FPS = (24, 25, 30)
# What the composer publishes under films/{film}/ (DeleteFilm removes them with the film).
FILM_OUTPUTS = ("film.mp4", "film.vtt", "film.srt", "poster.jpg", "storyboard.png")


@dataclasses.dataclass(frozen=True)
class Quotas:
    films_in_flight: int = 8  # per user
    seconds_per_day: int = 3600  # of requested film length, per user per UTC day


def film_id_of(name: str) -> str:
    match = FILM_NAME.match(name)
    if not match:
        raise InvalidArgument(f"bad film name {name!r}: expected films/{{film}}")
    return match.group(1)


def shot_of(name: str) -> tuple[str, str]:
    match = SHOT_NAME.match(name)
    if not match:
        raise InvalidArgument(f"bad shot name {name!r}: expected films/{{film}}/shots/{{shot}}")
    return match.group(1), match.group(2)


def normalized_settings(settings: film_pb2.FilmSettings) -> film_pb2.FilmSettings:
    """Defaults filled in and every field checked; out-of-range values are refused by name."""
    out = film_pb2.FilmSettings()
    out.CopyFrom(settings)
    if out.aspect_ratio not in film_pb2.AspectRatio.values():
        raise InvalidArgument(f"settings.aspect_ratio {out.aspect_ratio} is not a known aspect ratio")
    if out.resolution not in film_pb2.Resolution.values():
        raise InvalidArgument(f"settings.resolution {out.resolution} is not a known resolution")
    out.aspect_ratio = out.aspect_ratio or film_pb2.ASPECT_RATIO_LANDSCAPE
    out.resolution = out.resolution or film_pb2.RESOLUTION_720P
    out.fps = out.fps or 24
    if out.fps not in FPS:
        raise InvalidArgument(f"settings.fps {out.fps} is not one of {', '.join(map(str, FPS))}")
    if not out.HasField("target_duration"):
        out.target_duration.seconds = 60
    out.style = out.style or "cinematic"
    out.image_backend = out.image_backend or DEFAULT_BACKEND
    if out.image_backend not in IMAGE_BACKENDS:
        raise InvalidArgument(f"settings.image_backend {out.image_backend!r} is unknown; "
                              f"use one of {', '.join(IMAGE_BACKENDS)}")
    return out


def parse(script: str, settings: film_pb2.FilmSettings) -> film_pb2.ParseScriptResponse:
    parsed = parse_script(script, normalized_settings(settings))
    return film_pb2.ParseScriptResponse(scene_graph=parsed.scene_graph, warnings=parsed.warnings)


class Films:
    """The FilmService operations for one orchestrator process."""

    def __init__(self, db, store: ObjectStore, triton, worker, quotas: Quotas = Quotas()) -> None:
        self.db = db
        self.store = store
        self.triton = triton
        self.worker = worker
        self.quotas = quotas

    async def to_proto(self, record) -> film_pb2.Film:
        shots = await self.db.get_shots(record.id)
        return record.to_proto(shots, self.store.uri)

    async def create(self, owner: str, request: film_pb2.CreateFilmRequest) -> film_pb2.Film:
        film = request.film
        if not film.script.strip():
            raise InvalidArgument("film.script is empty")
        if request.film_id and not FILM_NAME.match(f"films/{request.film_id}"):
            raise InvalidArgument(f"film_id {request.film_id!r}: use 1-63 lowercase letters, digits and '-'")
        settings = normalized_settings(film.settings)
        parse_script(film.script, settings)  # refuse a bad script now, with its line and column
        if settings.image_backend != DEFAULT_BACKEND and not await self.triton.is_model_ready(settings.image_backend):
            raise Unavailable(f"image backend {settings.image_backend!r} is not loaded on Triton; "
                              f"use {DEFAULT_BACKEND!r} or start Triton with its weights")
        existing = await self.db.find_by_request_id(owner, request.request_id)
        if existing is not None:
            return await self.to_proto(existing)
        await self._check_quotas(owner, settings)
        record = await self.db.create_film(owner, film.script, settings, display_name=film.display_name,
                                           film_id=request.film_id or None, request_id=request.request_id)
        self.worker.wake.set()
        return await self.to_proto(record)

    async def _check_quotas(self, owner: str, settings: film_pb2.FilmSettings) -> None:
        active = await self.db.count_active_films(owner)
        if active >= self.quotas.films_in_flight:
            raise ResourceExhausted(f"{active} films in flight; the limit is {self.quotas.films_in_flight} per user")
        day = datetime.datetime.now(datetime.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
        used = await self.db.seconds_rendered_since(owner, day)
        wanted = settings.target_duration.seconds
        if used + wanted > self.quotas.seconds_per_day:
            raise ResourceExhausted(f"{used:.0f} s of film rendered today; {wanted} s more would pass the daily "
                                    f"limit of {self.quotas.seconds_per_day} s")

    async def get(self, owner: str, name: str) -> film_pb2.Film:
        return await self.to_proto(await self.db.get_film(owner, film_id_of(name)))

    async def list(self, owner: str, request: film_pb2.ListFilmsRequest) -> film_pb2.ListFilmsResponse:
        if request.page_size < 0:
            raise InvalidArgument("page_size must not be negative")
        page_size = min(request.page_size or 20, 100)
        records, token = await self.db.list_films(owner, page_size, request.page_token)
        return film_pb2.ListFilmsResponse(films=[await self.to_proto(r) for r in records], next_page_token=token)

    async def cancel(self, owner: str, name: str) -> film_pb2.Film:
        film_id = film_id_of(name)
        await self.db.request_cancel(owner, film_id)
        self.worker.cancel_local(film_id)
        return await self.get(owner, name)

    async def delete(self, owner: str, name: str) -> None:
        film_id = film_id_of(name)
        self.worker.cancel_local(film_id)
        orphaned = await self.db.delete_film(owner, film_id)
        for key in [*orphaned, *(f"films/{film_id}/{output}" for output in FILM_OUTPUTS)]:
            await self.store.delete(key)
        log.info("deleted films/%s and %d unshared assets", film_id, len(orphaned))

    async def regenerate(self, owner: str, request: film_pb2.RegenerateShotRequest) -> film_pb2.Film:
        film_id, shot_id = shot_of(request.name)
        seed = request.seed if request.HasField("seed") else None
        prompt = request.prompt if request.HasField("prompt") else None
        if prompt is not None and not prompt.strip():
            raise InvalidArgument("prompt is empty; leave it unset to keep the planned prompt")
        record = await self.db.reopen_for_shot(owner, film_id, shot_id, seed=seed, prompt=prompt)
        self.worker.wake.set()
        return await self.to_proto(record)

    async def watch(self, owner: str, request: film_pb2.WatchFilmRequest):
        """Events after the cursor, then new ones as they happen, until the film ends."""
        film_id = film_id_of(request.name)
        await self.db.get_film(owner, film_id)  # NotFound for another user's film
        cursor = max(0, request.after_sequence)
        while True:
            events = await self.db.events_after(film_id, cursor)
            for event in events:
                cursor = event.sequence
                yield event
            if not events:
                record = await self.db.get_film(owner, film_id)
                if _terminal(record.state) and not await self.db.events_after(film_id, cursor):
                    return
                await self.db.wait_for_events(film_id, cursor, timeout_s=1.0)


def _terminal(state: int) -> bool:
    return state in (film_pb2.FILM_STATE_SUCCEEDED, film_pb2.FILM_STATE_FAILED, film_pb2.FILM_STATE_CANCELLED)


__all__ = ["Films", "Quotas", "NotFound", "normalized_settings", "parse"]
