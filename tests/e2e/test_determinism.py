"""The same script, seed and settings give the same MP4, byte for byte: `filmstudio render` twice, each
with a fresh data directory (so nothing comes from a cache) and a mesh of its own on free ports."""

from __future__ import annotations

import hashlib
import os
import pathlib
import subprocess
import sys

import pytest

from tests.conftest import mesh_env

pytestmark = [pytest.mark.mesh, pytest.mark.slow]

ROOT = pathlib.Path(__file__).resolve().parents[2]
LIGHTHOUSE = ROOT / "examples" / "lighthouse.fountain"
FILMSTUDIO = pathlib.Path(sys.executable).with_name("filmstudio")  # the console script a user runs


def test_the_same_script_and_seed_render_the_same_mp4_bytes(tmp_path):
    # Both at once: half the wall time on two cores, and the two encoders' threads interleave unlike
    # either alone, which is what the film must not depend on.
    renders = {}
    for run in ("first", "second"):
        data_dir = tmp_path / run
        data_dir.mkdir()
        env = {**os.environ, **mesh_env(data_dir)}
        command = [str(FILMSTUDIO), "render", str(LIGHTHOUSE), "-o", str(data_dir / "film.mp4"), "--seconds", "60",
                   "--seed", "7"]
        with open(data_dir / "render.log", "wb") as log:  # a file, not a pipe: neither render waits on a reader
            renders[run] = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    digests = {}
    for run, process in renders.items():
        try:
            process.wait(timeout=400)
        except subprocess.TimeoutExpired:
            for other in renders.values():
                other.kill()
            pytest.fail(f"{run} render did not finish in 400 s")
        log = (tmp_path / run / "render.log").read_text(errors="replace")
        assert process.returncode == 0 and "60.00 s" in log, f"{run} render: {log[-2000:]}"
        digests[run] = hashlib.sha256((tmp_path / run / "film.mp4").read_bytes()).hexdigest()
    assert digests["first"] == digests["second"], digests
