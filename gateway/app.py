"""The Starlette application: every google.api.http route of the descriptor set, transcoded onto one
grpc.aio channel to the orchestrator, plus /openapi.json, /docs, /v1/files/{key}, /healthz, the
sign-in pages at /auth (gateway.sessions) and the studio at / (gateway.static).

A caller is who their bearer token says: from the Authorization header, or from the session cookie a
browser signed in with (then a request that changes something must carry the CSRF header too).

Requests go: route match (404, 405 with Allow) -> auth (401, 403) -> rate limit (429) -> body limit (413) ->
media types (406, 415) -> transcode and headers (400) ->
call carrying the caller's own bearer token (the orchestrator verifies it too) -> JSON, SSE or NDJSON.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import math
import pathlib
import time

import grpc
from prometheus_client import Counter, Histogram
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Match, Route as StarletteRoute

from filmstudio import telemetry, tls
from filmstudio.config import Config
from filmstudio.auth import AuthError, Verifier, bearer_metadata, check_secret
from filmstudio.storage import ObjectStore, open_store
from filmstudio.v1 import film_pb2
from gateway import files, headers, openapi, sessions, static, streams
from gateway.ratelimit import RateLimiter
from gateway.errors import error_response, method_not_allowed, rpc_error_response
from gateway.rules import DEFAULT_DESCRIPTOR_SET, Api, Route, build_api, load_descriptor_set
from gateway.protojson import ProtoJson
from gateway.transcode import BadRequest, request_message, response_json

log = logging.getLogger(__name__)
access_log = logging.getLogger("gateway.access")

REQUESTS = Counter("filmstudio_gateway_requests_total", "HTTP requests answered, by route template, method and status",
                   ["route", "method", "status"])
# Until the response starts: a stream (SSE, NDJSON) counts until its first event, not its whole life.
LATENCY = Histogram("filmstudio_gateway_request_seconds", "Time to the start of the response, by route template and method",
                    ["route", "method"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10, 30))
UNMATCHED = "unmatched"  # the route label of a request no route answers (404), so scanners make one series
ROUTE_KEY = "filmstudio.route"  # scope keys the handlers set for the middleware
USER_KEY = "filmstudio.user"

MAX_BODY_BYTES = 1024 * 1024
# UpdateCharacter carries a portrait of up to 10 MB, base64 in JSON (4/3 of it) with room for the rest.
BODY_BYTES_BY_METHOD = {"filmstudio.v1.FilmService.UpdateCharacter": 14 * 1024 * 1024}


@dataclasses.dataclass(frozen=True)
class Caller:
    """A verified user, and the metadata that carries their own token to the orchestrator."""

    subject: str
    metadata: tuple[tuple[str, str], ...]


@dataclasses.dataclass
class GatewaySettings:
    """What the gateway needs; `from_config` reads it from the shared Config."""

    upstream_addr: str
    jwt_secret: str
    jwks_url: str = ""
    certificates: tls.Certificates | None = None  # mutual TLS to the orchestrator
    store: ObjectStore | None = None
    descriptor_set: pathlib.Path = DEFAULT_DESCRIPTOR_SET
    rate_per_s: float = 20.0
    burst: int = 40
    max_body_bytes: int = MAX_BODY_BYTES
    # Deadline for unary calls; streams run until the film ends or the client leaves.
    unary_timeout_s: float = 30.0
    # A quiet SSE stream gets a comment this often, so proxies and load balancers keep it open.
    keepalive_s: float = streams.KEEPALIVE_S
    # Sign-in through OpenID Connect (see Config): unset issuer, email and password only.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_name: str = Config.oidc_name

    @classmethod
    def from_config(cls, config: Config) -> "GatewaySettings":
        check_secret(config.jwt_secret, config.jwks_url)  # no gateway runs without a real token key
        return cls(upstream_addr=config.orchestrator_addr, jwt_secret=config.jwt_secret,
                   certificates=tls.certificates(config),
                   jwks_url=config.jwks_url, store=open_store(config.store_url, config.s3_endpoint),
                   rate_per_s=config.gateway_rate_per_s, burst=config.gateway_burst,
                   oidc_issuer=config.oidc_issuer, oidc_client_id=config.oidc_client_id,
                   oidc_client_secret=config.oidc_client_secret, oidc_name=config.oidc_name)


class Gateway:
    """Holds the routes, the verifier, the limiter and the (lazily opened) upstream channel."""

    def __init__(self, settings: GatewaySettings, api: Api | None = None) -> None:
        self.settings = settings
        self.api = api or build_api(load_descriptor_set(settings.descriptor_set))
        self.verifier = Verifier(settings.jwt_secret, settings.jwks_url)
        self.limiter = RateLimiter(settings.rate_per_s, settings.burst)
        self.openapi_doc = openapi.document(self.api)
        self.printer = ProtoJson(self.api.pool, strings=files.object_urls(settings.store))
        self._channel: grpc.aio.Channel | None = None
        self._calls: dict[tuple[str, type], grpc.aio.UnaryUnaryMultiCallable | grpc.aio.UnaryStreamMultiCallable] = {}

    def channel(self) -> grpc.aio.Channel:
        # Opened on first use so it belongs to the event loop serving requests.
        if self._channel is None:
            self._channel = tls.channel(self.settings.upstream_addr, self.settings.certificates)
        return self._channel

    def call(self, grpc_path: str, response_class, streaming: bool = False):
        """The multicallable for one method, made once per channel."""
        call = self._calls.get((grpc_path, response_class))
        if call is None:
            make = self.channel().unary_stream if streaming else self.channel().unary_unary
            call = self._calls[grpc_path, response_class] = make(grpc_path, request_serializer=_serialize,
                                                 response_deserializer=response_class.FromString)
        return call

    @property
    def get_film(self) -> grpc.aio.UnaryUnaryMultiCallable:
        """FilmService.GetFilm, for the file access check."""
        return self.call("/filmstudio.v1.FilmService/GetFilm", film_pb2.Film)

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
            self._channel = None
            self._calls.clear()
        if self.settings.store is not None:
            await self.settings.store.close()

    async def user(self, request: Request, authorization: str | None = None) -> "Caller | Response":
        """The verified caller, or the 401/403/429 response to send instead."""
        header = request.headers.get("authorization") or authorization
        cookie = request.cookies.get(sessions.ACCESS_COOKIE)
        if not header and cookie:
            if not sessions.csrf_ok(request):
                return sessions.csrf_refused()
            header = f"Bearer {cookie}"
        try:
            subject = await self.verifier.subject(header)
        except AuthError as exc:
            return error_response(grpc.StatusCode.UNAUTHENTICATED, str(exc),
                                  headers={"WWW-Authenticate": 'Bearer realm="filmstudio"'})
        request.scope[USER_KEY] = subject  # the access log's (hashed) user
        wait_s = self.limiter.take(subject)
        if wait_s > 0:
            return error_response(grpc.StatusCode.RESOURCE_EXHAUSTED,
                                  f"rate limit for {subject}: {self.settings.rate_per_s:g} requests/s",
                                  headers={"Retry-After": str(max(1, math.ceil(wait_s)))})
        assert header is not None  # verified above
        return Caller(subject, bearer_metadata(header.partition(" ")[2].strip()))

    async def check_file_access(self, key: str, user: "Caller") -> Response | None:
        """None if `user` may read store object `key` (see gateway.files), else the 404 to send."""
        film = files.readable_as(key)
        if film == "":
            return None
        not_found = error_response(grpc.StatusCode.NOT_FOUND, f"no file {key!r}")
        if film is None:
            return not_found
        try:
            await self.get_film(film_pb2.GetFilmRequest(name=film), metadata=upstream_metadata(user),
                                timeout=self.settings.unary_timeout_s)
        except grpc.aio.AioRpcError as exc:
            if exc.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                return not_found  # someone else's film reads as a missing file
            return rpc_error_response(exc)
        return None

    async def handle(self, request: Request) -> Response:
        path = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1").split("?", 1)[0]
        route, path_vars = self.api.resolve(request.method, path)
        if route is not None:
            request.scope[ROUTE_KEY] = route.template.source
        if route is None:
            if path_vars:  # the methods this path does answer
                return method_not_allowed(request.method, path, path_vars)
            return error_response(grpc.StatusCode.NOT_FOUND, "Not Found", http=404)
        user = await self.user(request)
        if isinstance(user, Response):
            return user
        limit = max(self.settings.max_body_bytes, BODY_BYTES_BY_METHOD.get(route.method.full_name, 0))
        body = await headers.read_body(request, limit)
        if isinstance(body, Response):
            return body
        try:
            media_type = headers.response_type(request.headers.get("accept"), route.server_streaming)
            headers.check_content_type(request.headers.get("content-type"), body, takes_body=bool(route.body))
            message = request_message(route, path_vars, body, request.query_params.multi_items(), self.api.pool)
            if route.server_streaming:
                streams.resume(message, headers.last_event_id(request.headers.get("last-event-id")))
        except BadRequest as exc:
            return error_response(grpc.StatusCode.INVALID_ARGUMENT, str(exc), http=exc.http)
        if route.server_streaming:
            return await self.stream(route, message, user, ndjson=media_type == streams.NDJSON)
        return await self.unary(route, message, user)

    async def unary(self, route: Route, message, user: "Caller") -> Response:
        call = self.call(route.grpc_path, route.response_class)
        try:
            reply = await call(message, metadata=upstream_metadata(user),
                               timeout=self.settings.unary_timeout_s)
        except grpc.aio.AioRpcError as exc:
            return rpc_error_response(exc)
        return Response(response_json(reply, self.printer, route.response_body), media_type="application/json")

    async def stream(self, route: Route, message, user: "Caller", ndjson: bool) -> Response:
        call = self.call(route.grpc_path, route.response_class, streaming=True)
        stream = call(message, metadata=upstream_metadata(user))
        try:
            first = await stream.read()  # errors before the first event become a proper status code
        except grpc.aio.AioRpcError as exc:
            return rpc_error_response(exc)
        first = None if first is grpc.aio.EOF else first
        return StreamingResponse(streams.encode(first, stream, ndjson, self.printer, self.settings.keepalive_s),
                                 media_type=streams.NDJSON if ndjson else streams.SSE,
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _serialize(message) -> bytes:
    return message.SerializeToString()


def upstream_metadata(user: Caller) -> tuple[tuple[str, str], ...]:
    """The caller's token, and the request's trace context so the orchestrator's spans join its trace."""
    return (*user.metadata, *telemetry.trace_metadata())


