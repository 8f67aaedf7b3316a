"""FilmService over gRPC: a thin shell that names the caller and hands the request to Films."""

from __future__ import annotations

import grpc
from google.protobuf import empty_pb2

from filmstudio.identity import LOCAL_USER, USER_METADATA_KEY
from filmstudio.v1 import film_pb2, film_pb2_grpc
from orchestrator.films import Films, parse



def caller(context: grpc.aio.ServicerContext) -> str:
    for key, value in context.invocation_metadata() or ():
        if key == USER_METADATA_KEY and value:
            return value
    return LOCAL_USER


class FilmService(film_pb2_grpc.FilmServiceServicer):
    def __init__(self, films: Films) -> None:
        self.films = films

    async def ParseScript(self, request, context):
        return parse(request.script, request.settings)

    async def CreateFilm(self, request, context):
        return await self.films.create(caller(context), request)

    async def GetFilm(self, request, context):
        return await self.films.get(caller(context), request.name)

    async def ListFilms(self, request, context):
        return await self.films.list(caller(context), request)

    async def WatchFilm(self, request, context):
        async for event in self.films.watch(caller(context), request):
            yield event

    async def CancelFilm(self, request, context):
        return await self.films.cancel(caller(context), request.name)

    async def DeleteFilm(self, request, context):
        await self.films.delete(caller(context), request.name)
        return empty_pb2.Empty()

    async def RegenerateShot(self, request, context):
        return await self.films.regenerate(caller(context), request)


__all__ = ["FilmService", "film_pb2"]
