"""Fixtures shared by every test area: free ports, and a real mesh (Triton, composer, orchestrator,
gateway) started by `filmstudio up` exactly as a user starts it."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from filmstudio import health
from filmstudio.auth import bearer_metadata, mint_token
from filmstudio.config import Config
from filmstudio.health import http_ok

# Every mesh and service the tests start verifies tokens with this key (set for child processes too).
TEST_JWT_SECRET = "filmstudio-tests-only-key-of-at-least-32-bytes"
os.environ["FILMSTUDIO_JWT_SECRET"] = TEST_JWT_SECRET


def as_user(user: str, ttl_s: int = 3600) -> tuple[tuple[str, str], ...]:
    """gRPC metadata that proves `user`: a bearer token signed with the tests' key."""
    return bearer_metadata(mint_token(user, TEST_JWT_SECRET, ttl_s))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(count: int) -> list[int]:
    """`count` different free ports: each held open until all are found (one at a time, the kernel can
    hand the same port out twice; a mesh once got its composer on Triton's HTTP port)."""
    with contextlib.ExitStack() as held:
        sockets = [held.enter_context(socket.socket()) for _ in range(count)]
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]


def mesh_env(data_dir, **extra: str) -> dict[str, str]:
    """FILMSTUDIO_* variables with every port free (and all different) and all state under data_dir."""
    orchestrator, composer, triton, triton_http, triton_metrics, gateway = free_ports(6)
    return {
        "FILMSTUDIO_DATA_DIR": str(data_dir),
        "FILMSTUDIO_ORCHESTRATOR_ADDR": f"127.0.0.1:{orchestrator}",
        "FILMSTUDIO_COMPOSER_ADDR": f"127.0.0.1:{composer}",
        "FILMSTUDIO_TRITON_ADDR": f"127.0.0.1:{triton}",
        "FILMSTUDIO_TRITON_HTTP_PORT": str(triton_http),
        "FILMSTUDIO_TRITON_METRICS_PORT": str(triton_metrics),
        "FILMSTUDIO_GATEWAY_ADDR": f"127.0.0.1:{gateway}",
        "FILMSTUDIO_JWT_SECRET": TEST_JWT_SECRET,
        **extra,
    }


async def mesh_ready(config: Config, with_gateway: bool = True) -> bool:
    checks = [health.check(a) for a in (config.triton_addr, config.composer_addr, config.orchestrator_addr)]
    statuses = await asyncio.gather(*checks)
    gateway_ok = (await http_ok(config.gateway_addr)) if with_gateway else True
    return all(s == "SERVING" for s in statuses) and gateway_ok


@dataclasses.dataclass
class Mesh:
    config: Config
    env: dict[str, str]
    process: subprocess.Popen
    log_path: object


def start_mesh(data_dir, timeout_s: float = 240.0, **extra: str) -> Mesh:
    """`filmstudio up` in the background; returns once every service answers its health check."""
    env = {**os.environ, **mesh_env(data_dir, **extra)}
    config = Config.from_env(env)
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / "up.log"
    process = subprocess.Popen([sys.executable, "-m", "mesh.cli", "up"], env=env,
                               stdout=subprocess.DEVNULL, stderr=open(log_path, "wb"))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"filmstudio up exited {process.returncode}: {log_path.read_text()[-2000:]}")
        if asyncio.run(mesh_ready(config)):
            return Mesh(config, env, process, log_path)
        time.sleep(0.5)
    process.kill()
    pytest.fail(f"mesh not ready in {timeout_s:.0f} s: {log_path.read_text()[-2000:]}")


def stop_process(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout_s: float = 15) -> None:
    """Ask a process to stop with `sig`; kill it if it has not stopped after timeout_s."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def stop_mesh(mesh: Mesh) -> None:
    stop_process(mesh.process, signal.SIGINT, timeout_s=30)  # Ctrl-C, as a user stops `filmstudio up`


@pytest.fixture(scope="session")
def mesh(tmp_path_factory):
    """One real mesh for the session's end-to-end tests."""
    running = start_mesh(tmp_path_factory.mktemp("mesh"))
    yield running
    stop_mesh(running)


@pytest.fixture
def moto_endpoint():
    """An S3 endpoint: moto in server mode on a free loopback port."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    else:
        server.kill()
        pytest.fail("moto server did not start")
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(10)
