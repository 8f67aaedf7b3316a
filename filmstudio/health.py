"""Is a service up? grpc.health.v1 for the gRPC services, GET /healthz for the REST gateway."""

from __future__ import annotations

import asyncio

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from filmstudio.config import parse_addr


async def check(addr: str, service: str = "", timeout_s: float = 1.0) -> str:
    """The health status name (SERVING, NOT_SERVING, ...) or UNREACHABLE."""
    async with grpc.aio.insecure_channel(addr) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            reply = await stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout_s)
        except grpc.aio.AioRpcError as exc:
            return "UNREACHABLE" if exc.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED) \
                else exc.code().name
    return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)


async def wait_serving(addr: str, timeout_s: float, service: str = "") -> bool:
    """Poll until SERVING or the timeout; True if it came up."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline:
        if await check(addr, service) == "SERVING":
            return True
        await asyncio.sleep(0.2)
    return False


async def http_ok(addr: str, path: str = "/healthz") -> bool:
    host, port = parse_addr(addr)
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 1.0)
    except (OSError, asyncio.TimeoutError):
        return False
    try:
        writer.write(f"GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), 2.0)
        return b" 200 " in status
    except (OSError, asyncio.TimeoutError):
        return False
    finally:
        writer.close()
