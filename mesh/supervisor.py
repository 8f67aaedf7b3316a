"""Run the whole mesh on one machine: Triton (inference), composer, orchestrator, gateway.

The supervisor starts each service as its own process, waits for it to answer its health check,
and then watches them: a crashed child is reported and restarted with backoff; stop() (Ctrl-C in
`filmstudio up`) ends them all in reverse order. Children are tied to the supervisor with
PR_SET_PDEATHSIG, so even a supervisor killed with SIGKILL leaves no orphans.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import pathlib
import signal
import sys
from collections.abc import Awaitable, Callable

from filmstudio import health
from filmstudio.auth import development_secret
from filmstudio.config import Config
from filmstudio.health import http_ok
from filmstudio.process import die_with_parent

log = logging.getLogger(__name__)

ROOT = pathlib.Path(__file__).resolve().parent.parent
def local_config(config: Config) -> Config:
    """The configuration of a mesh run on this machine: with no token key configured (neither
    FILMSTUDIO_JWT_SECRET nor FILMSTUDIO_JWKS_URL), the random development key under the data
    directory, made on first use, so every service and `filmstudio token` share it."""
    if config.jwt_secret or config.jwks_url:
        return config
    return dataclasses.replace(config, jwt_secret=development_secret(config.data_dir))


@dataclasses.dataclass
class ServiceSpec:
    """One service of the mesh: how to start it and how to tell it is ready."""

    name: str
    module: str  # run as `python -m <module>`
    ready: Callable[[], Awaitable[bool]]
    start_timeout_s: float = 60.0


def mesh_services(config: Config, with_gateway: bool = True) -> list[ServiceSpec]:
    """The services in start order (each may depend on the ones before it)."""
    specs = [
        ServiceSpec("inference", "inference", lambda: _serving(config.triton_addr), start_timeout_s=180.0),
        ServiceSpec("composer", "composer", lambda: _serving(config.composer_addr)),
        ServiceSpec("orchestrator", "orchestrator", lambda: _serving(config.orchestrator_addr)),
    ]
    if with_gateway:
        specs.append(ServiceSpec("gateway", "gateway", lambda: http_ok(config.gateway_addr)))
    return specs


async def _serving(addr: str) -> bool:
    return await health.check(addr) == "SERVING"


class ServiceFailed(RuntimeError):
    """A service could not start; the message is its own one-line reason."""


class Child:
    """One supervised process."""

    def __init__(self, spec: ServiceSpec, env: dict[str, str], log_dir: pathlib.Path | None) -> None:
        self.spec = spec
        self.env = env
        self.log_dir = log_dir
        self.process: asyncio.subprocess.Process | None = None
        self.restarts = 0
        self._stderr_tail: list[str] = []
        self._pump: asyncio.Task | None = None

    async def spawn(self) -> None:
        self._stderr_tail = []
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", self.spec.module,
            cwd=ROOT, env=self.env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
            preexec_fn=die_with_parent, start_new_session=True,
        )
        self._pump = asyncio.create_task(self._pump_stderr())

    async def _pump_stderr(self) -> None:
        """Keep the last lines for error reports; copy everything to the log file or our stderr."""
        assert self.process and self.process.stderr
        sink = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            sink = open(self.log_dir / f"{self.spec.name}.log", "ab")
        try:
            async for line in self.process.stderr:
                text = line.decode(errors="replace").rstrip()
                self._stderr_tail = (self._stderr_tail + [text])[-20:]
                if sink is not None:
                    sink.write(line)
                    sink.flush()
                else:
                    sys.stderr.write(f"[{self.spec.name}] {text}\n")
        finally:
            if sink is not None:
                sink.close()

    def last_words(self) -> str:
        for line in reversed(self._stderr_tail):
            if line.strip():
                return line.strip()
        return "no output"

    async def wait_ready(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.spec.start_timeout_s
        while loop.time() < deadline:
            assert self.process
            if self.process.returncode is not None:
                await self._drain()
                raise ServiceFailed(f"{self.spec.name} exited with status {self.process.returncode}: {self.last_words()}")
            if await self.spec.ready():
                return
            await asyncio.sleep(0.25)
        raise ServiceFailed(f"{self.spec.name} did not become ready within {self.spec.start_timeout_s:.0f} s: "
                            f"{self.last_words()}")

    async def _drain(self) -> None:
        if self._pump is not None:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self._pump), 2.0)

    async def stop(self, timeout_s: float = 10.0) -> None:
        process = self.process
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout_s)
        except asyncio.TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
        await self._drain()


class Supervisor:
    """Starts the mesh, restarts crashed children, stops everything on request."""

    def __init__(self, config: Config, specs: list[ServiceSpec] | None = None,
                 log_dir: pathlib.Path | None = None, report: Callable[[str], None] = print) -> None:
        self.config = config = local_config(config)
        self.specs = specs if specs is not None else mesh_services(config)
        env = {**os.environ, **config.environ(), "PYTHONUNBUFFERED": "1"}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))
        self.children = [Child(spec, env, log_dir) for spec in self.specs]
        self.report = report
        self._stopping = False

    async def start(self) -> None:
        """Start every service in order and wait until each is ready; on failure stop the rest and raise."""
        self.config.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            for child in self.children:
                await child.spawn()
                await child.wait_ready()
                self.report(f"{child.spec.name} ready (pid {child.process.pid})")
        except BaseException:
            await self.stop()
            raise

    async def watch(self) -> None:
        """Restart children that exit, with backoff, until stop() is called."""
        while not self._stopping:
            for child in self.children:
                process = child.process
                if process is None or process.returncode is None or self._stopping:
                    continue
                child.restarts += 1
                delay = min(30.0, 0.5 * 2 ** min(child.restarts, 6))
                self.report(f"{child.spec.name} exited with status {process.returncode} ({child.last_words()}); "
                            f"restarting in {delay:.1f} s")
                await asyncio.sleep(delay)
                if self._stopping:
                    return
                await child.spawn()
                try:
                    await child.wait_ready()
                    self.report(f"{child.spec.name} restarted (pid {child.process.pid})")
                except ServiceFailed as exc:
                    self.report(str(exc))
            await asyncio.sleep(0.5)

    async def stop(self) -> None:
        self._stopping = True
        for child in reversed(self.children):
            await child.stop()
