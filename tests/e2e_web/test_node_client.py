"""The Node.js client (@grpc/grpc-js + @grpc/proto-loader on our protos) makes a film on the real
orchestrator over gRPC and watches it to the end."""

from __future__ import annotations

import asyncio
import json
import pathlib
import shutil

import grpc
import pytest

from filmstudio.auth import mint_token
from tests.conftest import as_user
from filmstudio.v1 import film_pb2, film_pb2_grpc

CLIENT = pathlib.Path(__file__).resolve().parents[2] / "gateway" / "clients" / "node"
pytestmark = [
    pytest.mark.mesh,
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
    pytest.mark.skipif(not (CLIENT / "node_modules" / "@grpc" / "grpc-js").is_dir(),
                       reason="run `npm ci --prefix gateway/clients/node` first"),
]


async def test_node_client_makes_a_film_on_the_real_orchestrator_and_watches_it_to_the_end(mesh, tmp_path):
    script = tmp_path / "dock.fountain"
    script.write_text("INT. DOCK - NIGHT\n\nFog rolls over the water.\n\nMARA\nIs anyone out there?\n\nA horn answers.\n")
    node = await asyncio.create_subprocess_exec(
        "node", str(CLIENT / "watch_film.js"), mesh.config.orchestrator_addr, str(script),
        mint_token("node-e2e", mesh.config.jwt_secret, 600),
        "--seconds", "10", "--style", "watercolor", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(node.communicate(), 180)
    assert node.returncode == 0, err.decode()
    lines = [json.loads(line) for line in out.decode().splitlines()]
    created, events, final = lines[0], lines[1:-1], lines[-1]
    assert created["created"].startswith("films/") and created["state"] == "FILM_STATE_QUEUED"
    assert [int(e["sequence"]) for e in events] == list(range(1, len(events) + 1))
    kinds = [e["kind"] for e in events]
    assert kinds.count("shot") >= 2 * created["shots"]  # each shot rendering, then succeeded
    assert kinds[-2:] == ["outputs", "stateChange"]
    assert final == {**final, "film": created["created"], "final": "FILM_STATE_SUCCEEDED"}
    assert 9.0 <= final["seconds"] <= 11.0 and final["video"].endswith("/film.mp4")

    # The film belongs to the user the Node client named, and the orchestrator agrees it is done.
    async with grpc.aio.insecure_channel(mesh.config.orchestrator_addr) as channel:
        films = film_pb2_grpc.FilmServiceStub(channel)
        film = await films.GetFilm(film_pb2.GetFilmRequest(name=created["created"]),
                                   metadata=as_user("node-e2e"))
        with pytest.raises(grpc.aio.AioRpcError) as other:
            await films.GetFilm(film_pb2.GetFilmRequest(name=created["created"]),
                                metadata=as_user("someone-else"))
    assert film.state == film_pb2.FILM_STATE_SUCCEEDED and film.owner == "users/node-e2e"
    assert film.settings.style == "watercolor" and film.settings.target_duration.seconds == 10
    assert other.value.code() == grpc.StatusCode.NOT_FOUND
