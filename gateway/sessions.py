"""Signing in from a browser: /auth/* turns AuthService's sessions into cookies, and reads them back.

    POST /auth/signup    {"email", "password", "displayName"}  -> 201 {"account"} and the cookies
    POST /auth/signin    {"email", "password"}                 -> 200 {"account"} and the cookies
    POST /auth/refresh   (the refresh cookie)                  -> 200 {"account"} and new cookies
    POST /auth/signout                                         -> 204, the cookies cleared
    GET  /auth/providers                                       -> {"password": true, "oidc": [...]}
    GET  /auth/oidc/{provider}/start, /auth/oidc/{provider}/callback   (the OpenID Connect code flow)

The tokens never reach the page's JavaScript: the access token rides in an HttpOnly cookie for every
path, the refresh token in one sent to /auth only, both SameSite=Strict (and Secure over https).
CSRF: a request authenticated by the cookie that can change something (any method but GET and HEAD)
must repeat the fs_csrf cookie's value, which the page can read, in an X-CSRF-Token header; another
site can neither read that cookie nor, under SameSite=Strict, send ours. The /auth POSTs take only
application/json, which a cross-site form cannot send.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import urllib.parse
from typing import TYPE_CHECKING

import grpc
import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route as StarletteRoute

from filmstudio.v1 import account_pb2, account_pb2_grpc
from gateway import headers
from gateway.errors import error_response, rpc_error_response

if TYPE_CHECKING:
    from gateway.app import Gateway

ACCESS_COOKIE = "fs_access"
REFRESH_COOKIE = "fs_refresh"
CSRF_COOKIE = "fs_csrf"
CSRF_HEADER = "x-csrf-token"
OIDC_COOKIE = "fs_oidc"  # the code flow's state, nonce and PKCE verifier, for ten minutes
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
MAX_AUTH_BODY = 8 * 1024
OIDC_FLOW_S = 600
OIDC_PROVIDER = "default"  # the one configured provider's id in the URLs


def csrf_ok(request: Request) -> bool:
    """A cookie-authenticated request may go on: a safe method, or the CSRF header matching the cookie."""
    if request.method in SAFE_METHODS:
        return True
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    return bool(cookie) and secrets.compare_digest(cookie.encode(), header.encode())


def csrf_refused() -> Response:
    """The 403 for a cookie-authenticated change without the CSRF header."""
    return error_response(grpc.StatusCode.PERMISSION_DENIED, f"missing or wrong {CSRF_HEADER} header: repeat the "
                          f"{CSRF_COOKIE} cookie's value in it")


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _set_session(response: Response, request: Request, session: account_pb2.Session) -> None:
    now = time.time()
    access_s = max(1, int(session.access_expire_time.seconds - now))
    refresh_s = max(1, int(session.refresh_expire_time.seconds - now))
    secure = _secure(request)
    response.set_cookie(ACCESS_COOKIE, session.access_token, max_age=access_s, path="/", httponly=True,
                        samesite="strict", secure=secure)
    response.set_cookie(REFRESH_COOKIE, session.refresh_token, max_age=refresh_s, path="/auth", httponly=True,
                        samesite="strict", secure=secure)
    response.set_cookie(CSRF_COOKIE, request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24),
                        max_age=refresh_s, path="/", httponly=False, samesite="strict", secure=secure)


def _clear_session(response: Response) -> None:
    response.delete_cookie(ACCESS_COOKIE, path="/")
    response.delete_cookie(REFRESH_COOKIE, path="/auth")
    response.delete_cookie(CSRF_COOKIE, path="/")


async def _json_body(request: Request, fields: tuple[str, ...]) -> dict | Response:
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        return error_response(grpc.StatusCode.INVALID_ARGUMENT, "send the body as application/json", http=415)
    body = await headers.read_body(request, MAX_AUTH_BODY)
    if isinstance(body, Response):
        return body
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        return error_response(grpc.StatusCode.INVALID_ARGUMENT, f"request body is not JSON: {exc}")
    if not isinstance(value, dict) or any(not isinstance(value.get(f, ""), str) for f in fields):
        return error_response(grpc.StatusCode.INVALID_ARGUMENT,
                              f"request body must be a JSON object with string fields {', '.join(fields)}")
    unknown = sorted(set(value) - set(fields))
    if unknown:
        return error_response(grpc.StatusCode.INVALID_ARGUMENT, f"unknown field {unknown[0]!r}")
    return value


def routes(gateway: "Gateway") -> list[StarletteRoute]:
    """The /auth pages of this gateway."""

    def stub() -> account_pb2_grpc.AuthServiceStub:
        return account_pb2_grpc.AuthServiceStub(gateway.channel())

    def account_json(session: account_pb2.Session) -> dict:
        return {"account": gateway.printer.to_dict(session.account)}

    async def session_response(request: Request, call, status: int = 200) -> Response:
        try:
            session = await call
        except grpc.aio.AioRpcError as exc:
            response = rpc_error_response(exc)
            if exc.code() == grpc.StatusCode.RESOURCE_EXHAUSTED:
                response.headers["Retry-After"] = "900"  # the lockout's length: no sooner
            return response
        response = JSONResponse(account_json(session), status_code=status)
        _set_session(response, request, session)
        return response

    timeout = gateway.settings.unary_timeout_s

    async def signup(request: Request) -> Response:
        body = await _json_body(request, ("email", "password", "displayName"))
        if isinstance(body, Response):
            return body
        message = account_pb2.SignUpRequest(email=body.get("email", ""), password=body.get("password", ""),
                                            display_name=body.get("displayName", ""))
        return await session_response(request, stub().SignUp(message, timeout=timeout), status=201)

    async def signin(request: Request) -> Response:
        body = await _json_body(request, ("email", "password"))
        if isinstance(body, Response):
            return body
        message = account_pb2.SignInRequest(email=body.get("email", ""), password=body.get("password", ""))
        return await session_response(request, stub().SignIn(message, timeout=timeout))

    async def refresh(request: Request) -> Response:
        token = request.cookies.get(REFRESH_COOKIE, "")
        if not token:
            return error_response(grpc.StatusCode.UNAUTHENTICATED, "not signed in")
        if not csrf_ok(request):
            return csrf_refused()
        response = await session_response(
            request, stub().RefreshSession(account_pb2.RefreshSessionRequest(refresh_token=token), timeout=timeout))
        if response.status_code == 401:
            _clear_session(response)
        return response

    async def signout(request: Request) -> Response:
        if not csrf_ok(request):
            return csrf_refused()
        token = request.cookies.get(REFRESH_COOKIE, "")
        if token:
            try:
                await stub().SignOut(account_pb2.SignOutRequest(refresh_token=token), timeout=timeout)
            except grpc.aio.AioRpcError as exc:
                return rpc_error_response(exc)
        response = Response(status_code=204)
        _clear_session(response)
        return response

    settings = gateway.settings

    async def providers(request: Request) -> Response:
        oidc = [{"id": OIDC_PROVIDER, "name": settings.oidc_name}] if settings.oidc_issuer else []
        return JSONResponse({"password": True, "oidc": oidc})

    discovery: dict = {}

    async def provider_document() -> dict:
        if not discovery:
            async with httpx.AsyncClient(timeout=10) as client:
                reply = await client.get(settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration")
                reply.raise_for_status()
                discovery.update(reply.json())
        return discovery

    def callback_url(request: Request) -> str:
        return str(request.url_for("oidc_callback", provider=OIDC_PROVIDER))

    async def oidc_start(request: Request) -> Response:
        if not settings.oidc_issuer or request.path_params["provider"] != OIDC_PROVIDER:
            return error_response(grpc.StatusCode.NOT_FOUND, "no such sign-in provider")
        try:
            document = await provider_document()
        except (httpx.HTTPError, ValueError) as exc:
            return error_response(grpc.StatusCode.UNAVAILABLE, f"the sign-in provider is unreachable: {exc}")
        state, nonce, verifier = (secrets.token_urlsafe(24) for _ in range(3))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        query = urllib.parse.urlencode({
            "response_type": "code", "client_id": settings.oidc_client_id, "redirect_uri": callback_url(request),
            "scope": "openid email profile", "state": state, "nonce": nonce,
            "code_challenge": challenge, "code_challenge_method": "S256"})
        response = RedirectResponse(f"{document['authorization_endpoint']}?{query}", status_code=302)
        # SameSite=Lax: the provider's redirect back is a cross-site top-level GET.
        response.set_cookie(OIDC_COOKIE, json.dumps([state, nonce, verifier]), max_age=OIDC_FLOW_S,
                            path="/auth/oidc", httponly=True, samesite="lax", secure=_secure(request))
        return response

    async def oidc_callback(request: Request) -> Response:
        if not settings.oidc_issuer or request.path_params["provider"] != OIDC_PROVIDER:
            return error_response(grpc.StatusCode.NOT_FOUND, "no such sign-in provider")
        try:
            state, nonce, verifier = json.loads(request.cookies.get(OIDC_COOKIE, ""))
        except (ValueError, TypeError):
            return error_response(grpc.StatusCode.INVALID_ARGUMENT, "the sign-in took too long or was not started here; "
                                  "start again")
        if not secrets.compare_digest(request.query_params.get("state", ""), state):
            return error_response(grpc.StatusCode.INVALID_ARGUMENT, "the sign-in's state does not match; start again")
        if "error" in request.query_params:
            return error_response(grpc.StatusCode.PERMISSION_DENIED,
                                  f"the provider refused: {request.query_params['error'][:200]}")
        try:
            document = await provider_document()
            async with httpx.AsyncClient(timeout=10) as client:
                reply = await client.post(document["token_endpoint"], data={
                    "grant_type": "authorization_code", "code": request.query_params.get("code", ""),
                    "redirect_uri": callback_url(request), "code_verifier": verifier,
                    "client_id": settings.oidc_client_id, "client_secret": settings.oidc_client_secret})
            reply.raise_for_status()
            id_token = reply.json()["id_token"]
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            return error_response(grpc.StatusCode.UNAVAILABLE, f"the sign-in provider did not give a token: {exc}")
        try:
            session = await stub().SignInWithOidc(account_pb2.SignInWithOidcRequest(id_token=id_token, nonce=nonce),
                                                  timeout=timeout)
        except grpc.aio.AioRpcError as exc:
            return rpc_error_response(exc)
        response = RedirectResponse("/", status_code=303)
        _set_session(response, request, session)
        response.delete_cookie(OIDC_COOKIE, path="/auth/oidc")
        return response

    return [
        StarletteRoute("/auth/signup", signup, methods=["POST"]),
        StarletteRoute("/auth/signin", signin, methods=["POST"]),
        StarletteRoute("/auth/refresh", refresh, methods=["POST"]),
        StarletteRoute("/auth/signout", signout, methods=["POST"]),
        StarletteRoute("/auth/providers", providers, methods=["GET"]),
        StarletteRoute("/auth/oidc/{provider}/start", oidc_start, methods=["GET"]),
        StarletteRoute("/auth/oidc/{provider}/callback", oidc_callback, methods=["GET"], name="oidc_callback"),
    ]

