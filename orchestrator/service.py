"""FilmService, AccountService and AuthService over gRPC: thin shells that name the caller and hand
the request to Films or Accounts.

The caller is the subject of the bearer token the call carries, verified by filmstudio.auth's
TokenInterceptor before any handler of FilmService or AccountService runs; nothing else says who is
calling. AuthService is open: its calls are how a caller gets a token."""

from __future__ import annotations

from google.protobuf import empty_pb2

from filmstudio.auth import CALLER
from filmstudio.v1 import account_pb2, account_pb2_grpc, film_pb2, film_pb2_grpc
from orchestrator.accounts import Accounts
from orchestrator.films import Films, parse
from orchestrator.webhooks import Webhooks

SERVICE = film_pb2.DESCRIPTOR.services_by_name["FilmService"].full_name
ACCOUNT_SERVICE = account_pb2.DESCRIPTOR.services_by_name["AccountService"].full_name
AUTH_SERVICE = account_pb2.DESCRIPTOR.services_by_name["AuthService"].full_name


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

    async def ExportFilm(self, request, context):
        return await self.films.export(caller(), request)

    async def ListCharacters(self, request, context):
        return await self.films.cast.list(caller(), request.parent)

    async def GetCharacter(self, request, context):
        return await self.films.cast.get(caller(), request.name)

    async def UpdateCharacter(self, request, context):
        return await self.films.cast.update(caller(), request)

    async def PreviewVoice(self, request, context):
        return await self.films.cast.preview_voice(caller(), request)


class AccountService(account_pb2_grpc.AccountServiceServicer):
    def __init__(self, accounts: Accounts, webhooks: Webhooks) -> None:
        self.accounts = accounts
        self.webhooks = webhooks

    async def GetAccount(self, request, context):
        return await self.accounts.get(caller())

    async def ListLedgerEntries(self, request, context):
        return await self.accounts.ledger(caller(), request)

    async def CreateApiToken(self, request, context):
        return await self.accounts.create_token(caller(), request)

    async def ListApiTokens(self, request, context):
        return await self.accounts.list_tokens(caller())

    async def DeleteApiToken(self, request, context):
        await self.accounts.delete_token(caller(), request.name)
        return empty_pb2.Empty()

    async def CreateWebhook(self, request, context):
        return await self.webhooks.create(caller(), request)

    async def ListWebhooks(self, request, context):
        return await self.webhooks.list(caller())

    async def DeleteWebhook(self, request, context):
        await self.webhooks.delete(caller(), request.name)
        return empty_pb2.Empty()

    async def TestWebhook(self, request, context):
        return await self.webhooks.test(caller(), request.name)

    async def ListWebhookDeliveries(self, request, context):
        return await self.webhooks.deliveries(caller(), request)


class AuthService(account_pb2_grpc.AuthServiceServicer):
    def __init__(self, accounts: Accounts) -> None:
        self.accounts = accounts

    async def SignUp(self, request, context):
        return await self.accounts.sign_up(request)

    async def SignIn(self, request, context):
        return await self.accounts.sign_in(request)

    async def SignInWithOidc(self, request, context):
        return await self.accounts.sign_in_oidc(request)

    async def RefreshSession(self, request, context):
        return await self.accounts.refresh(request)

    async def SignOut(self, request, context):
        await self.accounts.sign_out(request)
        return empty_pb2.Empty()


__all__ = ["AccountService", "AuthService", "FilmService", "ACCOUNT_SERVICE", "AUTH_SERVICE", "SERVICE"]
