"""What the database hands back: plain frozen dataclasses, and their API messages.

Shots keep object-store *keys* (content hashes, shared between films); URIs are made from keys by a
function the caller passes (normally `ObjectStore.uri`), so the database never knows the store.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable

from google.protobuf import timestamp_pb2
from google.rpc import status_pb2

from filmstudio.names import film_name, shot_name
from filmstudio.v1 import film_pb2, script_pb2


def same_key(key: str) -> str:
    """The default key-to-URI mapping: the key itself."""
    return key


def timestamp(value: datetime.datetime) -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(value)
    return ts


@dataclasses.dataclass(frozen=True)
class ShotRecord:
    """One planned shot's durable render record (one row of `shots`)."""

    film_id: str
    shot_id: str
    position: int
    state: int  # film_pb2.ShotState
    take: int
    seed_override: int | None
    prompt_override: str | None
    image_key: str | None
    audio_key: str | None
    # Each line's true length in seconds, recorded when the shot is voiced (None before; () if silent).
    line_seconds: tuple[float, ...] | None
    cached: bool
    error: str
    lease_owner: str | None
    lease_expires_at: datetime.datetime | None
    updated_at: datetime.datetime
    motion_key: str | None = None  # the shot's animatic rig or generated clip (Shot.motion); None for a camera move

    def to_proto(self, object_uri: Callable[[str], str] = same_key, film_public_id: str = "") -> film_pb2.ShotRender:
        """The API message, named after its film's public id (FilmRecord.public_id; its internal film_id
        when not given); image_uri/audio_uri are `object_uri(key)`, empty where there is no key."""
        return film_pb2.ShotRender(
            name=shot_name(film_public_id or self.film_id, self.shot_id),
            shot_id=self.shot_id,
            state=self.state,
            image_uri=object_uri(self.image_key) if self.image_key else "",
            audio_uri=object_uri(self.audio_key) if self.audio_key else "",
            motion_uri=object_uri(self.motion_key) if self.motion_key else "",
            take=self.take,
            cached=self.cached,
            error=self.error,
        )


@dataclasses.dataclass(frozen=True)
class FilmRecord:
    """One film row, with its protobuf columns parsed."""

    id: str  # internal: the film's rows, events, lease and stored files
    public_id: str  # in its resource name, unique per owner (the same as id unless the caller chose it)
    owner: str
    request_id: str
    display_name: str
    state: int  # film_pb2.FilmState
    progress: float
    script: str
    settings: film_pb2.FilmSettings
    scene_graph: script_pb2.SceneGraph | None
    outputs: film_pb2.FilmOutputs | None
    error_code: int  # google.rpc.Code; 0 when there is no error
    error_message: str
    cancel_requested: bool
    attempts: int
    not_before: datetime.datetime | None
    lease_owner: str | None
    lease_expires_at: datetime.datetime | None
    seconds: float
    last_sequence: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    # When DeleteFilm moved the film to the trash; None for a film not in it.
    deleted_at: datetime.datetime | None = None
    # The film's shots in film order, read in the same snapshot as the film (get_film and list_films
    # with_shots=True); None when the record was read without them.
    shots: tuple[ShotRecord, ...] | None = None
    # True only on the record create_film returns when it made the film (False on an idempotent replay).
    created: bool = False
    # The W3C traceparent of the CreateFilm call that made the film; "" when it was made outside a trace.
    traceparent: str = ""

    @property
    def name(self) -> str:
        return film_name(self.public_id)

    @property
    def error(self) -> status_pb2.Status | None:
        if not self.error_code and not self.error_message:
            return None
        return status_pb2.Status(code=self.error_code, message=self.error_message)

    def to_proto(self, object_uri: Callable[[str], str] = same_key,
                 trash_retention: datetime.timedelta | None = None) -> film_pb2.Film:
        """The API message; Film.shots are the record's shots (none when it was read without them).
        A film in the trash has its delete_time and, given how long the trash keeps films, its purge_time."""
        film = film_pb2.Film(
            name=self.name,
            display_name=self.display_name,
            state=self.state,
            progress=self.progress,
            script=self.script,
            settings=self.settings,
            shots=[shot.to_proto(object_uri, self.public_id) for shot in self.shots or ()],
            create_time=timestamp(self.created_at),
            update_time=timestamp(self.updated_at),
            owner=f"users/{self.owner}",
        )
        if self.scene_graph is not None:
            film.scene_graph.CopyFrom(self.scene_graph)
            for character in film.scene_graph.characters:  # stored as keys, like the shots' media
                if character.portrait_uri:
                    character.portrait_uri = object_uri(character.portrait_uri)
        if self.outputs is not None:
            film.outputs.CopyFrom(self.outputs)
        if self.error is not None:
            film.error.CopyFrom(self.error)
        if self.deleted_at is not None:
            film.delete_time.CopyFrom(timestamp(self.deleted_at))
            if trash_retention is not None:
                film.purge_time.CopyFrom(timestamp(self.deleted_at + trash_retention))
        return film
