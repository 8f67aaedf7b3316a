"""FilmService over gRPC: a thin shell that names the caller and hands the request to Films.

The caller is the subject of the bearer token the call carries, verified by filmstudio.auth's
TokenInterceptor before any handler runs; nothing else says who is calling."""

from __future__ import annotations

from google.protobuf import empty_pb2

from filmstudio.auth import CALLER
from filmstudio.v1 import film_pb2, film_pb2_grpc
from orchestrator.films import Films, parse

SERVICE = film_pb2.DESCRIPTOR.services_by_name["FilmService"].full_name


def caller() -> str:
    return CALLER.get()


class FilmService(film_pb2_grpc.FilmServiceServicer):
    def __init__(self, films: Films) -> None:
        self.films = films

    async def ParseScript(self, request, context):
        return parse(request.script, request.settings, request.cast)

    async def CreateFilm(self, request, context):
        return await self.films.create(caller(), request)

    async def GetFilm(self, request, context):
        return await self.films.get(caller(), request.name)

    async def ListFilms(self, request, context):
        return await self.films.list(caller(), request)

    async def WatchFilm(self, request, context):
        async for event in self.films.watch(caller(), request):
            yield event

    async def CancelFilm(self, request, context):
        return await self.films.cancel(caller(), request.name)

    async def DeleteFilm(self, request, context):
        await self.films.delete(caller(), request.name)
        return empty_pb2.Empty()

    async def UndeleteFilm(self, request, context):
        return await self.films.undelete(caller(), request.name)

    async def RegenerateShot(self, request, context):
        return await self.films.regenerate(caller(), request)

    async def ListCharacters(self, request, context):
        return await self.films.cast.list(caller(), request.parent)

    async def GetCharacter(self, request, context):
        return await self.films.cast.get(caller(), request.name)

    async def UpdateCharacter(self, request, context):
        return await self.films.cast.update(caller(), request)


__all__ = ["FilmService", "SERVICE"]