def user_hash(subject: str) -> str:
    """A user's id as the access log shows it: stable, short, and not the id itself."""
    return hashlib.sha256(subject.encode()).hexdigest()[:16]


class Observed:
    """ASGI middleware: each HTTP request is a SERVER span (in the caller's trace when it sends a
    traceparent header), counted and timed by route template, method and status, and one JSON access
    log line (method, route, status, duration, hashed user, trace id)."""

    def __init__(self, app, route_paths: dict[object, str]) -> None:
        self.app = app
        self.route_paths = route_paths  # endpoint -> its path template, for the pages beside the API

    def route_of(self, scope) -> str:
        return scope.get(ROUTE_KEY) or self.route_paths.get(scope.get("endpoint")) or UNMATCHED

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method = scope["method"]
        traceparent = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"traceparent"), "")
        span = telemetry.tracer.start_span(f"{method} {scope['path']}", context=telemetry.context_from(traceparent),
                                           kind=telemetry.SpanKind.SERVER,
                                           attributes={"http.request.method": method, "url.path": scope["path"]})
        status = 500
        first_byte_s: float | None = None

        async def send_observed(message) -> None:
            nonlocal status, first_byte_s
            if message["type"] == "http.response.start":
                status = message["status"]
                first_byte_s = time.perf_counter() - started
            await send(message)

        error = None
        with telemetry.attached(telemetry.trace.set_span_in_context(span)):
            try:
                await self.app(scope, receive, send_observed)
            except BaseException as exc:
                error = exc
                raise
            finally:
                duration_s = time.perf_counter() - started
                route = self.route_of(scope)
                span.update_name(f"{method} {route}")
                span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(telemetry.Status(telemetry.StatusCode.ERROR))
                if error is not None:
                    span.record_exception(error)
                span.end()
                REQUESTS.labels(route=route, method=method, status=str(status)).inc()
                LATENCY.labels(route=route, method=method).observe(duration_s if first_byte_s is None else first_byte_s)
                context = span.get_span_context()
                access_log.info("%s %s %d", method, route, status, extra={"fields": {
                    "method": method, "route": route, "path": scope["path"], "status": status,
                    "duration_ms": round(duration_s * 1000, 2),
                    "user": user_hash(scope[USER_KEY]) if scope.get(USER_KEY) else "",
                    "trace_id": telemetry.trace.format_trace_id(context.trace_id) if context.is_valid else "",
                }})


