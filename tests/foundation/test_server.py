"""The server shell: one error mapping, health, reflection, and one-line start-up failures."""

import socket

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from filmstudio import health
from filmstudio.errors import NotFound, ScriptError
from filmstudio.server import StartupError, start
from filmstudio.v1 import film_pb2, film_pb2_grpc


class Failing(film_pb2_grpc.FilmServiceServicer):
    async def ParseScript(self, request, context):
        raise ScriptError("unclosed boneyard /* opened here", line=3, column=5)

    async def GetFilm(self, request, context):
        raise NotFound(f"film {request.name} not found")

    async def ListFilms(self, request, context):
        raise ZeroDivisionError("boom")

    async def WatchFilm(self, request, context):
        yield film_pb2.FilmEvent(sequence=1)
        raise NotFound("film went away")


async def register(server):
    film_pb2_grpc.add_FilmServiceServicer_to_server(Failing(), server)
    return ["filmstudio.v1.FilmService"]


def _free_addr() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture
async def channel():
    addr = _free_addr()
    server, _ = await start(register, addr, "test")
    async with grpc.aio.insecure_channel(addr) as channel:
        yield channel, addr
    await server.stop(None)


async def test_domain_errors_become_their_status_with_the_message(channel):
    stub = film_pb2_grpc.FilmServiceStub(channel[0])
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.ParseScript(film_pb2.ParseScriptRequest(script="x"))
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.value.details() == "line 3, column 5: unclosed boneyard /* opened here"
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.GetFilm(film_pb2.GetFilmRequest(name="films/x"))
    assert error.value.code() == grpc.StatusCode.NOT_FOUND and "films/x" in error.value.details()


async def test_a_bug_is_internal_and_the_server_keeps_serving(channel):
    stub = film_pb2_grpc.FilmServiceStub(channel[0])
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.ListFilms(film_pb2.ListFilmsRequest())
    assert error.value.code() == grpc.StatusCode.INTERNAL and "ZeroDivisionError" in error.value.details()
    assert await health.check(channel[1]) == "SERVING"


async def test_stream_errors_arrive_after_the_items_sent(channel):
    stub = film_pb2_grpc.FilmServiceStub(channel[0])
    seen = []
    with pytest.raises(grpc.aio.AioRpcError) as error:
        async for event in stub.WatchFilm(film_pb2.WatchFilmRequest(name="films/x")):
            seen.append(event.sequence)
    assert seen == [1] and error.value.code() == grpc.StatusCode.NOT_FOUND


async def test_health_and_reflection(channel):
    ch, addr = channel
    reply = await health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(service="filmstudio.v1.FilmService"))
    assert reply.status == health_pb2.HealthCheckResponse.SERVING
    stream = reflection_pb2_grpc.ServerReflectionStub(ch).ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    names = set()
    async for response in stream:
        names |= {s.name for s in response.list_services_response.service}
    assert {"filmstudio.v1.FilmService", "grpc.health.v1.Health"} <= names


async def test_a_taken_port_is_a_startup_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        addr = f"127.0.0.1:{taken.getsockname()[1]}"
        with pytest.raises(StartupError, match=f"cannot listen on {addr}"):
            await start(register, addr, "test")


async def test_unreachable_service_reports_so():
    assert await health.check(_free_addr(), timeout_s=0.5) == "UNREACHABLE"
