"""Gateway benchmark: GetFilm and ListFilms p50/p99 through REST against direct gRPC (the baseline) in
the same run, and N concurrent SSE watchers on one gateway process, each of which must receive every event.

    .venv/bin/python bench/gateway.py [--upstream mesh|fake|both] [--requests 2000] [--page 10] [--watchers 500]

mesh (the figure that counts): the real mesh (`filmstudio up`: Triton, composer, orchestrator) on
free ports under a temporary directory, and a gateway process started the way `python -m gateway`
starts (gateway.__main__.serve) but with the per-user rate limit lifted, since one benchmark user
sends thousands of requests. GetFilm reads a finished film (scene graph, shots, outputs) from the
orchestrator's database; ListFilms a page of the user's films (that one, and films cancelled while
queued, each with its scene graph); the watchers follow a real film being rendered.

fake: the in-process fake FilmService (tests/gateway/fakes.py) behind the same gateway in one child
process. Its GetFilm costs next to nothing, so its ratio is the gateway's overhead at its most visible.

This process is the client of every path, requests interleaved one at a time: grpc.aio for gRPC, and
for REST aiohttp (a lean client, so the figure is mostly the gateway's cost) and httpx (whose own
overhead is ~0.5 ms a request on this machine; printed for comparison).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import pathlib
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

USER = "bench"
FAKE_SECRET = "bench-secret-of-at-least-thirty-two-bytes"
SCRIPT = """INT. LIGHTHOUSE - NIGHT

Rain hammers the glass. The lamp turns.

MARA
Somebody has to keep it burning.

A ship's horn, far out. Mara climbs the stairs.

EXT. CLIFF - DAWN

