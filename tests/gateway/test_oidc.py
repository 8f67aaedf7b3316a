"""Sign-in through OpenID Connect, end to end but for the provider: the gateway's authorization-code
flow (state, nonce, PKCE) against a small provider served on loopback, and the orchestrator's real
Accounts (over SQLite) checking the ID token it hands on and making the account."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import socket
import urllib.parse

import grpc
import httpx
import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from filmstudio.auth import TokenInterceptor, Verifier
from filmstudio.server import ErrorMappingInterceptor
from filmstudio.v1 import account_pb2_grpc
from gateway.app import GatewaySettings, create_app
from orchestrator.accounts import Accounts, oidc_provider
from orchestrator.db import Database
from orchestrator.service import ACCOUNT_SERVICE, AccountService, AuthService
from orchestrator.webhooks import Webhooks

SECRET = "a-test-signing-key-of-at-least-32-bytes"
CLIENT_ID, CLIENT_SECRET = "studio", "provider-secret"


class Provider:
    """An OpenID Connect provider's discovery, keys and token endpoint; codes are handed out by the test."""

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict] = {}  # code -> the claims and PKCE challenge it stands for
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        self.jwks = {"keys": [jwk | {"kid": "k1", "use": "sig", "alg": "RS256"}]}
        self.app = Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/jwks", lambda request: JSONResponse(self.jwks)),
            Route("/token", self.token, methods=["POST"]),
        ])

    async def discovery(self, request: Request) -> JSONResponse:
        return JSONResponse({"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                             "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks"})

    async def token(self, request: Request) -> JSONResponse:
        form = dict(urllib.parse.parse_qsl((await request.body()).decode()))
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("client_secret") != CLIENT_SECRET:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        if challenge != grant["challenge"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, status_code=400)
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "exp": 2**31 - 1, **grant["claims"]}
        return JSONResponse({"id_token": jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})})


def free_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    return sock


@pytest.fixture
async def mesh(tmp_path):
    """The provider on loopback; AuthService and AccountService over real Accounts; the gateway app."""
    sock = free_socket()
    provider = Provider(f"http://127.0.0.1:{sock.getsockname()[1]}")
    server = uvicorn.Server(uvicorn.Config(provider.app, log_level="warning"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'accounts.db'}")
    await db.migrate()
    accounts = Accounts(db, SECRET, oidc_provider(provider.issuer, CLIENT_ID))
    grpc_server = grpc.aio.server(interceptors=[ErrorMappingInterceptor(),
                                                TokenInterceptor(Verifier(SECRET), (ACCOUNT_SERVICE,))])
    account_pb2_grpc.add_AuthServiceServicer_to_server(AuthService(accounts), grpc_server)
    account_pb2_grpc.add_AccountServiceServicer_to_server(AccountService(accounts, Webhooks(db, development=True)), grpc_server)
    port = grpc_server.add_insecure_port("127.0.0.1:0")
    await grpc_server.start()
    app = create_app(GatewaySettings(upstream_addr=f"127.0.0.1:{port}", jwt_secret=SECRET,
                                     oidc_issuer=provider.issuer, oidc_client_id=CLIENT_ID,
                                     oidc_client_secret=CLIENT_SECRET, oidc_name="Example ID"))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://studio.test")
    yield provider, client
    await client.aclose()
    await app.state.gateway.close()
    await grpc_server.stop(None)
    await db.close()
    server.should_exit = True
    await serving


async def start(client: httpx.AsyncClient) -> dict[str, str]:
    """Begin a sign-in; the authorization request's parameters, as the provider would receive them."""
    reply = await client.get("/auth/oidc/default/start")
    assert reply.status_code == 302
    location = urllib.parse.urlsplit(reply.headers["location"])
    assert location.path == "/authorize"
    return dict(urllib.parse.parse_qsl(location.query))


async def test_the_code_flow_signs_in_and_makes_the_account_once(mesh):
    provider, client = mesh
    assert (await client.get("/auth/providers")).json() == {"password": True,
                                                            "oidc": [{"id": "default", "name": "Example ID"}]}
    asked = await start(client)
    assert asked["client_id"] == CLIENT_ID and asked["code_challenge_method"] == "S256"
    assert asked["redirect_uri"] == "http://studio.test/auth/oidc/default/callback"
    assert "openid" in asked["scope"].split()
    provider.codes["c1"] = {"challenge": asked["code_challenge"], "claims": {
        "sub": "person-1", "nonce": asked["nonce"], "email": "Kim@Example.com", "email_verified": True, "name": "Kim"}}
    signed_in = await client.get("/auth/oidc/default/callback", params={"code": "c1", "state": asked["state"]})
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
    account = (await client.get("/v1/account")).json()
    assert account["email"] == "kim@example.com" and account["displayName"] == "Kim"

    # The same person again: the same account, not a second one.
    client.cookies.clear()
    again = await start(client)
    provider.codes["c2"] = {"challenge": again["code_challenge"], "claims": {"sub": "person-1", "nonce": again["nonce"]}}
    assert (await client.get("/auth/oidc/default/callback", params={"code": "c2", "state": again["state"]})).status_code == 303
    assert (await client.get("/v1/account")).json()["name"] == account["name"]


async def test_a_forged_state_a_replayed_nonce_and_a_wrong_verifier_are_refused(mesh):
    provider, client = mesh
    asked = await start(client)
    forged = await client.get("/auth/oidc/default/callback", params={"code": "x", "state": "not-the-state"})
    assert forged.status_code == 400 and "state does not match" in forged.json()["message"]
    # A token minted for another sign-in's nonce (a replay) does not sign this one in.
    provider.codes["c3"] = {"challenge": asked["code_challenge"], "claims": {"sub": "person-2", "nonce": "other"}}
    replayed = await client.get("/auth/oidc/default/callback", params={"code": "c3", "state": asked["state"]})
    assert replayed.status_code == 401 and "nonce" in replayed.json()["message"]
    # A code redeemed without this browser's PKCE verifier is refused by the provider.
    provider.codes["c4"] = {"challenge": "somebody-else's-challenge", "claims": {"sub": "p3", "nonce": asked["nonce"]}}
    stolen = await client.get("/auth/oidc/default/callback", params={"code": "c4", "state": asked["state"]})
    assert stolen.status_code == 503 and "did not give a token" in stolen.json()["message"]
    client.cookies.clear()
    cold = await client.get("/auth/oidc/default/callback", params={"code": "c5", "state": asked["state"]})
    assert cold.status_code == 400 and "start again" in cold.json()["message"]
    assert (await client.get("/auth/oidc/nosuch/start")).status_code == 404
