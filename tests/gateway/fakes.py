"""A small in-process FilmService for the gateway's tests, benchmark and Node client until the real
orchestrator lands. It keeps the identity contract (the bearer token's subject scopes every film;
another user's film is NOT_FOUND) and plays a film's life as an event log: planning, each shot rendering then
succeeding, composing, outputs, succeeded. `step_s` spaces the events out (0: all at once)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import uuid

import grpc
import jwt
from google.protobuf import duration_pb2, empty_pb2, timestamp_pb2

from filmstudio.v1 import account_pb2, account_pb2_grpc, film_pb2, film_pb2_grpc, script_pb2, webhook_pb2

USER_KEY = "authorization"


@dataclasses.dataclass
class FakeFilm:
    film: film_pb2.Film
    owner: str
    events: list[film_pb2.FilmEvent] = dataclasses.field(default_factory=list)
    changed: asyncio.Condition = dataclasses.field(default_factory=asyncio.Condition)
    done: bool = False


def _user(context: grpc.aio.ServicerContext) -> str:
    """The subject of the call's bearer token (the fake trusts its signature; the real orchestrator
    verifies it)."""
    for key, value in context.invocation_metadata() or ():
        if key == USER_KEY and value.startswith("Bearer "):
            try:
                return jwt.decode(value.removeprefix("Bearer "), options={"verify_signature": False})["sub"]
            except (jwt.PyJWTError, KeyError):
                break
    raise PermissionError


class FakeFilmService(film_pb2_grpc.FilmServiceServicer):
    def __init__(self, step_s: float = 0.0, store=None) -> None:
        self.step_s = step_s
        self.store = store
        self.films: dict[str, FakeFilm] = {}
        self.trash: dict[str, FakeFilm] = {}  # deleted films, by name, until UndeleteFilm
        self.by_request: dict[tuple[str, str], str] = {}
        self.calls: list[tuple[str, str]] = []  # (method, user) as received
        self._tasks: set[asyncio.Task] = set()

    async def _owned(self, name: str, context) -> FakeFilm:
        user = await self._who(context)
        fake = self.films.get(name)
        if fake is None or fake.owner != user:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"film {name!r} not found")
        return fake

    async def _who(self, context) -> str:
        try:
            return _user(context)
        except PermissionError:
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, "no bearer token in the authorization metadata")

    async def ParseScript(self, request, context):
        await self._who(context)
        if not request.script.strip():
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "script is empty")
        graph = script_pb2.SceneGraph()
        return film_pb2.ParseScriptResponse(scene_graph=graph, warnings=[f"{len(_paragraphs(request.script))} shots"])

    async def CreateFilm(self, request, context):
        user = await self._who(context)
        self.calls.append(("CreateFilm", user))
        if not request.film.script.strip():
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "film.script: the script is empty")
        if request.request_id and (user, request.request_id) in self.by_request:
            return self.films[self.by_request[(user, request.request_id)]].film
        name = f"films/{request.film_id or uuid.uuid4().hex[:12]}"
        if name in self.films:
            await context.abort(grpc.StatusCode.ALREADY_EXISTS, f"{name} already exists")
        film = film_pb2.Film()
        film.CopyFrom(request.film)
        film.name, film.owner, film.state = name, f"users/{user}", film_pb2.FILM_STATE_QUEUED
        film.display_name = film.display_name or "Untitled"
        film.ClearField("cast")
        film.scene_graph.characters.add(id="char-maya", name="MAYA", description="Maya, a lighthouse keeper")
        film.create_time.GetCurrentTime()
        for i, _ in enumerate(_paragraphs(film.script)):
            film.shots.add(name=f"{name}/shots/s{i + 1}", shot_id=f"s{i + 1}", state=film_pb2.SHOT_STATE_PENDING)
        fake = FakeFilm(film, user)
        self.films[name] = fake
        if request.request_id:
            self.by_request[(user, request.request_id)] = name
        task = asyncio.get_running_loop().create_task(self._play(fake))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return film

    async def GetFilm(self, request, context):
        self.calls.append(("GetFilm", _user(context) if context.invocation_metadata() else ""))
        return (await self._owned(request.name, context)).film

    async def ListFilms(self, request, context):
        user = await self._who(context)
        films = [f.film for f in self.films.values() if f.owner == user]
        return film_pb2.ListFilmsResponse(films=films[::-1][: request.page_size or 20])

    async def WatchFilm(self, request, context):
        fake = await self._owned(request.name, context)
        next_index = max(0, request.after_sequence)
        while True:
            async with fake.changed:
                await fake.changed.wait_for(lambda: len(fake.events) > next_index or fake.done)
                batch = fake.events[next_index:]
                finished = fake.done
            for event in batch:
                yield event
            next_index += len(batch)
            if finished and next_index >= len(fake.events):
                return

    async def CancelFilm(self, request, context):
        fake = await self._owned(request.name, context)
        await self._emit(fake, state_change=film_pb2.StateChange(state=film_pb2.FILM_STATE_CANCELLED,
                                                                message="cancelled"), final=True)
        return fake.film

    async def ExportFilm(self, request, context):
        fake = await self._owned(request.name, context)
        if request.format not in film_pb2.ExportFormat.values() or not request.format:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"format {request.format} is not an export format")
        if fake.film.state != film_pb2.FILM_STATE_SUCCEEDED:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, f"film {request.name} has not succeeded")
        return film_pb2.FilmExport(uri=f"file:///fake/{request.name}/export/film", format=request.format,
                                   clip_count=len(fake.film.shots))

    async def DeleteFilm(self, request, context):
        fake = await self._owned(request.name, context)
        del self.films[fake.film.name]
        self.trash[fake.film.name] = fake
        return empty_pb2.Empty()

    async def UndeleteFilm(self, request, context):
        fake = self.trash.get(request.name)
        if fake is None or fake.owner != await self._who(context):
            await context.abort(grpc.StatusCode.NOT_FOUND, f"film {request.name!r} not found")
        self.films[request.name] = self.trash.pop(request.name)
        return fake.film

    async def RegenerateShot(self, request, context):
        film_name, _, shot_id = request.name.partition("/shots/")
        fake = await self._owned(film_name, context)
        shot = next((s for s in fake.film.shots if s.shot_id == shot_id), None)
        if shot is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"shot {request.name!r} not found")
        shot.take += 1
        shot.image_uri = await self._still(fake, shot, shot.take)
        fake.done = False
        await self._emit(fake, shot=shot, final=True)
        return fake.film

    async def ListCharacters(self, request, context):
        fake = await self._owned(request.parent, context)
        return film_pb2.ListCharactersResponse(characters=fake.film.scene_graph.characters)

    async def GetCharacter(self, request, context):
        return await self._character(request.name, context)

    async def UpdateCharacter(self, request, context):
        character = await self._character(request.name, context)
        for path in request.update_mask.paths or ("description",):
            if path not in ("description", "hair", "age"):
                await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"update_mask path {path!r} cannot be set")
            setattr(character, path, getattr(request.character, path))
        return character

    async def PreviewVoice(self, request, context):
        character = await self._character(request.name, context)
        text = request.text or f"Hello. I am {character.name}."
        return film_pb2.VoicePreview(text=text, duration=duration_pb2.Duration(seconds=1))

    async def _character(self, name: str, context) -> script_pb2.Character:
        film_name, _, character_id = name.partition("/characters/")
        fake = await self._owned(film_name, context)
        for character in fake.film.scene_graph.characters:
            if character.id == character_id:
                return character
        await context.abort(grpc.StatusCode.NOT_FOUND, f"character {name!r} not found")

    # --- the film's life ---------------------------------------------------------------------------

    async def _play(self, fake: FakeFilm) -> None:
        film = fake.film
        total = len(film.shots) + 3
        steps = 0

        async def step(**kind) -> None:
            nonlocal steps
            steps += 1
            film.progress = steps / total
            if self.step_s:
                await asyncio.sleep(self.step_s)
            if fake.done:
                raise asyncio.CancelledError
            await self._emit(fake, **kind)

        with contextlib.suppress(asyncio.CancelledError):
            await step(state_change=film_pb2.StateChange(state=film_pb2.FILM_STATE_PLANNING))
            for shot in film.shots:
                shot.state, shot.take = film_pb2.SHOT_STATE_SUCCEEDED, 1
                shot.image_uri = await self._still(fake, shot, 1)
                await step(shot=shot)
            await step(compose=_compose(len(film.shots)))
            prefix = film.name.removeprefix("films/")
            film.outputs.CopyFrom(film_pb2.FilmOutputs(
                video_uri=self._uri(f"films/{prefix}/film.mp4"), subtitles_vtt_uri=self._uri(f"films/{prefix}/film.vtt"),
                poster_uri=self._uri(f"films/{prefix}/poster.png"), duration=duration_pb2.Duration(seconds=len(film.shots))))
            film.outputs.storyboard_uri = film.outputs.poster_uri
            await self._emit(fake, outputs=film.outputs)
            film.progress = 1.0
            await self._emit(fake, state_change=film_pb2.StateChange(state=film_pb2.FILM_STATE_SUCCEEDED), final=True)

    def _uri(self, key: str) -> str:
        return self.store.uri(key) if self.store is not None else f"file:///fake/{key}"

    async def _still(self, fake: FakeFilm, shot: film_pb2.ShotRender, take: int) -> str:
        key = f"films/{fake.film.name.removeprefix('films/')}/{shot.shot_id}-take{take}.png"
        if self.store is None:
            return self._uri(key)
        return await self.store.put(key, _png(take), "image/png")

    async def _emit(self, fake: FakeFilm, final: bool = False, **kind) -> None:
        if "state_change" in kind:
            fake.film.state = kind["state_change"].state
        event = film_pb2.FilmEvent(sequence=len(fake.events) + 1, film=fake.film.name, progress=fake.film.progress,
                                   create_time=timestamp_pb2.Timestamp(), **kind)
        event.create_time.GetCurrentTime()
        async with fake.changed:
            fake.events.append(event)
            fake.done = fake.done or final
            fake.changed.notify_all()

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()


def _compose(shots: int):
    from filmstudio.v1 import composer_pb2
    return composer_pb2.ComposeProgress(frames_done=shots * 24, frames_total=shots * 24)


def _paragraphs(script: str) -> list[str]:
    return [p for p in script.split("\n\n") if p.strip()][:8] or [script]


def _png(take: int) -> bytes:
    from PIL import Image
    image = Image.new("RGB", (64, 36), ((70 * take) % 256, 90, 160))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class FakeAccountService(account_pb2_grpc.AccountServiceServicer):
    """Each caller's account with a fixed balance, and personal API tokens and webhooks kept in memory."""

    def __init__(self) -> None:
        self.tokens: dict[str, list[account_pb2.ApiToken]] = {}
        self.webhooks: dict[str, list[webhook_pb2.Webhook]] = {}

    async def GetAccount(self, request, context):
        user = _user(context)
        return account_pb2.Account(name=f"accounts/{user}", display_name=user, balance_seconds=3600,
                                   monthly_grant_seconds=3600)

    async def ListLedgerEntries(self, request, context):
        _user(context)
        return account_pb2.ListLedgerEntriesResponse()

    async def CreateApiToken(self, request, context):
        token = account_pb2.ApiToken(name=f"account/tokens/{uuid.uuid4().hex[:16]}",
                                     display_name=request.display_name)
        self.tokens.setdefault(_user(context), []).append(token)
        return account_pb2.CreateApiTokenResponse(token=token, secret="not-a-real-token")

    async def ListApiTokens(self, request, context):
        return account_pb2.ListApiTokensResponse(tokens=self.tokens.get(_user(context), []))

    async def DeleteApiToken(self, request, context):
        mine = self.tokens.get(_user(context), [])
        for token in mine:
            if token.name == request.name:
                mine.remove(token)
                return empty_pb2.Empty()
        await context.abort(grpc.StatusCode.NOT_FOUND, f"no personal API token {request.name}")

    async def CreateWebhook(self, request, context):
        if not request.webhook.url.startswith(("https://", "http://")):
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"webhook url {request.webhook.url[:60]!r} is not https")
        hook = webhook_pb2.Webhook(name=f"account/webhooks/w{uuid.uuid4().hex[:16]}", url=request.webhook.url,
                                   description=request.webhook.description,
                                   health=webhook_pb2.WEBHOOK_HEALTH_HEALTHY)
        self.webhooks.setdefault(_user(context), []).append(hook)
        return webhook_pb2.CreateWebhookResponse(webhook=hook, secret="whsec_bm90LWEtcmVhbC1zZWNyZXQ=")

    async def ListWebhooks(self, request, context):
        return webhook_pb2.ListWebhooksResponse(webhooks=self.webhooks.get(_user(context), []))

    async def DeleteWebhook(self, request, context):
        mine = self.webhooks.get(_user(context), [])
        for hook in mine:
            if hook.name == request.name:
                mine.remove(hook)
                return empty_pb2.Empty()
        await context.abort(grpc.StatusCode.NOT_FOUND, f"webhook {request.name} not found")

    async def TestWebhook(self, request, context):
        await self._known_webhook(request.name, context)
        return webhook_pb2.WebhookDelivery(name=f"{request.name}/deliveries/msg_{uuid.uuid4().hex}",
                                           event_type=webhook_pb2.WEBHOOK_EVENT_TYPE_TEST,
                                           state=webhook_pb2.WEBHOOK_DELIVERY_STATE_PENDING)

    async def ListWebhookDeliveries(self, request, context):
        await self._known_webhook(request.parent, context)
        return webhook_pb2.ListWebhookDeliveriesResponse()

    async def _known_webhook(self, name: str, context) -> None:
        if not any(hook.name == name for hook in self.webhooks.get(_user(context), [])):
            await context.abort(grpc.StatusCode.NOT_FOUND, f"webhook {name} not found")


async def start_fake(service: FakeFilmService, addr: str = "127.0.0.1:0") -> tuple[grpc.aio.Server, str]:
    """Serve the fake (and a fake AccountService) on addr (port 0: any free port); returns the server
    and "host:port"."""
    server = grpc.aio.server()
    film_pb2_grpc.add_FilmServiceServicer_to_server(service, server)
    account_pb2_grpc.add_AccountServiceServicer_to_server(FakeAccountService(), server)
    port = server.add_insecure_port(addr)
    await server.start()
    return server, f"{addr.rpartition(':')[0]}:{port}"
