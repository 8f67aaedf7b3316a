"""The Node.js client (@grpc/grpc-js + @grpc/proto-loader on our protos) creates a film over gRPC and
watches it to the end. FILMSTUDIO_TEST_FILMSERVICE_ADDR points it at a running FilmService instead of
the fake (the real orchestrator)."""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import shutil

import pytest

from filmstudio.auth import mint_token
from tests.gateway.fakes import FakeFilmService, start_fake
from tests.gateway.tokens import SECRET


CLIENT = pathlib.Path(__file__).resolve().parents[2] / "gateway" / "clients" / "node"
pytestmark = [
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
    pytest.mark.skipif(not (CLIENT / "node_modules" / "@grpc" / "grpc-js").is_dir(),
                       reason=f"run `npm ci` in {CLIENT} first"),
]


async def test_node_client_creates_and_watches_a_film_to_the_end(tmp_path):
    script = tmp_path / "scene.fountain"
    script.write_text("INT. DOCK - NIGHT\n\nFog.\n\nA horn sounds.")
    addr = os.environ.get("FILMSTUDIO_TEST_FILMSERVICE_ADDR")
    server = films = None
    if not addr:
        films = FakeFilmService()
        server, addr = await start_fake(films)
    try:
        node = await asyncio.create_subprocess_exec(
            "node", str(CLIENT / "watch_film.js"), addr, str(script), mint_token("nodeuser", SECRET, 600),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(node.communicate(), 120)
    finally:
        if server is not None:
            await films.close()
            await server.stop(None)
    assert node.returncode == 0, err.decode()
    lines = [json.loads(line) for line in out.decode().splitlines()]
    assert lines[0]["created"].startswith("films/")
    sequences = [int(line["sequence"]) for line in lines[1:-1]]
    assert sequences == list(range(1, len(sequences) + 1)) and len(sequences) >= 3
    assert lines[-1]["final"] == "FILM_STATE_SUCCEEDED"
    if films is not None:
        assert next(iter(films.films.values())).owner == "nodeuser"
