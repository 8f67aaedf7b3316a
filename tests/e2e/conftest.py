"""End-to-end fixtures: one real mesh (`filmstudio up`) for its Triton, and per database a stack of real
`python -m composer` + `python -m orchestrator` processes with their own data directory (store and, for
SQLite, database) so caches and inference counts never leak between stacks.

Every test that takes `stack` runs on SQLite and on PostgreSQL (skipped, saying why, when PostgreSQL at
FILMSTUDIO_TEST_POSTGRES_URL is unreachable).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid

import asyncpg
import grpc
import pytest
from google.protobuf import duration_pb2

from filmstudio import health
from filmstudio.v1 import film_pb2, film_pb2_grpc
from orchestrator.db import async_url
from tests.conftest import as_user, free_port, start_mesh, stop_mesh, stop_process

pytestmark = pytest.mark.mesh

POSTGRES_URL = os.environ.get("FILMSTUDIO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
LEASE_S = "2"  # a dead replica's film is taken over within a couple of seconds
ROOT = pathlib.Path(__file__).resolve().parents[2]

# A short film: two scenes, three shots, two voices. Its {tag} makes a script no other test renders.
SHORT = """Title: {title}

INT. KITCHEN - MORNING

ANA pours coffee into two cups marked {tag}. Steam rises in the sun.

ANA
Good morning, {tag}.

EXT. GARDEN - DAY

TOMAS waters the roses by the {tag} sign and looks up at the sky.

TOMAS
It will rain tonight.
"""


def short_script(tag: str, stack: "Stack | None" = None) -> str:
    """A two-scene script about `tag`. Given its stack, the script is that stack's own: the stacks of a
    module share the mesh's content-addressed store, so the same script would find another stack's
    images there."""
    if stack is not None:
        tag = f"{tag}-{stack.database}"
    return SHORT.format(title=f"Morning {tag}", tag=tag)


def settings(seconds: int = 8, **fields) -> film_pb2.FilmSettings:
    return film_pb2.FilmSettings(target_duration=duration_pb2.Duration(seconds=seconds), **fields)


# --- processes -------------------------------------------------------------------------------------

@dataclasses.dataclass
class Service:
    """One service process we started (composer or orchestrator)."""

    name: str
    addr: str
    env: dict[str, str]
    process: subprocess.Popen
    log_path: pathlib.Path

    def stop(self) -> None:
        stop_process(self.process)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def serving(addr: str) -> bool:
    """The health check, callable from sync code and from inside a running event loop alike."""
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, health.check(addr)).result() == "SERVING"


def start_service(module: str, env: dict[str, str], addr: str, log_path: pathlib.Path,
                  wait: bool = True) -> Service:
    """`python -m <module>` with env; returns once its health check says SERVING (unless wait=False)."""
    env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", module], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=open(log_path, "ab"))
    service = Service(module, addr, env, process, log_path)
    deadline = time.monotonic() + 60
    while wait:
        if process.poll() is not None:
            pytest.fail(f"{module} exited {process.returncode}: {log_path.read_text()[-2000:]}")
        if serving(addr):
            break
        if time.monotonic() > deadline:
            service.kill()
            pytest.fail(f"{module} not serving on {addr} in 60 s: {log_path.read_text()[-2000:]}")
        time.sleep(0.2)
    return service


@dataclasses.dataclass
class Stack:
    """A composer and orchestrator replicas sharing one database and one store, on the mesh's Triton."""

    database: str  # "sqlite" or "postgresql"
    data_dir: pathlib.Path
    env: dict[str, str]  # FILMSTUDIO_* for this stack's processes
    triton_http: str
    triton_metrics: str
    composer: Service | None = None
    replicas: list[Service] = dataclasses.field(default_factory=list)

    @property
    def addr(self) -> str:
        return self.replicas[0].addr

    @property
    def store_dir(self) -> pathlib.Path:
        """The local store's directory (for a stack on S3, where it would be were it local)."""
        url = urllib.parse.urlparse(self.env["FILMSTUDIO_STORE_URL"])
        return pathlib.Path(urllib.parse.unquote(url.path)) if url.scheme == "file" else self.data_dir / "store"

    def start_composer(self, addr: str | None = None, wait: bool = True) -> Service:
        addr = addr or self.env["FILMSTUDIO_COMPOSER_ADDR"]
        self.composer = start_service("composer", {**self.env, "FILMSTUDIO_COMPOSER_ADDR": addr}, addr,
                                      self.data_dir / "composer.log", wait)
        return self.composer

    def start_replica(self, **extra: str) -> Service:
        addr = f"127.0.0.1:{free_port()}"
        n = len(self.replicas)
        replica = start_service("orchestrator", {**self.env, **extra, "FILMSTUDIO_ORCHESTRATOR_ADDR": addr}, addr,
                                self.data_dir / f"orchestrator-{n}.log")
        self.replicas.append(replica)
        return replica

    def stop(self) -> None:
        for service in [*self.replicas, self.composer]:
            if service is not None:
                service.stop()