The storm is gone. A small boat rows toward the shore.
"""


# --- children: the servers under test -------------------------------------------------------------

def serve_mesh_gateway() -> None:
    """Child: the gateway in front of the mesh in FILMSTUDIO_* (from the environment), no rate limit."""
    from filmstudio.config import Config
    from gateway.__main__ import bind, serve
    from tests.conftest import free_port
    from gateway.app import GatewaySettings, create_app

    settings = dataclasses.replace(GatewaySettings.from_config(Config.from_env()), rate_per_s=1e9, burst=10**9)
    sock = bind(f"127.0.0.1:{free_port()}")
    print(json.dumps({"base_url": f"http://127.0.0.1:{sock.getsockname()[1]}", "pid": os.getpid()}), flush=True)
    try:
        serve(create_app(settings), sock, "WARNING")
    except KeyboardInterrupt:  # uvicorn re-raises the SIGINT that stopped it
        pass


def serve_fake(step_s: float) -> None:
    """Child: the fake FilmService and a gateway; print their addresses; stop when stdin closes."""
    from filmstudio.storage import LocalStore
    from tests.gateway.live import live_gateway

    with tempfile.TemporaryDirectory() as tmp, \
            live_gateway(LocalStore(pathlib.Path(tmp)), FAKE_SECRET, step_s=step_s) as live:
        print(json.dumps({"base_url": live.base_url, "grpc_addr": live.grpc_addr, "pid": os.getpid()}), flush=True)
        sys.stdin.read()


# --- measurements ------------------------------------------------------------------------------------

def rss_kib(pid: int) -> int:
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def latency(label: str, base_url: str, grpc_addr: str, film_name: str, token: str, requests: int,
                  page_size: int) -> None:
    """GetFilm and ListFilms (a page of `page_size`), each interleaved over gRPC and REST (two HTTP
    clients); prints p50/p99 and the REST/gRPC ratios."""
    import aiohttp
    import grpc
    import httpx

    from grpc_health.v1 import health_pb2, health_pb2_grpc

    from tests.conftest import as_user
    from filmstudio.v1 import film_pb2, film_pb2_grpc

    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(base_url, headers=headers) as aio, \
            httpx.AsyncClient(base_url=base_url, headers=headers) as http, \
            grpc.aio.insecure_channel(grpc_addr) as channel:
        stub, health = film_pb2_grpc.FilmServiceStub(channel), health_pb2_grpc.HealthStub(channel)
        metadata = as_user(USER)
        get, page = film_pb2.GetFilmRequest(name=film_name), film_pb2.ListFilmsRequest(page_size=page_size)
        rpcs = {
            "GetFilm": (lambda: stub.GetFilm(get, metadata=metadata), f"/v1/{film_name}"),
            f"ListFilms, page of {page_size}": (lambda: stub.ListFilms(page, metadata=metadata),
                                                f"/v1/films?page_size={page_size}"),
        }
        for rpc, (call_grpc, path) in rpcs.items():

            async def over_grpc() -> None:
                await call_grpc()

            async def floor() -> None:  # the same server answering with no work: what any RPC costs now
                await health.Check(health_pb2.HealthCheckRequest())

            async def over_aiohttp() -> None:
                async with aio.get(path) as reply:
                    assert reply.status == 200, await reply.text()
                    await reply.read()

            async def over_httpx() -> None:
                reply = await http.get(path)
                assert reply.status_code == 200, reply.text

            paths = {"gRPC": over_grpc, "aiohttp": over_aiohttp, "httpx": over_httpx, "floor": floor}
            samples: dict[str, list[float]] = {name: [] for name in paths}
            for i in range(200 + requests):  # 200 to warm up; interleaved, so drift hits every path alike
                for name, call in paths.items():
                    t0 = time.perf_counter()
                    await call()
                    if i >= 200:
                        samples[name].append(time.perf_counter() - t0)
            size = len((await http.get(path)).content)
            g50, g99 = percentiles(samples["gRPC"])
            print(f"[{label}] {rpc} x{requests} ({size} B of JSON)")
            f50, f99 = percentiles(samples["floor"])
            print(f"[{label}]   {'gRPC Health.Check (floor):':31} p50 {f50 * 1e3:.3f} ms  p99 {f99 * 1e3:.3f} ms")
            print(f"[{label}]   {'direct gRPC (baseline):':31} p50 {g50 * 1e3:.3f} ms  p99 {g99 * 1e3:.3f} ms")
            for name, client in (("aiohttp", "REST, aiohttp client"), ("httpx", "REST, httpx client")):
                r50, r99 = percentiles(samples[name])
                print(f"[{label}]   {client + ':':31} p50 {r50 * 1e3:.3f} ms  p99 {r99 * 1e3:.3f} ms  "
                      f"-> REST/gRPC p50 {r50 / g50:.2f}x  p99 {r99 / g99:.2f}x")
    print(f"[{label}]   targets: REST p50 <= 1.5x gRPC; gRPC GetFilm and ListFilms p50 <= 2 ms (real mesh)",
          flush=True)


async def watchers(label: str, base_url: str, film_name: str, token: str, count: int,
                   expected: asyncio.Future | None, pids: dict[str, int]) -> None:
    """`count` SSE streams on one film at once; each must get the whole event log, in order, once."""
    import httpx

    limits = httpx.Limits(max_connections=count + 10, max_keepalive_connections=count + 10)
    async with httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, limits=limits,
                                 timeout=httpx.Timeout(300, connect=60)) as http:
        rss_before = {name: rss_kib(pid) for name, pid in pids.items()}
        peak = dict(rss_before)
        connected = asyncio.Event()
        open_streams = 0

        async def watch() -> list[int]:
            nonlocal open_streams
            ids = []
            async with http.stream("GET", f"/v1/{film_name}:watch") as reply:
                assert reply.status_code == 200, (await reply.aread()).decode()
                open_streams += 1
                if open_streams == count:
                    connected.set()
                async for line in reply.aiter_lines():
                    if line.startswith("id: "):
                        ids.append(int(line[4:]))
                    elif line.startswith("event: error"):
                        ids.append(-1)
            return ids

        async def sample() -> None:
            while True:
                for name, pid in pids.items():
                    peak[name] = max(peak[name], rss_kib(pid))
                await asyncio.sleep(0.05)

        sampler = asyncio.create_task(sample())
        t0 = time.perf_counter()
        results = await asyncio.gather(*(watch() for _ in range(count)))
        elapsed = time.perf_counter() - t0
        sampler.cancel()
    log = await expected if expected is not None else list(range(1, len(results[0]) + 1))
    complete = sum(ids == log for ids in results)
    print(f"[{label}] {count} SSE watchers on one gateway: {complete}/{count} received every event "
          f"({len(log)} events each, in order, none twice) in {elapsed:.2f} s"
          + ("" if connected.is_set() else " (some streams never opened)"))
    for name in pids:
        grown = max(0, peak[name] - rss_before[name])
        print(f"[{label}]   {name} RSS {rss_before[name] / 1024:.1f} MiB before, {peak[name] / 1024:.1f} MiB peak: "
              f"{grown / count:.1f} KiB per watcher", flush=True)


# --- runs ----------------------------------------------------------------------------------------------

def _child(args: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.Popen, dict]:
    child = subprocess.Popen([sys.executable, __file__, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True, env=env)
    line = child.stdout.readline()
    if not line:
        child.wait(10)
        raise SystemExit(f"bench child {args} exited {child.returncode}")
    return child, json.loads(line)


def _pid_of(data_dir: pathlib.Path, module: str) -> int | None:
    """The process `filmstudio up` started for `python -m <module>` under this data dir."""
    marker = f"FILMSTUDIO_DATA_DIR={data_dir}".encode()
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if module.encode() in argv and marker in (entry / "environ").read_bytes().split(b"\0"):
                return int(entry.name)
        except OSError:
            continue
    return None


async def _make_film(addr: str, seconds: int, wait: bool, cancel: bool = False):
    """Create a film over gRPC; with wait, follow it to the end; with cancel, cancel it at once.
    Returns (name, event sequences)."""
    import grpc
    from google.protobuf import duration_pb2

    from tests.conftest import as_user
    from filmstudio.v1 import film_pb2, film_pb2_grpc

    metadata = as_user(USER)
    async with grpc.aio.insecure_channel(addr) as channel:
        stub = film_pb2_grpc.FilmServiceStub(channel)
        film = await stub.CreateFilm(film_pb2.CreateFilmRequest(film=film_pb2.Film(
            script=SCRIPT, settings=film_pb2.FilmSettings(target_duration=duration_pb2.Duration(seconds=seconds)))),
            metadata=metadata)
        if cancel:
            await stub.CancelFilm(film_pb2.CancelFilmRequest(name=film.name), metadata=metadata)
        if not wait:
            return film.name, []
        sequences = [e.sequence async for e in stub.WatchFilm(film_pb2.WatchFilmRequest(name=film.name),
                                                                metadata=metadata)]
        final = await stub.GetFilm(film_pb2.GetFilmRequest(name=film.name), metadata=metadata)
        assert final.state == film_pb2.FILM_STATE_SUCCEEDED, final.error.message
        return film.name, sequences


def run_mesh(args: argparse.Namespace) -> None:
    from tests.conftest import start_mesh, stop_mesh

    with tempfile.TemporaryDirectory(prefix="bench-gateway-") as tmp:
        t0 = time.perf_counter()
        mesh = start_mesh(pathlib.Path(tmp) / "mesh")  # synchronous: before our event loop starts
        child = None
        try:
            child, info = _child(["--serve-mesh-gateway"], env=mesh.env)
            print(f"[real mesh] up in {time.perf_counter() - t0:.1f} s; gateway {info['base_url']} (pid {info['pid']})",
                  flush=True)
            asyncio.run(_measure_mesh(args, mesh.config, info))
        finally:
            if child is not None:
                child.send_signal(signal.SIGINT)
                child.wait(15)
            stop_mesh(mesh)


async def _measure_mesh(args: argparse.Namespace, config, info: dict) -> None:
    from filmstudio.auth import mint_token

    token = mint_token(USER, config.jwt_secret, 3600)
    name, _ = await _make_film(config.orchestrator_addr, 10, wait=True)
    for _ in range(args.page - 1):  # the rest of ListFilms' page: films cancelled before any work
        await _make_film(config.orchestrator_addr, 10, wait=False, cancel=True)
    await latency("real mesh", info["base_url"], config.orchestrator_addr, name, token, args.requests, args.page)
    if args.watchers:
        crowd, _ = await _make_film(config.orchestrator_addr, args.seconds, wait=False)
        log = asyncio.ensure_future(_event_log(config.orchestrator_addr, crowd))
        pids = {"gateway": info["pid"]}
        orchestrator = _pid_of(config.data_dir, "orchestrator")
        if orchestrator:
            pids["orchestrator"] = orchestrator
        await watchers("real mesh", info["base_url"], crowd, token, args.watchers, log, pids)


async def _event_log(addr: str, name: str) -> list[int]:
    """The film's whole event log, read over gRPC once the film has ended."""
    import grpc

    from tests.conftest import as_user
    from filmstudio.v1 import film_pb2, film_pb2_grpc

    async with grpc.aio.insecure_channel(addr) as channel:
        stub = film_pb2_grpc.FilmServiceStub(channel)
        request = film_pb2.WatchFilmRequest(name=name)
        return [e.sequence async for e in stub.WatchFilm(request, metadata=as_user(USER))]


