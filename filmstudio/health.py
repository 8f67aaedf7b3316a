"""Client side of grpc.health.v1: is a service at an address SERVING?"""

from __future__ import annotations

import asyncio

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


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
