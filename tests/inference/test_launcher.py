"""The launcher's start-up checks, its error reporting, and `python -m inference` as a user runs it."""

from __future__ import annotations

import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

import pytest

from filmstudio.config import Config
from filmstudio.server import StartupError
from inference.launcher import TritonProcess, last_error
from tests.conftest import free_port

LOG = """I1125 09:21:50.1 14804 server.cc:305] "Waiting for in-flight requests to complete."
E1125 09:21:50.2 14804 model_lifecycle.cc:654] "failed to load 'sdxl' version 1: Internal: no weights\\n\\nAt:\\n  model.py(3)"
E1125 09:21:50.3 14804 main.cc:100] "exiting: server stopped"
"""


def test_last_error_names_the_cause_on_one_line():
    assert last_error(LOG) == "failed to load 'sdxl' version 1: Internal: no weights"
    assert last_error("") == "no output"


def test_a_taken_port_is_one_clear_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = TritonProcess(f"127.0.0.1:{port}", free_port(), free_port(), work_dir=tmp_path)
        with pytest.raises(StartupError, match=f"gRPC cannot listen on 127.0.0.1:{port}: port taken"):
            process.start()


def test_sdxl_weights_that_are_not_there_stop_the_launch(tmp_path):
    config = Config.from_env({"FILMSTUDIO_DATA_DIR": str(tmp_path), "FILMSTUDIO_SDXL_MODEL_DIR": str(tmp_path / "w")})
    with pytest.raises(StartupError, match=f"FILMSTUDIO_SDXL_MODEL_DIR={tmp_path / 'w'}: no diffusers pipeline"):
        TritonProcess.from_config(config)
    assert TritonProcess.from_config(Config.from_env({"FILMSTUDIO_DATA_DIR": str(tmp_path)})).models == \
        ("storyboard", "animatic", "tts")


def _env(tmp_path, **extra):
    return {**os.environ, "FILMSTUDIO_DATA_DIR": str(tmp_path), "FILMSTUDIO_TRITON_ADDR": f"127.0.0.1:{free_port()}",
            "FILMSTUDIO_TRITON_HTTP_PORT": str(free_port()), "FILMSTUDIO_TRITON_METRICS_PORT": str(free_port()),
            **extra}


def test_bad_configuration_is_one_line_on_stderr(tmp_path):
    result = subprocess.run([sys.executable, "-m", "inference"], env=_env(tmp_path, FILMSTUDIO_TRITON_HTTP_PORT="x"),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == ["inference: FILMSTUDIO_TRITON_HTTP_PORT='x': expected an integer"]


@pytest.mark.mesh
def test_python_m_inference_serves_until_sigterm_and_takes_triton_with_it(tmp_path):
    env = _env(tmp_path)
    http_port = env["FILMSTUDIO_TRITON_HTTP_PORT"]
    launcher = subprocess.Popen([sys.executable, "-m", "inference"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        process = TritonProcess(env["FILMSTUDIO_TRITON_ADDR"], int(http_port), 0, work_dir=tmp_path / "probe")
        deadline = time.monotonic() + 120
        while not process.is_ready():
            assert launcher.poll() is None, launcher.stderr.read()
            assert time.monotonic() < deadline, "Triton never became ready"
            time.sleep(0.2)
        triton_pids = subprocess.run(["pgrep", "-P", str(launcher.pid)], capture_output=True, text=True).stdout.split()
        assert triton_pids
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(60) == 0
        assert not process.is_ready()
        for pid in triton_pids:  # Triton has exited too
            assert not os.path.exists(f"/proc/{pid}") or "zombie" in open(f"/proc/{pid}/status").read()
    finally:
        if launcher.poll() is None:
            launcher.kill()


def _group(pgid: int) -> list[int]:
    """Live processes in process group `pgid` (zombies excluded)."""
    found = []
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def test_a_killed_tritonserver_leaves_no_backend_stub_behind(tmp_path):
    # kill -9 of tritonserver once left a Python backend stub orphaned (parent 1, 74 MB, /dev/shm held).
    triton = TritonProcess(f"127.0.0.1:{free_port()}", free_port(), 0, models=["tts"], work_dir=tmp_path)
    triton.start()
    try:
        triton.wait_ready(120)
        pgid = triton.pid
        stubs = [pid for pid in _group(pgid) if pid != pgid]
        assert stubs, "expected the tts model's backend stub in Triton's process group"
        for stub in stubs:  # a stub busy in a model (here: stopped) does not notice its server die
            os.kill(stub, signal.SIGSTOP)
        os.kill(pgid, signal.SIGKILL)
        triton.process.wait(10)
    finally:
        triton.stop()
    try:
        deadline = time.monotonic() + 5
        while _group(pgid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _group(pgid) == []
    finally:
        for pid in _group(pgid):
            os.kill(pid, signal.SIGKILL)
