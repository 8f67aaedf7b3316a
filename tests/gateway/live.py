"""The fake FilmService and a real uvicorn gateway in front of it, in a background thread with its own
event loop: for the browser, schemathesis and the benchmark, which need a real HTTP port."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
import threading
from collections.abc import Iterator

import uvicorn

from filmstudio.storage import LocalStore
from gateway.app import GatewaySettings, create_app
from tests.gateway.fakes import FakeFilmService, start_fake


@dataclasses.dataclass
class Live:
    base_url: str
    grpc_addr: str
    films: FakeFilmService


@contextlib.contextmanager
def live_gateway(store: LocalStore, secret: str, step_s: float = 0.0, rate_per_s: float = 10_000,
                 burst: int = 10_000) -> Iterator[Live]:
    ready = threading.Event()
    holder: dict = {}

    async def main() -> None:
        films = FakeFilmService(step_s=step_s, store=store)
        server, grpc_addr = await start_fake(films)
        app = create_app(GatewaySettings(upstream_addr=grpc_addr, jwt_secret=secret, store=store,
                                         rate_per_s=rate_per_s, burst=burst))
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # so asyncio sets TCP_NODELAY
        sock.bind(("127.0.0.1", 0))
        http = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                                             timeout_graceful_shutdown=1))
        http.install_signal_handlers = lambda: None  # not the main thread
        holder.update(live=Live(f"http://127.0.0.1:{sock.getsockname()[1]}", grpc_addr, films), http=http)
        task = asyncio.create_task(http.serve(sockets=[sock]))
        while not http.started:
            await asyncio.sleep(0.01)
        ready.set()
        await task
        await films.close()
        await server.stop(None)

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    if not ready.wait(20):
        raise RuntimeError("live gateway did not start")
    try:
        yield holder["live"]
    finally:
        holder["http"].should_exit = True
        thread.join(10)
