"""The real mesh (the session's `mesh` fixture from tests/conftest.py) as the web and non-Python
clients see it: its gateway's URL and tokens signed with its key."""

from __future__ import annotations

import pytest

from filmstudio.auth import mint_token


@pytest.fixture
def gateway_url(mesh) -> str:
    return f"http://{mesh.config.gateway_addr}"


@pytest.fixture
def token_for(mesh):
    """token_for("alice"): a development token the mesh's gateway accepts."""
    return lambda user, ttl_s=600: mint_token(user, mesh.config.jwt_secret, ttl_s)
