"""A film's cast sheet: FilmService.ListCharacters, GetCharacter, UpdateCharacter and PreviewVoice.

The cast lives in the film's scene graph (SceneGraph.characters). Changing a character re-plans the
script with the new cast, so every prompt that names them says the new words, and sends back to
rendering exactly the shots whose picture or voices changed (orchestrator.takes.changed_shots):
the cache keys of every other shot are untouched, so nothing else is paid for again."""

from __future__ import annotations

import hashlib
import io
import logging
from typing import TYPE_CHECKING

from PIL import Image, UnidentifiedImageError

from google.protobuf import duration_pb2

from filmstudio import names, wav
from filmstudio.errors import Aborted, FailedPrecondition, InvalidArgument, NotFound
from filmstudio.storage import ObjectStore
from filmstudio.v1 import film_pb2, script_pb2
from orchestrator import takes
from orchestrator.db import Database, FilmRecord
from orchestrator.triton import TritonClient
from orchestrator.script import cast as casting, parse_script

if TYPE_CHECKING:
    from orchestrator.worker import Worker

log = logging.getLogger(__name__)

MAX_PORTRAIT_BYTES = 10 * 1024 * 1024
PORTRAIT_FORMATS = ("PNG", "JPEG", "WEBP")
MAX_PORTRAIT_PIXELS = 40_000_000  # a larger image is refused before it is decoded
PORTRAIT_SIDE = 1024  # an uploaded portrait is stored at most this wide and high
PORTRAIT_MODEL, PORTRAIT_VERSION = "upload", "1"
RETRIES = 3  # updates that lose a race with another update of the same film read again
MAX_PREVIEW_CHARS = 200  # a voice preview is a line, not a speech


def read_portrait(data: bytes) -> bytes:
    """An uploaded portrait as the PNG the studio keeps (RGB, at most PORTRAIT_SIDE on its long side);
    InvalidArgument saying what is wrong with one that is not a usable image."""
    if len(data) > MAX_PORTRAIT_BYTES:
        raise InvalidArgument(f"portrait_image is {len(data) / 2**20:.1f} MB; the limit is "
                              f"{MAX_PORTRAIT_BYTES // 2**20} MB")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in PORTRAIT_FORMATS:
                raise InvalidArgument(f"portrait_image is {image.format}; use {', '.join(PORTRAIT_FORMATS)}")
            if image.width * image.height > MAX_PORTRAIT_PIXELS:
                raise InvalidArgument(f"portrait_image is {image.width}x{image.height}; at most "
                                      f"{MAX_PORTRAIT_PIXELS // 1_000_000} megapixels")
            image.load()
            picture = image.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidArgument(f"portrait_image is not a PNG, JPEG or WebP image ({exc})") from None
    picture.thumbnail((PORTRAIT_SIDE, PORTRAIT_SIDE))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def portrait_key(png: bytes) -> str:
    digest = hashlib.sha256(png).hexdigest()
    return f"assets/portrait/{digest[:2]}/{digest}.png"


def _mask_fields(request: film_pb2.UpdateCharacterRequest) -> list[str]:
    """The fields to set: the mask's paths, checked, or every settable field the request gives."""
    paths = list(request.update_mask.paths)
    if not paths:
        return casting.given_fields(request.character)
    for path in paths:
        field = path.split(".", 1)[0]
        if field not in casting.SETTABLE:
            raise InvalidArgument(f"update_mask path {path!r} cannot be set; settable: {', '.join(casting.SETTABLE)}")
    return list(dict.fromkeys(path.split(".", 1)[0] for path in paths))


