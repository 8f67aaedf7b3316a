"""`filmstudio up`: every service SERVING, crashed children restarted, no orphans, one-line failures."""

from __future__ import annotations

import asyncio
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from filmstudio import health
from tests.conftest import mesh_env, start_mesh, stop_mesh

pytestmark = pytest.mark.mesh


def processes_of(data_dir: pathlib.Path) -> list[int]:
    """Pids of live processes started for this data dir (they all inherit FILMSTUDIO_DATA_DIR)."""
    marker = f"FILMSTUDIO_DATA_DIR={data_dir}".encode()
    found = []
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                status = (entry / "status").read_text()
                if "\nState:\tZ" not in status:
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def wait_until(predicate, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def ready_pids(log_path: pathlib.Path) -> dict[str, int]:
    return {name: int(pid) for name, pid in re.findall(r"(\w+) (?:ready|restarted) \(pid (\d+)\)", log_path.read_text())}


def test_every_service_answers_health_serving(mesh):
    config = mesh.config
    for addr in (config.triton_addr, config.composer_addr, config.orchestrator_addr):
        assert asyncio.run(health.check(addr)) == "SERVING", addr
    status = subprocess.run([sys.executable, "-m", "mesh.cli", "status"], env=mesh.env,
                            capture_output=True, text=True, timeout=30)
    assert status.returncode == 0, status.stdout + status.stderr
    assert status.stdout.count("SERVING") == 4


def test_a_crashed_service_is_reported_and_restarted(mesh):
    composer_pid = ready_pids(mesh.log_path)["composer"]
    os.kill(composer_pid, signal.SIGKILL)
    assert wait_until(lambda: "composer exited with status -9" in mesh.log_path.read_text(), 10)
    assert wait_until(lambda: ready_pids(mesh.log_path)["composer"] != composer_pid
                      and asyncio.run(health.check(mesh.config.composer_addr)) == "SERVING", 60)


def test_killing_up_leaves_no_orphans(tmp_path):
    running = start_mesh(tmp_path / "data")
    children = processes_of(running.config.data_dir)
    assert len(children) >= 5  # up itself, four services, and Triton under the inference launcher
    running.process.send_signal(signal.SIGKILL)
    running.process.wait()
    assert wait_until(lambda: not processes_of(running.config.data_dir), 20), processes_of(running.config.data_dir)


def test_ctrl_c_stops_everything(tmp_path):
    running = start_mesh(tmp_path / "data")
    stop_mesh(running)
    assert running.process.returncode == 0
    assert wait_until(lambda: not processes_of(running.config.data_dir), 10)


def test_a_service_that_cannot_start_says_why_in_one_line(tmp_path):
    env = {**os.environ, **mesh_env(tmp_path / "data")}
    host, port = env["FILMSTUDIO_COMPOSER_ADDR"].split(":")
    with socket.socket() as taken:
        taken.bind((host, int(port)))
        taken.listen()
        result = subprocess.run([sys.executable, "-m", "mesh.cli", "up"], env=env, capture_output=True,
                                text=True, timeout=240)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("filmstudio up: composer exited with status 1") and port in last, result.stderr
    assert wait_until(lambda: not processes_of(tmp_path / "data"), 10)


def test_a_malformed_setting_is_one_line_and_exit_2(tmp_path):
    env = {**os.environ, "FILMSTUDIO_TRITON_HTTP_PORT": "http"}
    result = subprocess.run([sys.executable, "-m", "mesh.cli", "up"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == "filmstudio: FILMSTUDIO_TRITON_HTTP_PORT='http': expected an integer"
