"""The gRPC server shell every service uses: health checking, reflection, one error mapping,
graceful shutdown on SIGINT/SIGTERM, and a one-line reason when it cannot start.

A service module provides a `register(server) -> list[str]` that adds its servicers and returns their
full service names; `run_service` does the rest.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from filmstudio.config import ConfigError, parse_addr
from filmstudio.errors import FilmStudioError
from filmstudio.process import stop_event

log = logging.getLogger(__name__)

Register = Callable[[grpc.aio.Server], Awaitable[list[str]]]


class StartupError(RuntimeError):
    """The service cannot start; the message is the one line printed before exiting non-zero."""


def _abort_code(exc: BaseException) -> tuple[grpc.StatusCode, str]:
    if isinstance(exc, FilmStudioError):
        return exc.code, exc.message
    return grpc.StatusCode.INTERNAL, f"internal error: {type(exc).__name__}: {exc}"


class ErrorMappingInterceptor(grpc.aio.ServerInterceptor):
    """Turns a FilmStudioError raised by any handler into its gRPC status, and logs unexpected errors
    once instead of leaking a traceback to the caller."""

    async def intercept_service(self, continuation, handler_call_details):
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method

        def wrap_unary(behavior):
            async def call(request, context):
                try:
                    return await behavior(request, context)
                except (FilmStudioError, Exception) as exc:
                    if isinstance(exc, asyncio.CancelledError):
                        raise
                    await _abort(context, exc, method)
            return call

        def wrap_stream(behavior):
            async def call(request, context):
                try:
                    async for item in behavior(request, context):
                        yield item
                except (FilmStudioError, Exception) as exc:
                    await _abort(context, exc, method)
            return call

        return rewrap(handler, wrap_unary, wrap_stream)


def rewrap(handler: grpc.RpcMethodHandler, unary: Callable[[Callable], Callable],
           stream: Callable[[Callable], Callable]) -> grpc.RpcMethodHandler:
    """The handler with its behaviour wrapped by `unary` (unary-unary methods) or `stream` (unary-stream
    ones); other kinds as they are. What a server interceptor returns."""
    if handler.unary_unary:
        return grpc.unary_unary_rpc_method_handler(
            unary(handler.unary_unary), handler.request_deserializer, handler.response_serializer)
    if handler.unary_stream:
        return grpc.unary_stream_rpc_method_handler(
            stream(handler.unary_stream), handler.request_deserializer, handler.response_serializer)
    return handler


async def _abort(context: grpc.aio.ServicerContext, exc: BaseException, method: str) -> None:
    if isinstance(exc, grpc.aio.AbortError):  # context.abort() already called by the handler
        raise exc
    code, message = _abort_code(exc)
    if code == grpc.StatusCode.INTERNAL:
        log.exception("%s failed", method)
    await context.abort(code, message)


def new_server(max_message_mb: int = 16, interceptors: Sequence[grpc.aio.ServerInterceptor] = ()) -> grpc.aio.Server:
    """A grpc.aio server with our error mapping (outermost, so it also maps what `interceptors` raise)
    and deliberate message limits."""
    limit = max_message_mb * 1024 * 1024
    return grpc.aio.server(
        interceptors=[ErrorMappingInterceptor(), *interceptors],
        options=[("grpc.max_send_message_length", limit), ("grpc.max_receive_message_length", limit),
                 ("grpc.so_reuseport", 0)],
    )


async def start(register: Register, addr: str, name: str, *,
                interceptors: Sequence[grpc.aio.ServerInterceptor] = (),
                credentials: grpc.ServerCredentials | None = None) -> tuple[grpc.aio.Server, health.aio.HealthServicer]:
    """Build, register and start a server on addr; health says SERVING for every service. With
    `credentials` (filmstudio.tls) the port speaks TLS only."""
    server = new_server(interceptors=interceptors)
    services = await register(server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        [*services, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME], server)
    parse_addr(addr, f"{name} address")
    try:
        port = server.add_secure_port(addr, credentials) if credentials else server.add_insecure_port(addr)
    except RuntimeError as exc:
        raise StartupError(f"{name}: cannot listen on {addr}: {exc}") from None
    if port == 0:
        raise StartupError(f"{name}: cannot listen on {addr} (port taken or address not local)")
    await server.start()
    for service in ["", *services]:
        await health_servicer.set(service, health_pb2.HealthCheckResponse.SERVING)
    return server, health_servicer


async def serve(register: Register, addr: str, name: str,
                on_stop: Callable[[], Awaitable[None]] | None = None, *,
                interceptors: Sequence[grpc.aio.ServerInterceptor] = (),
                credentials: grpc.ServerCredentials | None = None) -> None:
    """Serve until SIGINT/SIGTERM, then drain in-flight calls for a few seconds and stop."""
    server, health_servicer = await start(register, addr, name, interceptors=interceptors, credentials=credentials)
    log.info("%s serving on %s", name, addr)
    await stop_event().wait()
    log.info("%s stopping", name)
    await health_servicer.enter_graceful_shutdown()
    await server.stop(grace=5)
    if on_stop is not None:
        await on_stop()


def run_service(main: Callable[[], Awaitable[None]], name: str) -> None:
    """Run a service's async main; a start-up failure is one line on stderr and exit status 1."""
    try:
        asyncio.run(main())
    except (StartupError, ConfigError, FilmStudioError) as exc:
        print(f"{name}: {exc}" if not str(exc).startswith(name) else str(exc), file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        pass