class Characters:
    """The cast operations for one orchestrator process."""

    def __init__(self, db: Database, store: ObjectStore, worker: "Worker", triton: TritonClient | None = None) -> None:
        self.db = db
        self.store = store
        self.worker = worker
        self.triton = triton  # for voice previews

    def to_proto(self, character: script_pb2.Character) -> script_pb2.Character:
        """The API's character: its portrait's store key as a URI."""
        out = script_pb2.Character()
        out.CopyFrom(character)
        if out.portrait_uri:
            out.portrait_uri = self.store.uri(out.portrait_uri)
        return out

    async def _cast(self, owner: str, film_id: str) -> tuple[FilmRecord, script_pb2.SceneGraph]:
        record = await self.db.get_film(owner, film_id)
        if record.scene_graph is None:
            raise FailedPrecondition(f"film {names.film_name(film_id)} has no cast yet: it is not planned")
        return record, record.scene_graph

    async def list(self, owner: str, parent: str) -> film_pb2.ListCharactersResponse:
        _, graph = await self._cast(owner, names.parse_film_name(parent))
        return film_pb2.ListCharactersResponse(characters=[self.to_proto(c) for c in graph.characters])

    async def get(self, owner: str, name: str) -> script_pb2.Character:
        film_id, character_id = names.parse_character_name(name)
        _, graph = await self._cast(owner, film_id)
        return self.to_proto(_character(graph, film_id, character_id))

    async def update(self, owner: str, request: film_pb2.UpdateCharacterRequest) -> script_pb2.Character:
        film_id, character_id = names.parse_character_name(request.name)
        fields = _mask_fields(request)
        given = request.character
        portrait = None
        if request.portrait_image:
            if request.clear_portrait:
                raise InvalidArgument("give portrait_image or clear_portrait, not both")
            portrait = read_portrait(request.portrait_image)
        for _ in range(RETRIES):
            record, graph = await self._cast(owner, film_id)
            current = _character(graph, film_id, character_id)
            if given.id and given.id != current.id or given.name and given.name.casefold() != current.name.casefold():
                raise InvalidArgument(f"character names {given.name or given.id!r}, but the request is for "
                                      f"{request.name} ({current.name}); a character's name cannot be changed")
            updated = casting.apply(current, given, fields, "character")
            if portrait is not None:
                key = portrait_key(portrait)
                if not await self.store.exists(key):
                    await self.store.put(key, portrait, "image/png")
                await self.db.record_asset(key, "portrait", PORTRAIT_MODEL, PORTRAIT_VERSION, len(portrait),
                                           record.id)
                updated.portrait_uri, updated.portrait_uploaded = key, True
            elif request.clear_portrait:
                updated.portrait_uri, updated.portrait_uploaded = "", False
            if updated == current:
                return self.to_proto(current)
            cast = [updated if c.id == current.id else c for c in graph.characters]
            replanned = parse_script(record.script, record.settings, characters=cast).scene_graph
            takes.complete_plan(record.settings, replanned)
            before_ids = [shot.id for _, shot in takes.shots_in_order(graph)]
            if [shot.id for _, shot in takes.shots_in_order(replanned)] != before_ids:
                raise FailedPrecondition(f"this change re-cuts film {names.film_name(film_id)} into other shots "
                                         "(the voice's pace moves the plan); make a new film with the cast override")
            shot_ids = takes.changed_shots(graph, replanned)
            try:
                await self.db.recast(owner, film_id, record.updated_at, replanned, shot_ids)
            except Aborted:
                continue
            log.info("recast %s in %s: %d of %d shots to render again", current.id, record.name,
                     len(shot_ids), len(before_ids))
            self.worker.wake.set()
            return self.to_proto(_character(replanned, film_id, character_id))
        raise Aborted(f"the cast of film {names.film_name(film_id)} kept changing; retry")

    async def preview_voice(self, owner: str, request: film_pb2.PreviewVoiceRequest) -> film_pb2.VoicePreview:
        """The character's voice saying the text asked for, or their first line, or a greeting; stored
        by its content (voice and words), so asking again costs nothing."""
        film_id, character_id = names.parse_character_name(request.name)
        _, graph = await self._cast(owner, film_id)
        character = _character(graph, film_id, character_id)
        text = " ".join(request.text.split()) or _first_line(graph, character) or f"Hello. I am {character.name.title()}."
        if len(text) > MAX_PREVIEW_CHARS:
            raise InvalidArgument(f"text is {len(text)} characters; a preview says at most {MAX_PREVIEW_CHARS}")
        if self.triton is None:
            raise FailedPrecondition("this orchestrator has no voice model to preview with")
        digest = hashlib.sha256(character.voice.SerializeToString(deterministic=True) + b"\0" + text.encode()).hexdigest()
        key = f"assets/voice-preview/{digest[:2]}/{digest}.wav"
        speech = None
        if not await self.store.exists(key):
            speech = await self.triton.speak(text, character.voice)
            await self.store.put(key, wav.encode(speech.samples, speech.sample_rate), "audio/wav")
        seconds = speech.duration_s if speech is not None else _wav_seconds(await self.store.get(key))
        length = duration_pb2.Duration()
        length.FromNanoseconds(round(seconds * 1e9))
        return film_pb2.VoicePreview(audio_uri=self.store.uri(key), text=text, duration=length)


def _first_line(graph: script_pb2.SceneGraph, character: script_pb2.Character) -> str:
    for _, shot in takes.shots_in_order(graph):
        for line in shot.dialogue:
            if line.character_id == character.id and line.text.strip():
                return " ".join(line.text.split())[:MAX_PREVIEW_CHARS]
    return ""


def _wav_seconds(data: bytes) -> float:
    samples, rate = wav.decode(data)
    return samples.shape[0] / rate


def _character(graph: script_pb2.SceneGraph, film_id: str, character_id: str) -> script_pb2.Character:
    for character in graph.characters:
        if character.id == character_id:
            return character
    raise NotFound(f"character {names.character_name(film_id, character_id)} not found")