async def run_fake(args: argparse.Namespace) -> None:
    import httpx

    from filmstudio.auth import mint_token

    child, info = _child(["--serve-fake", "--step-s", str(args.step_s)])
    try:
        token = mint_token(USER, FAKE_SECRET, 3600)
        async with httpx.AsyncClient(base_url=info["base_url"], headers={"Authorization": f"Bearer {token}"}) as http:
            created = await http.post("/v1/films", json={"script": "One.\n\nTwo.\n\nThree."},
                                      params={"film_id": "latency"})
            created.raise_for_status()
            script = "\n\n".join(f"Shot {i}." for i in range(8))
            crowd = (await http.post("/v1/films", json={"script": script}, params={"film_id": "crowd"})).json()
        await latency("fake FilmService", info["base_url"], info["grpc_addr"], "films/latency", token, args.requests,
                      args.page)
        if args.watchers:
            await watchers("fake FilmService", info["base_url"], crowd["name"], token, args.watchers, None,
                           {"gateway+fake": info["pid"]})
    finally:
        child.stdin.close()
        child.wait(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upstream", choices=("mesh", "fake", "both"), default="both")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--watchers", type=int, default=500)
    parser.add_argument("--page", type=int, default=10, help="ListFilms page size (the mesh user gets that many films)")
    parser.add_argument("--seconds", type=int, default=15, help="real film watched by the crowd: target length")
    parser.add_argument("--step-s", type=float, default=0.3, help="fake film: seconds between events")
    parser.add_argument("--serve-mesh-gateway", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_mesh_gateway:
        return serve_mesh_gateway()
    if args.serve_fake:
        return serve_fake(args.step_s)
    if args.upstream in ("mesh", "both"):
        run_mesh(args)
    if args.upstream in ("fake", "both"):
        asyncio.run(run_fake(args))


if __name__ == "__main__":
    main()
