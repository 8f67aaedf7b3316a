"""Load through the real mesh: a realistic mix of requests through the REST edge and, the same mix,
straight to the orchestrator over gRPC; what each service spends per request, and so how many
processes 100 req/s needs; 50 films in flight at once; GetFilm and ListFilms over a million films
in PostgreSQL.

    .venv/bin/python bench/load.py [--users 10] [--films-per-user 5] [--concurrency 8] [--seconds 20]
                                   [--requests 20000] [--pg-films 1000000] [--pg-budget-s 180] [--skip-pg]

Everything is on loopback and bounded: each mix by --seconds and --requests, the films by
--films-timeout-s, the PostgreSQL load by --pg-budget-s.

1. The mesh: `filmstudio up` (Triton, composer, orchestrator on SQLite, one gateway) on free ports
   under a temporary directory, the gateway's per-user rate limit lifted (a few bench users send
   thousands of requests). This process, a second one, is every client.
2. Films in flight: --users users each create --films-per-user 5 s films at once (50 by default;
   the quota allows 8 in flight per user) and watch every one over SSE to its end.
3. The mix, closed loop, --concurrency clients, random users and their films (MIX): GetFilm,
   ListFilms, a file (poster, storyboard, subtitles, or the video's first 256 KiB as a player asks),
   WatchFilm replaying a finished film's log to its end, and CreateFilm (at most --mix-creates per
   run; they render while the mix goes on, as they would). Over REST, then over gRPC (no files
   there: the gateway serves them). Each service's CPU time is read from /proc before and after:
   requests per CPU-second is what one process of it serves (one event loop, one core), so
   100 x CPU-seconds per request is how many of its processes 100 req/s needs at full use.
4. PostgreSQL: a throwaway schema (migrated like a real database), 10,000 users and --pg-films
   films bulk-loaded with generate_series (skewed: the heaviest user has ~5% of them, the median
   one ~50 per million), four shots each; GetFilm and ListFilms (first page, and one 2,000 films
   deep through its page token) through the orchestrator's own read path (orchestrator.films.Films,
   what the servicer calls; no gRPC), and EXPLAIN of the page query; then the schema is dropped.
   100,000 films first; the rest only if loading them fits --pg-budget-s.

The gateway runs FILMSTUDIO_GATEWAY_WORKERS worker processes (one when unset), as production would.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import datetime
import os
import pathlib
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCRIPT = """INT. LIGHTHOUSE - NIGHT

Rain hammers the glass. The lamp turns.

MARA
Somebody has to keep it burning.

A ship's horn, far out. Mara climbs the stairs.

EXT. CLIFF - DAWN