async def postgres_database() -> tuple[str, str] | str:
    """(url, name) of a fresh PostgreSQL database, or the reason PostgreSQL is unusable."""
    dsn = async_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        conn = await asyncpg.connect(dsn, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"PostgreSQL at {POSTGRES_URL} is unreachable ({type(exc).__name__}: {exc})"
    name = f"e2e_{uuid.uuid4().hex[:12]}"
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = async_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    return url, name


async def drop_postgres_database(name: str) -> None:
    dsn = async_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn, timeout=3)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def make_stack(mesh, data_dir: pathlib.Path, database: str, **env: str) -> tuple[Stack, str | None]:
    """A stack's settings (nothing started yet) and the PostgreSQL database to drop afterwards. Its
    object store is the mesh's, which the mesh's Triton writes its results to (inference.results)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    pg_name = None
    stack_env = {
        "FILMSTUDIO_DATA_DIR": str(data_dir),
        "FILMSTUDIO_STORE_URL": mesh.config.store_url,
        "FILMSTUDIO_DATABASE_URL": f"sqlite+aiosqlite:///{data_dir / 'filmstudio.db'}",
        "FILMSTUDIO_TRITON_ADDR": mesh.config.triton_addr,
        "FILMSTUDIO_COMPOSER_ADDR": f"127.0.0.1:{free_port()}",
        "FILMSTUDIO_METRICS_PORT": "0",
        "FILMSTUDIO_LEASE_S": LEASE_S,
        **env,
    }
    if database == "postgresql":
        found = asyncio.run(postgres_database())
        if isinstance(found, str):
            pytest.skip(found)
        stack_env["FILMSTUDIO_DATABASE_URL"], pg_name = found
    triton_http = f"http://127.0.0.1:{mesh.config.triton_http_port}"
    triton_metrics = f"http://127.0.0.1:{mesh.config.triton_metrics_port}/metrics"
    return Stack(database, data_dir, stack_env, triton_http, triton_metrics), pg_name


def close_stack(stack: Stack, pg_name: str | None) -> None:
    stack.stop()
    if pg_name:
        asyncio.run(drop_postgres_database(pg_name))


@pytest.fixture(scope="session")
def triton_mesh(tmp_path_factory):
    """The real mesh (`filmstudio up`); the e2e stacks use its Triton (storyboard + tts)."""
    running = start_mesh(tmp_path_factory.mktemp("e2e-mesh"))
    yield running
    stop_mesh(running)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(request, triton_mesh, tmp_path_factory):
    """A composer and one orchestrator replica on SQLite, then on PostgreSQL."""
    stack, pg_name = make_stack(triton_mesh, tmp_path_factory.mktemp(f"e2e-{request.param}"), request.param)
    try:
        stack.start_composer()
        stack.start_replica()
        yield stack
    finally:
        close_stack(stack, pg_name)


# --- clients ---------------------------------------------------------------------------------------

class Client:
    """A FilmService client speaking for one user."""

    def __init__(self, addr: str, user: str) -> None:
        self.channel = grpc.aio.insecure_channel(addr)
        self.films = film_pb2_grpc.FilmServiceStub(self.channel)
        self.metadata = as_user(user)

    async def __aenter__(self) -> "Client":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.channel.close()

    async def create(self, script: str, film_settings: film_pb2.FilmSettings | None = None, request_id: str = "",
                     **film_fields) -> film_pb2.Film:
        film = film_pb2.Film(script=script, settings=film_settings or settings(), **film_fields)
        return await self.films.CreateFilm(film_pb2.CreateFilmRequest(film=film, request_id=request_id),
                                           metadata=self.metadata, timeout=30)

    async def get(self, name: str) -> film_pb2.Film:
        return await self.films.GetFilm(film_pb2.GetFilmRequest(name=name), metadata=self.metadata, timeout=30)

    async def events(self, name: str, after: int = 0, limit: int | None = None) -> list[film_pb2.FilmEvent]:
        """The film's events after the cursor until it ends (or `limit` of them), as WatchFilm streams them."""
        got = []
        call = self.films.WatchFilm(film_pb2.WatchFilmRequest(name=name, after_sequence=after),
                                    metadata=self.metadata, timeout=240)
        async for event in call:
            got.append(event)
            if limit is not None and len(got) >= limit:
                call.cancel()
                break
        return got

    async def finish(self, name: str, after: int = 0) -> tuple[film_pb2.Film, list[film_pb2.FilmEvent]]:
        """Watch the film to its end; the final film and the events seen."""
        events = await self.events(name, after)
        return await self.get(name), events

    async def render(self, script: str, film_settings: film_pb2.FilmSettings | None = None,
                     **fields) -> tuple[film_pb2.Film, list[film_pb2.FilmEvent]]:
        film = await self.create(script, film_settings, **fields)
        return await self.finish(film.name)


