"""Fixtures: the fake FilmService on a free port, the gateway app in front of it, and tokens."""

from __future__ import annotations

import pathlib

import httpx
import pytest

from filmstudio.storage import LocalStore
from gateway.app import GatewaySettings, create_app
from filmstudio.auth import mint_token
from tests.gateway.fakes import FakeFilmService, start_fake
from tests.gateway.tokens import SECRET


@pytest.fixture
def store(tmp_path: pathlib.Path) -> LocalStore:
    return LocalStore(tmp_path / "store")


@pytest.fixture
async def films(store):
    service = FakeFilmService(store=store)
    server, addr = await start_fake(service)
    service.addr = addr
    yield service
    await service.close()
    await server.stop(None)


@pytest.fixture
def settings(films, store) -> GatewaySettings:
    return GatewaySettings(upstream_addr=films.addr, jwt_secret=SECRET, store=store, rate_per_s=1000, burst=1000)


@pytest.fixture
async def client(settings):
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as c:
        c.headers["Authorization"] = "Bearer " + mint_token("alice", SECRET, 600)
        yield c
    await app.state.gateway.close()