The storm is gone. A small boat rows toward the shore.
"""
FILM_SECONDS = 5  # the shortest film there is (filmstudio.settings.MIN_SECONDS)
# The mix: relative weights of each request. Reads dominate, as they do for people watching films.
MIX = {"get": 45, "list": 20, "file": 15, "watch": 15, "create": 5}
POSTGRES_URL = os.environ.get("FILMSTUDIO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
PG_USERS = 10_000
PG_FIRST_STEP = 100_000


# --- who the bench is: the one place that knows how callers authenticate --------------------------

@dataclasses.dataclass(frozen=True)
class Caller:
    user: str
    headers: dict[str, str]  # REST
    metadata: tuple[tuple[str, str], ...]  # gRPC


async def sign_in(user: str, env: dict[str, str]) -> Caller:
    """A caller for `user`: a token from `filmstudio token`, as a bearer header for the gateway and
    as `authorization` metadata for the orchestrator (which verifies it itself)."""
    minted = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mesh.cli", "token", "--subject", user, "--ttl", "3600",
        env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE)
    token = (await minted.communicate())[0].decode().strip()
    if minted.returncode != 0 or not token:
        raise SystemExit(f"filmstudio token --subject {user} failed")
    bearer = f"Bearer {token}"
    return Caller(user, {"Authorization": bearer}, (("authorization", bearer),))


# --- what the mesh's processes spend -----------------------------------------------------------------

def mesh_processes(data_dir: pathlib.Path) -> dict[int, str]:
    """pid -> service (`python -m <service>`, or the program's name) of every process of this mesh."""
    marker = f"FILMSTUDIO_DATA_DIR={data_dir}".encode()
    found = {}
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            argv = [a.decode() for a in (entry / "cmdline").read_bytes().split(b"\0") if a]
        except OSError:
            continue
        module = argv[argv.index("-m") + 1] if "-m" in argv[:-1] else pathlib.Path(argv[0]).name if argv else "?"
        found[int(entry.name)] = {"mesh.cli": "supervisor"}.get(module, module)
    return found


def cpu_seconds(pids: dict[int, str]) -> collections.Counter:
    """CPU seconds (user + system) each service's processes have used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    used: collections.Counter = collections.Counter()
    for pid, service in pids.items():
        try:
            fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[service] += (int(fields[11]) + int(fields[12])) / tick
    return used


# --- results -----------------------------------------------------------------------------------------

def p50_p99(samples: list[float]) -> str:
    if not samples:
        return "no samples"
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered) * 1e3:7.2f} ms  p99 {p99 * 1e3:7.2f} ms"


@dataclasses.dataclass
class Tally:
    """Each request's latency by kind, and each failure by kind and reason."""

    seconds: dict[str, list[float]] = dataclasses.field(default_factory=lambda: collections.defaultdict(list))
    errors: collections.Counter = dataclasses.field(default_factory=collections.Counter)

    @property
    def count(self) -> int:
        return sum(map(len, self.seconds.values())) + sum(self.errors.values())


class Refused(Exception):
    """A request answered with an error status; the message is the status."""


# --- the requests, over REST and over gRPC -------------------------------------------------------

@dataclasses.dataclass
class Corpus:
    """What the mix reads: each user's finished films, and the gateway URLs of their files."""

    films: dict[str, list[str]]  # user -> film names
    files: dict[str, list[str]]  # user -> /v1/files/... URLs
    created: list[tuple[Caller, str]] = dataclasses.field(default_factory=list)  # by the mix's creates


def create_body() -> dict:
    """A new film; its own seed, so its shots are rendered, not found in the asset cache."""
    return {"script": SCRIPT, "settings": {"targetDuration": f"{FILM_SECONDS}s", "seed": secrets.randbelow(2**31)}}


class Rest:
    """The mix's requests through the gateway (aiohttp: a lean client)."""

    def __init__(self, session, corpus: Corpus) -> None:
        self.http = session
        self.corpus = corpus

    async def _ok(self, reply) -> None:
        if reply.status >= 300:
            raise Refused(f"HTTP {reply.status}")

    async def get(self, caller: Caller, rng: random.Random) -> None:
        async with self.http.get(f"/v1/{rng.choice(self.corpus.films[caller.user])}", headers=caller.headers) as r:
            await self._ok(r)
            await r.read()

    async def list(self, caller: Caller, rng: random.Random) -> None:
        async with self.http.get("/v1/films", params={"page_size": "10"}, headers=caller.headers) as r:
            await self._ok(r)
            await r.read()

    async def file(self, caller: Caller, rng: random.Random) -> None:
        url = rng.choice(self.corpus.files[caller.user])
        headers = {**caller.headers, **({"Range": "bytes=0-262143"} if url.endswith(".mp4") else {})}
        async with self.http.get(url, headers=headers) as r:
            await self._ok(r)
            await r.read()

    async def watch(self, caller: Caller, rng: random.Random) -> None:
        path = f"/v1/{rng.choice(self.corpus.films[caller.user])}:watch"
        async with self.http.get(path, headers={**caller.headers, "Accept": "text/event-stream"}) as r:
            await self._ok(r)
            events = 0
            async for line in r.content:
                if line.startswith(b"event: error"):
                    raise Refused("SSE error event")
                events += line.startswith(b"id: ")
            if not events:
                raise Refused("SSE stream with no events")

    async def create(self, caller: Caller, rng: random.Random) -> None:
        async with self.http.post("/v1/films", json=create_body(), headers=caller.headers) as r:
            await self._ok(r)
            self.corpus.created.append((caller, (await r.json())["name"]))


class Grpc:
    """The same requests straight to the orchestrator (no files: the gateway serves those)."""

    def __init__(self, stub, corpus: Corpus) -> None:
        self.stub = stub
        self.corpus = corpus

    async def _call(self, call: Awaitable):
        import grpc

        try:
            return await call
        except grpc.aio.AioRpcError as exc:
            raise Refused(f"gRPC {exc.code().name}") from None

    async def get(self, caller: Caller, rng: random.Random) -> None:
        from filmstudio.v1 import film_pb2

        request = film_pb2.GetFilmRequest(name=rng.choice(self.corpus.films[caller.user]))
        await self._call(self.stub.GetFilm(request, metadata=caller.metadata))

    async def list(self, caller: Caller, rng: random.Random) -> None:
        from filmstudio.v1 import film_pb2

        await self._call(self.stub.ListFilms(film_pb2.ListFilmsRequest(page_size=10), metadata=caller.metadata))

    async def watch(self, caller: Caller, rng: random.Random) -> None:
        import grpc

        from filmstudio.v1 import film_pb2

        request = film_pb2.WatchFilmRequest(name=rng.choice(self.corpus.films[caller.user]))
        try:
            if not [event async for event in self.stub.WatchFilm(request, metadata=caller.metadata)]:
                raise Refused("WatchFilm with no events")
        except grpc.aio.AioRpcError as exc:
            raise Refused(f"gRPC {exc.code().name}") from None

    async def create(self, caller: Caller, rng: random.Random) -> None:
        from google.protobuf import duration_pb2

        from filmstudio.v1 import film_pb2

        settings = film_pb2.FilmSettings(target_duration=duration_pb2.Duration(seconds=FILM_SECONDS),
                                         seed=secrets.randbelow(2**31))
        request = film_pb2.CreateFilmRequest(film=film_pb2.Film(script=SCRIPT, settings=settings))
        film = await self._call(self.stub.CreateFilm(request, metadata=caller.metadata))
        self.corpus.created.append((caller, film.name))


async def run_mix(client, kinds: dict[str, int], callers: list[Caller], args: argparse.Namespace) -> Tally:
    """--concurrency clients, each sending one request after another (kind by weight, a random user)
    until --seconds have passed or --requests were sent; creates stop after --mix-creates."""
    tally = Tally()
    names, weights = list(kinds), list(kinds.values())
    deadline = time.monotonic() + args.seconds
    sent = creates = 0

    async def one_client(seed: int) -> None:
        nonlocal sent, creates
        rng = random.Random(seed)
        while time.monotonic() < deadline and sent < args.requests:
            sent += 1
            kind = rng.choices(names, weights)[0]
            if kind == "create":
                creates += 1
                if creates > args.mix_creates:
                    kind = "get"
            caller = rng.choice(callers)
            started = time.perf_counter()
            try:
                await getattr(client, kind)(caller, rng)
            except Refused as exc:
                tally.errors[(kind, str(exc))] += 1
            except Exception as exc:  # a broken connection, a timeout: counted, not fatal
                tally.errors[(kind, type(exc).__name__)] += 1
            else:
                tally.seconds[kind].append(time.perf_counter() - started)

    await asyncio.gather(*(one_client(seed) for seed in range(args.concurrency)))
    return tally


def report_mix(label: str, tally: Tally, wall_s: float, cpu: collections.Counter, through: tuple[str, ...]) -> None:
    ok = sum(map(len, tally.seconds.values()))
    print(f"[{label}] {tally.count} requests in {wall_s:.1f} s: {tally.count / wall_s:.0f} req/s, "
          f"{sum(tally.errors.values())} errors; all {p50_p99([s for v in tally.seconds.values() for s in v])}")
    for kind, samples in sorted(tally.seconds.items(), key=lambda item: -len(item[1])):
        print(f"[{label}]   {kind:7} x{len(samples):<6} {p50_p99(samples)}")
    for (kind, reason), count in tally.errors.most_common():
        print(f"[{label}]   error   {kind}: {reason} x{count}")
    busy = ", ".join(f"{service} {seconds:.1f}" for service, seconds in cpu.most_common() if seconds >= 0.05)
    print(f"[{label}]   CPU seconds: {busy} (of {wall_s * os.cpu_count():.0f} on {os.cpu_count()} cores)")
    for service in through:
        if cpu[service] > 0 and ok:
            per_core = tally.count / cpu[service]
            print(f"[{label}]   {service}: {per_core:.0f} req/s per core; 100 req/s of this mix needs "
                  f"{100 / per_core:.2f} {service} processes at full use")


# --- phases ----------------------------------------------------------------------------------------

async def films_in_flight(http, callers: list[Caller], per_user: int, timeout_s: float) -> Corpus:
    """Every user creates `per_user` films at once; all are watched over SSE to their end."""
    import aiohttp

    started = time.perf_counter()

    async def create(caller: Caller) -> str:
        async with http.post("/v1/films", json=create_body(), headers=caller.headers) as reply:
            if reply.status != 200:
                raise SystemExit(f"CreateFilm for {caller.user}: HTTP {reply.status} {await reply.text()}")
            return (await reply.json())["name"]

    names = await asyncio.gather(*(create(c) for c in callers for _ in range(per_user)))
    owners = [c for c in callers for _ in range(per_user)]
    created_s = time.perf_counter() - started
    done_at: list[float] = []

    async def follow(caller: Caller, name: str) -> dict:
        async with http.get(f"/v1/{name}:watch", headers={**caller.headers, "Accept": "text/event-stream"},
                            timeout=aiohttp.ClientTimeout(total=timeout_s)) as reply:
            async for _ in reply.content:
                pass
        done_at.append(time.perf_counter() - started)
        async with http.get(f"/v1/{name}", headers=caller.headers) as reply:
            return await reply.json()

    followed = [asyncio.ensure_future(follow(c, n)) for c, n in zip(owners, names)]
    finished, late = await asyncio.wait(followed, timeout=timeout_s)
    for task in late:
        task.cancel()
    films = [task.result() for task in finished if task.exception() is None]
    succeeded = [f for f in films if f.get("state") == "FILM_STATE_SUCCEEDED"]
    print(f"[films in flight] {len(names)} films ({len(callers)} users x {per_user}, {FILM_SECONDS} s each) created "
          f"in {created_s:.2f} s; {len(succeeded)}/{len(names)} SUCCEEDED, the last after "
          f"{max(done_at, default=0):.1f} s (first {min(done_at, default=0):.1f} s); "
          f"{len(late)} still running at the {timeout_s:.0f} s limit", flush=True)
    if not succeeded:
        raise SystemExit("no film finished: nothing for the mix to read")
    corpus = Corpus(films=collections.defaultdict(list), files=collections.defaultdict(list))
    for film in succeeded:
        user = film["owner"].removeprefix("users/")
        corpus.films[user].append(film["name"])
        corpus.files[user] += [url for url in film.get("outputs", {}).values()
                               if isinstance(url, str) and url.startswith("/v1/files/")]
    return corpus


async def wait_for(stub, created: list[tuple[Caller, str]], timeout_s: float) -> int:
    """Wait (bounded) for the films the mix created to end, so the next phase does not render them."""
    from filmstudio.v1 import film_pb2

    deadline = time.monotonic() + timeout_s
    pending = list(created)
    while pending and time.monotonic() < deadline:
        caller, name = pending[0]
        film = await stub.GetFilm(film_pb2.GetFilmRequest(name=name), metadata=caller.metadata)
        if film.state in (film_pb2.FILM_STATE_SUCCEEDED, film_pb2.FILM_STATE_FAILED, film_pb2.FILM_STATE_CANCELLED):
            pending.pop(0)
        else:
            await asyncio.sleep(0.5)
    return len(pending)


async def measure_mesh(args: argparse.Namespace, mesh) -> None:
    import aiohttp
    import grpc

    from filmstudio.v1 import film_pb2_grpc

    data_dir = mesh.config.data_dir
    callers = list(await asyncio.gather(*(sign_in(f"load-{i:02d}", mesh.env) for i in range(args.users))))
    base_url = f"http://{mesh.config.gateway_addr}"
    connector = aiohttp.TCPConnector(limit=args.concurrency + len(callers) * args.films_per_user + 10)
    async with aiohttp.ClientSession(base_url, connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as http, \
            grpc.aio.insecure_channel(mesh.config.orchestrator_addr) as channel:
        stub = film_pb2_grpc.FilmServiceStub(channel)
        corpus = await films_in_flight(http, callers, args.films_per_user, args.films_timeout_s)
        readers = [c for c in callers if corpus.films.get(c.user)]
        over = {"REST mix": (Rest(http, corpus), MIX, ("gateway", "orchestrator")),
                "gRPC mix": (Grpc(stub, corpus), {k: w for k, w in MIX.items() if k != "file"}, ("orchestrator",))}
        for label, (client, kinds, through) in over.items():
            pids = mesh_processes(data_dir)
            before, mine, t0 = cpu_seconds(pids), os.times(), time.perf_counter()
            tally = await run_mix(client, kinds, readers, args)
            wall_s = time.perf_counter() - t0
            cpu = cpu_seconds(pids) - before
            cpu["the bench client"] = sum(os.times()[:2]) - sum(mine[:2])
            report_mix(label, tally, wall_s, cpu, through)
            left = await wait_for(stub, corpus.created, args.films_timeout_s)
            if corpus.created:
                print(f"[{label}]   {len(corpus.created)} films created by the mix (rendered meanwhile: "
                      f"their work is in the CPU above); {left} still running after waiting", flush=True)
            corpus.created.clear()


# --- PostgreSQL at scale ---------------------------------------------------------------------------

def _page_sql() -> str:
    """The orchestrator's keyset page query (FilmRows._PAGE_AFTER) as PostgreSQL text with :names."""
    from sqlalchemy.dialects import postgresql

    from orchestrator.db.films import FilmRows

    return str(FilmRows._PAGE_AFTER.compile(dialect=postgresql.dialect(paramstyle="named")))


async def bulk_load(conn, first: int, end: int, rows: dict) -> None:
    """Films first..end-1 (and four shots each) by generate_series: owners skewed by a cube (the
    first users have the most films), one creation per second, finished, with a real scene graph."""
    await conn.execute("SELECT setseed($1)", first / 10**7)
    await conn.execute("""
        INSERT INTO films (id, owner, display_name, state, progress, script, settings, scene_graph, outputs,
                           error_code, error_message, cancel_requested, attempts, seconds, last_sequence,
                           created_at, updated_at)
        SELECT 'f' || lpad(to_hex(g), 12, '0'), 'u' || lpad(floor($3 * power(random(), 3))::int::text, 5, '0'),
               '', $4, 1.0, $5, $6, $7, $8, 0, '', false, 1, $9, 24,
               $10::timestamptz + g * interval '1 second', $10::timestamptz + g * interval '1 second'
        FROM generate_series($1::bigint, $2::bigint - 1) AS g""",
        first, end, PG_USERS, rows["state"], SCRIPT, rows["settings"], rows["scene_graph"], rows["outputs"],
        float(FILM_SECONDS), rows["epoch"])
    await conn.execute("""
        INSERT INTO shots (film_id, shot_id, position, state, take, image_key, audio_key, line_seconds, cached,
                           error, updated_at)
        SELECT 'f' || lpad(to_hex(g), 12, '0'), 'sc1-sh' || p, p, $3, 1,
               'assets/' || md5(g::text || p) || '.png', 'assets/' || md5(p || g::text) || '.wav', '[1.5]', false,
               '', $4::timestamptz + g * interval '1 second'
        FROM generate_series($1::bigint, $2::bigint - 1) AS g, generate_series(0, 3) AS p""",
        first, end, rows["shot_state"], rows["epoch"])


async def measure_postgres(args: argparse.Namespace) -> None:
    import asyncpg

    from filmstudio.settings import normalize
    from filmstudio.storage import LocalStore
    from filmstudio.v1 import film_pb2
    from orchestrator.db import Database, async_url
    from orchestrator.films import Films
    from orchestrator.script import parse_script

    schema = f"bench_load_{secrets.token_hex(4)}"
    dsn = async_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    settings = normalize(film_pb2.FilmSettings())
    epoch = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    rows = {"state": film_pb2.FILM_STATE_SUCCEEDED, "shot_state": film_pb2.SHOT_STATE_SUCCEEDED, "epoch": epoch,
            "settings": settings.SerializeToString(),
            "scene_graph": parse_script(SCRIPT, settings).scene_graph.SerializeToString(),
            "outputs": film_pb2.FilmOutputs(video_uri="file:///store/films/f/film.mp4",
                                            poster_uri="file:///store/films/f/poster.jpg").SerializeToString()}
    db = Database(POSTGRES_URL, schema=schema)
    conn = None
    try:
        await db.migrate()
        conn = await asyncpg.connect(dsn, server_settings={"search_path": schema})
        await conn.execute("INSERT INTO users (id, created_at) SELECT 'u' || lpad(g::text, 5, '0'), $1 "
                           "FROM generate_series(0, $2 - 1) AS g", epoch, PG_USERS)
        films = Films(db, LocalStore(pathlib.Path(tempfile.mkdtemp(prefix="bench-load-store-"))), None, None)
        loaded, load_s = 0, 0.0
        for target in sorted({min(PG_FIRST_STEP, args.pg_films), args.pg_films}):
            if loaded and load_s / loaded * (target - loaded) > args.pg_budget_s:
                print(f"[postgres] not loading {target:,} films: at {load_s / loaded * 1e5:.0f} s per 100,000 the "
                      f"rest would take ~{load_s / loaded * (target - loaded):.0f} s (--pg-budget-s "
                      f"{args.pg_budget_s:.0f})", flush=True)
                break
            t0 = time.perf_counter()
            for first in range(loaded, target, PG_FIRST_STEP):
                await bulk_load(conn, first, min(first + PG_FIRST_STEP, target), rows)
            await conn.execute("ANALYZE")
            load_s += time.perf_counter() - t0
            loaded = target
            size = await conn.fetchval("SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) FROM pg_class c "
                                       "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1", schema)
            print(f"[postgres] {loaded:,} films of {PG_USERS:,} users ({loaded * 4:,} shots) loaded in {load_s:.0f} s "
                  f"in all; {size} with indexes", flush=True)
            await measure_reads(conn, films, loaded, args.pg_calls)
    finally:
        if conn is not None:
            await conn.close()
        await db.close()
        cleanup = await asyncpg.connect(dsn)
        try:
            await cleanup.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await cleanup.close()
        print(f"[postgres] schema {schema} dropped", flush=True)


async def measure_reads(conn, films, loaded: int, calls: int) -> None:
    """GetFilm and ListFilms (first page, and one 2,000 films deep) for the heaviest and the median user."""
    from filmstudio.v1 import film_pb2
    from orchestrator.paging import encode_page_token

    counts = await conn.fetch("SELECT owner, count(*) AS n FROM films GROUP BY owner ORDER BY n DESC")
    for label, owner in (("heaviest user", counts[0]["owner"]), ("median user", counts[len(counts) // 2]["owner"])):
        count = next(r["n"] for r in counts if r["owner"] == owner)
        sample = [r["id"] for r in await conn.fetch(
            "SELECT id FROM films WHERE owner = $1 ORDER BY random() LIMIT 200", owner)]
        deep = min(2000, count - 1)
        last = await conn.fetchrow("SELECT created_at, id FROM films WHERE owner = $1 "
                                   "ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1", owner, deep - 1)
        token = encode_page_token(last["created_at"], last["id"])
        cases: dict[str, Callable[[], Awaitable]] = {
            "GetFilm": lambda: films.get(owner, f"films/{random.choice(sample)}"),
            "ListFilms, first page of 20": lambda: films.list(owner, film_pb2.ListFilmsRequest(page_size=20)),
            f"ListFilms, 20 after {deep:,}": lambda: films.list(
                owner, film_pb2.ListFilmsRequest(page_size=20, page_token=token)),
        }
        print(f"[postgres {loaded:,}] {label} {owner}: {count:,} films")
        for case, call in cases.items():
            samples = []
            for i in range(calls + 20):
                t0 = time.perf_counter()
                await call()
                if i >= 20:
                    samples.append(time.perf_counter() - t0)
            print(f"[postgres {loaded:,}]   {case:30} {p50_p99(samples)}", flush=True)
        plan = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + _page_sql().replace(":owner", "$1")
                                .replace(":created_at", "$2").replace(":after_id", "$3").replace(":limit", "$4"),
                                owner, last["created_at"], last["id"], 21)
        lines = [r[0].strip().lstrip("->").strip() for r in plan]
        scan = next((line.split("  (")[0] for line in lines if "Scan" in line), "?")
        print(f"[postgres {loaded:,}]   EXPLAIN the deep page: {scan}, "
              f"{next((line for line in lines if 'Index Cond' in line), 'no index condition')}; "
              f"{next((line for line in lines if line.startswith('Buffers')), '')}; {lines[-1]}", flush=True)


# --- main ------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--films-per-user", type=int, default=5, help="films in flight = users x this (quota: 8)")
    parser.add_argument("--films-timeout-s", type=float, default=240)
    parser.add_argument("--concurrency", type=int, default=8, help="clients sending requests one after another")
    parser.add_argument("--seconds", type=float, default=20, help="each mix runs this long at most")
    parser.add_argument("--requests", type=int, default=20_000, help="each mix sends at most this many")
    parser.add_argument("--mix-creates", type=int, default=10, help="films a mix may create")
    parser.add_argument("--pg-films", type=int, default=1_000_000)
    parser.add_argument("--pg-budget-s", type=float, default=180, help="load past 100,000 films only if it fits")
    parser.add_argument("--pg-calls", type=int, default=300, help="calls per PostgreSQL read measured")
    parser.add_argument("--skip-mesh", action="store_true")
    parser.add_argument("--skip-pg", action="store_true")
    args = parser.parse_args()
    workers = os.environ.get("FILMSTUDIO_GATEWAY_WORKERS", "1")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {workers} gateway worker "
          "process(es) (FILMSTUDIO_GATEWAY_WORKERS)", flush=True)
    if not args.skip_mesh:
        from tests.conftest import start_mesh, stop_mesh

        with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
            t0 = time.perf_counter()
            # Synchronous, before our event loop starts; the per-user rate limit lifted.
            mesh = start_mesh(pathlib.Path(tmp) / "mesh", FILMSTUDIO_GATEWAY_RATE_PER_S="1000000",
                              FILMSTUDIO_GATEWAY_BURST="1000000")
            services = sorted(set(mesh_processes(mesh.config.data_dir).values()))
            print(f"[mesh] up in {time.perf_counter() - t0:.1f} s: {', '.join(services)}", flush=True)
            try:
                asyncio.run(measure_mesh(args, mesh))
            finally:
                stop_mesh(mesh)
    if not args.skip_pg:
        asyncio.run(measure_postgres(args))
    print(f"load average {os.getloadavg()[0]:.2f} at the end", flush=True)


if __name__ == "__main__":
    main()