def succeeded(film: film_pb2.Film) -> bool:
    return film.state == film_pb2.FILM_STATE_SUCCEEDED


def describe(film: film_pb2.Film) -> str:
    return f"{film.name} {film_pb2.FilmState.Name(film.state)}: {film.error.message}"


def shot_events(events: list[film_pb2.FilmEvent], state: int = film_pb2.SHOT_STATE_SUCCEEDED) -> list[film_pb2.ShotRender]:
    return [e.shot for e in events if e.WhichOneof("kind") == "shot" and e.shot.state == state]


def states(events: list[film_pb2.FilmEvent]) -> list[int]:
    return [e.state_change.state for e in events if e.WhichOneof("kind") == "state_change"]


def inference_counts(triton_http: str) -> dict[str, int]:
    """Requests each model has run so far (not those Triton answered from its response cache), from
    Triton's statistics API."""
    with urllib.request.urlopen(f"{triton_http}/v2/models/stats", timeout=10) as reply:
        stats = json.load(reply)
    return {m["name"]: int(m["inference_stats"]["success"]["count"]) - int(m["inference_stats"]["cache_hit"]["count"])
            for m in stats["model_stats"]}


def made_counts(triton_metrics: str, quiet_s: float = 1.0, timeout_s: float = 60.0) -> dict[str, int]:
    """Results each model has made so far (images drawn, lines spoken: what the models count themselves,
    inference.backend.MadeCounter), once the counts have not moved for `quiet_s`. Triton's own
    statistics also count the requests a model skipped because their caller had gone."""

    def read() -> dict[str, int]:
        with urllib.request.urlopen(triton_metrics, timeout=10) as reply:
            text = reply.read().decode()
        return {model: int(float(value)) for model, value in
                re.findall(r'^filmstudio_results_made\{model="([^"]+)"\} (\S+)$', text, re.MULTILINE)}

    counts, deadline = read(), time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        time.sleep(quiet_s)
        now = read()
        if now == counts:
            return now
        counts = now
    raise AssertionError(f"Triton's counts at {triton_metrics} did not settle within {timeout_s:.0f} s: {counts}")


def idle_inference_counts(triton_http: str, quiet_s: float = 1.0, timeout_s: float = 60.0) -> dict[str, int]:
    """inference_counts once Triton is idle: unchanged for `quiet_s`. Triton is shared by the session,
    and requests an earlier test's killed or cancelled films left in its queue still run (and count)
    after that test ends; a count taken as a test's baseline must not include them."""
    counts, deadline = inference_counts(triton_http), time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        time.sleep(quiet_s)
        now = inference_counts(triton_http)
        if now == counts:
            return now
        counts = now
    raise AssertionError(f"Triton at {triton_http} did not fall idle within {timeout_s:.0f} s: {counts}")


def store_files(stack: Stack, kind: str) -> set[str]:
    """Keys of the content-addressed assets of one kind (image, voice, voice-track) in a local store."""
    root = stack.store_dir / "assets" / kind
    # A dot-file is a write in progress (LocalStore writes to ".name.xxxx" and renames): not an object.
    # A replica killed mid-write can leave one behind.
    return {str(p.relative_to(stack.store_dir)) for p in root.rglob("*")
            if p.is_file() and not p.name.startswith(".")} if root.exists() else set()