def create_app(settings: GatewaySettings, api: Api | None = None) -> Starlette:
    """The ASGI app for these settings."""
    gateway = Gateway(settings, api)

    async def openapi_json(request: Request) -> Response:
        return JSONResponse(gateway.openapi_doc)

    async def docs(request: Request) -> Response:
        return HTMLResponse(openapi.docs_page())

    async def healthz(request: Request) -> Response:
        return Response("ok\n", media_type="text/plain")

    async def file(request: Request) -> Response:
        try:
            token = headers.access_token(request.query_params.getlist("access_token"))
        except BadRequest as exc:
            return error_response(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        user = await gateway.user(request, f"Bearer {token}" if token else None)
        if isinstance(user, Response):
            return user
        if settings.store is None:
            return error_response(grpc.StatusCode.UNAVAILABLE, "this gateway has no object store configured")
        key = request.path_params["key"]
        denied = await gateway.check_file_access(key, user)
        if denied is not None:
            return denied
        return await files.serve(settings.store, key, request.headers.get("range"),
                                 head=request.method == "HEAD")

    async def api_route(request: Request) -> Response:
        allowed = sorted({m for page in pages if page.matches(request.scope)[0] is Match.PARTIAL for m in page.methods})
        if allowed:  # one of the pages below, asked with another method
            return method_not_allowed(request.method, request.url.path, allowed)
        try:
            return await gateway.handle(request)
        except Exception:  # never a stack trace to the caller; the log has it
            log.exception("%s %s failed", request.method, request.url.path)
            return error_response(grpc.StatusCode.INTERNAL, "internal error")

    async def http_error(request: Request, exc: HTTPException) -> Response:
        code = {404: grpc.StatusCode.NOT_FOUND, 405: grpc.StatusCode.UNIMPLEMENTED,
                400: grpc.StatusCode.INVALID_ARGUMENT}.get(exc.status_code, grpc.StatusCode.UNKNOWN)
        return error_response(code, str(exc.detail), http=exc.status_code, headers=exc.headers)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("%s %s failed", request.method, request.url.path, exc_info=exc)
        return error_response(grpc.StatusCode.INTERNAL, "internal error")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        yield
        await gateway.close()

    pages = [
        *sessions.routes(gateway),
        *static.routes(),  # the studio
        StarletteRoute("/healthz", healthz, methods=["GET"]),
        StarletteRoute("/openapi.json", openapi_json, methods=["GET"]),
        StarletteRoute("/docs", docs, methods=["GET"]),
        StarletteRoute(files.ROUTE_PREFIX + "{key:path}", file, methods=["GET", "HEAD"]),
    ]
    api = StarletteRoute("/{path:path}", api_route)
    api.methods = None  # every method: the descriptors, not Starlette, say which a path allows
    route_paths: dict[object, str] = {}
    for page in pages:  # the first path of an endpoint several pages share (the studio's) names them all
        route_paths.setdefault(getattr(page, "endpoint", None), getattr(page, "path", UNMATCHED))
    app = Starlette(routes=[*pages, api], lifespan=lifespan,
                    middleware=[Middleware(Observed, route_paths=route_paths)],
                    exception_handlers={HTTPException: http_error, Exception: server_error})
    app.state.gateway = gateway
    return app
