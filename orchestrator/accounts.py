"""What AuthService and AccountService do: sign-up and sign-in (argon2id passwords, a lockout after
5 failures in a row for 15 minutes, or an OpenID Connect ID token), sessions (a 15-minute access JWT
and a rotating 30-day refresh token), personal API tokens, and the account's balance and ledger.

The orchestrator signs the tokens of its accounts with the HS256 key every service verifies
(FILMSTUDIO_JWT_SECRET); without one (a deployment on a JWKS alone) password accounts are off."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import hashlib
import re
import secrets
import time
from collections.abc import Callable

import argon2
import httpx
import jwt

from filmstudio import auth
from filmstudio.errors import FailedPrecondition, InvalidArgument, ResourceExhausted, Unauthenticated
from filmstudio.v1 import account_pb2
from orchestrator.db import Database
from orchestrator.db.accounts import ApiTokenRecord, UserRecord
from orchestrator.db.records import timestamp
from orchestrator.paging import decode_ledger_token, encode_ledger_token

PASSWORD_MIN_CHARS = 10
PASSWORD_MAX_CHARS = 1024  # argon2 takes any length; this bounds the work a request can ask for
SIGN_IN_ATTEMPTS = 5  # wrong passwords in a row before the lockout
LOCKOUT = datetime.timedelta(minutes=15)
ACCESS_TTL_S = 15 * 60
REFRESH_TTL = datetime.timedelta(days=30)
API_TOKEN_TTL = datetime.timedelta(days=90)
API_TOKEN_TTL_BOUNDS = (datetime.timedelta(hours=1), datetime.timedelta(days=365))
MAX_DISPLAY_NAME = 100
LEDGER_PAGE = (50, 1000)  # default and most entries per page
# How long a token's session or revocation is taken as read (the interceptor asks on every call).
REVOCATION_CACHE_S = 10.0
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(?:\.[^@\s.]+)+")
MAX_EMAIL = 254


def account_name(user_id: str) -> str:
    return f"accounts/{user_id}"


def token_name(token_id: str) -> str:
    return f"account/tokens/{token_id}"


def _hash(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()


def check_email(email: str) -> str:
    """The email in lower case; InvalidArgument for one that is not an address."""
    email = email.strip().lower()
    if len(email) > MAX_EMAIL or not EMAIL.fullmatch(email):
        raise InvalidArgument(f"email {email[:60]!r} is not an email address")
    return email


def check_password(password: str) -> str:
    if len(password) < PASSWORD_MIN_CHARS:
        raise InvalidArgument(f"password is {len(password)} characters; use at least {PASSWORD_MIN_CHARS}")
    if len(password) > PASSWORD_MAX_CHARS:
        raise InvalidArgument(f"password is over {PASSWORD_MAX_CHARS} characters")
    return password


def check_display_name(name: str, field: str = "display_name") -> str:
    name = name.strip()
    if len(name) > MAX_DISPLAY_NAME or any(ord(c) < 32 for c in name):
        raise InvalidArgument(f"{field} must be at most {MAX_DISPLAY_NAME} printable characters")
    return name


def _ttl(request: account_pb2.CreateApiTokenRequest) -> datetime.timedelta:
    if not request.HasField("ttl"):
        return API_TOKEN_TTL
    ttl = request.ttl.ToTimedelta()
    low, high = API_TOKEN_TTL_BOUNDS
    if not low <= ttl <= high:
        raise InvalidArgument(f"ttl {ttl} is out of range: from {low} to {high.days} days")
    return ttl


@dataclasses.dataclass
class OidcProvider:
    """The OpenID Connect provider ID tokens are checked against: issuer, our client id, its keys."""

    issuer: str
    client_id: str
    keys: Callable[[str], object]  # the signing key for a token (PyJWKClient.get_signing_key_from_jwt)

    def claims(self, id_token: str, nonce: str) -> dict:
        try:
            key = self.keys(id_token)
            claims = jwt.decode(id_token, getattr(key, "key", key), algorithms=["RS256", "ES256"],
                                audience=self.client_id, issuer=self.issuer, leeway=auth.LEEWAY_S,
                                options={"require": ["exp", "sub", "iss", "aud"], "verify_iat": False})
        except (jwt.PyJWTError, ValueError, KeyError, httpx.HTTPError) as exc:
            raise Unauthenticated(f"the provider's ID token does not verify: {exc}") from None
        if not nonce or not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
            raise Unauthenticated("the provider's ID token does not carry this sign-in's nonce")
        return claims


def oidc_provider(issuer: str, client_id: str) -> OidcProvider:
    """The provider at `issuer`: its discovery document and keys are fetched on the first sign-in
    (and the keys cached), so the orchestrator starts while the provider is away."""
    clients: list[jwt.PyJWKClient] = []

    def keys(id_token: str) -> object:
        if not clients:
            discovery = httpx.get(issuer.rstrip("/") + "/.well-known/openid-configuration", timeout=10).json()
            clients.append(jwt.PyJWKClient(discovery["jwks_uri"], cache_keys=True, lifespan=300))
        return clients[0].get_signing_key_from_jwt(id_token)

    return OidcProvider(issuer, client_id, keys)


class Accounts:
    """The accounts of one orchestrator process."""

    def __init__(self, db: Database, secret: str, oidc: OidcProvider | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.secret = secret
        self.oidc = oidc
        self.clock = clock
        self.hasher = argon2.PasswordHasher()  # argon2id, the library's (RFC 9106) parameters
        self._dummy_hash: str | None = None
        self._revocations: dict[str, tuple[str, float]] = {}

    # --- signing in ------------------------------------------------------------------------------------

    async def sign_up(self, request: account_pb2.SignUpRequest) -> account_pb2.Session:
        self._check_signing()
        email = check_email(request.email)
        password = check_password(request.password)
        display_name = check_display_name(request.display_name) or email.partition("@")[0]
        password_hash = await asyncio.to_thread(self.hasher.hash, password)
        user = await self.db.create_user(email, password_hash, display_name)
        return await self._session(user)

    async def sign_in(self, request: account_pb2.SignInRequest) -> account_pb2.Session:
        self._check_signing()
        wrong = "wrong email or password"
        try:
            email = check_email(request.email)
        except InvalidArgument:
            raise Unauthenticated(wrong) from None
        user = await self.db.user_by_email(email)
        if user is None or not user.password_hash:
            await asyncio.to_thread(self._verify, self._dummy(), request.password)  # same time as a real one
            raise Unauthenticated(wrong)
        now = self._now()
        if user.locked_until is not None and user.locked_until > now:
            minutes = max(1, round((user.locked_until - now).total_seconds() / 60))
            raise ResourceExhausted(f"too many wrong passwords: the account is locked for {minutes} more minutes")
        if not await asyncio.to_thread(self._verify, user.password_hash, request.password):
            after = await self.db.sign_in_failed(user.id, SIGN_IN_ATTEMPTS, LOCKOUT)
            if after.locked_until is not None and after.locked_until > now:
                raise ResourceExhausted(f"{wrong}; that was {SIGN_IN_ATTEMPTS} in a row, so the account is locked "
                                        f"for {LOCKOUT.seconds // 60} minutes")
            left = SIGN_IN_ATTEMPTS - after.failed_sign_ins
            raise Unauthenticated(f"{wrong}; {left} more and the account is locked for {LOCKOUT.seconds // 60} minutes")
        rehash = self.hasher.check_needs_rehash(user.password_hash)
        await self.db.sign_in_succeeded(user.id, await asyncio.to_thread(self.hasher.hash, request.password)
                                        if rehash else None)
        return await self._session(user)

    async def sign_in_oidc(self, request: account_pb2.SignInWithOidcRequest) -> account_pb2.Session:
        self._check_signing()
        if self.oidc is None:
            raise FailedPrecondition("sign-in through OpenID Connect is not configured (FILMSTUDIO_OIDC_ISSUER)")
        claims = await asyncio.to_thread(self.oidc.claims, request.id_token, request.nonce)
        email = str(claims.get("email", "")).lower() if claims.get("email_verified") else ""
        name = check_display_name(str(claims.get("name") or claims.get("preferred_username") or email or "")[:100])
        user = await self.db.oidc_user(self.oidc.issuer, str(claims["sub"]), email, name)
        return await self._session(user)

    async def refresh(self, request: account_pb2.RefreshSessionRequest) -> account_pb2.Session:
        self._check_signing()
        refresh_token, expires = self._new_refresh_token()
        session_id, user_id = await self.db.rotate_session(_hash(request.refresh_token), _hash(refresh_token), expires)
        return self._tokens(await self.db.account(user_id), session_id, refresh_token, expires)

    async def sign_out(self, request: account_pb2.SignOutRequest) -> None:
        session_id = await self.db.end_session(_hash(request.refresh_token))
        self._revocations.pop(f"s:{session_id}", None)  # this replica refuses its access tokens at once

    async def revoked(self, identity: auth.Identity) -> str:
        """Why a verified token no longer counts ("" if it does): its session ended or it was revoked.
        Remembered for REVOCATION_CACHE_S, so a sign-out reaches every replica within that."""
        key = f"s:{identity.session_id}" if identity.session_id else f"t:{identity.token_id}"
        known = self._revocations.get(key)
        if known is not None and known[1] > self.clock():
            return known[0]
        if identity.session_id:
            ended = await self.db.session_ended(identity.session_id)
            reason = "the session has ended; sign in again" if ended else ""
        else:
            reason = "this personal API token was revoked" if await self.db.api_token_revoked(identity.token_id) else ""
        if len(self._revocations) > 10_000:
            self._revocations.clear()
        self._revocations[key] = (reason, self.clock() + REVOCATION_CACHE_S)
        return reason

    # --- the account -----------------------------------------------------------------------------------

    async def get(self, user_id: str) -> account_pb2.Account:
        return self._account(await self.db.account(user_id))

    async def ledger(self, user_id: str, request: account_pb2.ListLedgerEntriesRequest) -> account_pb2.ListLedgerEntriesResponse:
        default, most = LEDGER_PAGE
        if not 0 <= request.page_size <= most:
            raise InvalidArgument(f"page_size {request.page_size} is out of range: 1-{most}, or 0 for {default}")
        size = request.page_size or default
        before = decode_ledger_token(request.page_token) if request.page_token else None
        await self.db.account(user_id)  # this month's grant first, so it shows
        entries, more = await self.db.ledger_page(user_id, size, before)
        return account_pb2.ListLedgerEntriesResponse(
            entries=[account_pb2.LedgerEntry(
                create_time=timestamp(e.created_at), delta_seconds=e.delta_s, balance_seconds=e.balance_s,
                reason=e.reason, film=f"films/{e.film_id}" if e.film_id else "", description=e.description)
                for e in entries],
            next_page_token=encode_ledger_token(entries[-1].id) if more else "")

    async def create_token(self, user_id: str, request: account_pb2.CreateApiTokenRequest) -> account_pb2.CreateApiTokenResponse:
        self._check_signing()
        name = check_display_name(request.display_name)
        if not name:
            raise InvalidArgument("display_name is empty; say what the token is for")
        ttl = _ttl(request)
        record = await self.db.create_api_token(user_id, name, self._now() + ttl)
        secret = auth.mint_token(user_id, self.secret, int(ttl.total_seconds()), self.clock(), typ=auth.PERSONAL,
                                 jti=record.id)
        return account_pb2.CreateApiTokenResponse(token=_token(record), secret=secret)

    async def list_tokens(self, user_id: str) -> account_pb2.ListApiTokensResponse:
        return account_pb2.ListApiTokensResponse(tokens=[_token(r) for r in await self.db.list_api_tokens(user_id)])

    async def delete_token(self, user_id: str, name: str) -> None:
        collection, _, token_id = name.rpartition("/")
        if collection != "account/tokens" or not re.fullmatch(r"[0-9a-f]{16}", token_id):
            raise InvalidArgument(f"name {name[:60]!r} is not account/tokens/{{token}}")
        await self.db.revoke_api_token(user_id, token_id)
        self._revocations.pop(f"t:{token_id}", None)  # this replica refuses it at once

    # --- pieces ----------------------------------------------------------------------------------------

    def _check_signing(self) -> None:
        if not self.secret:
            raise FailedPrecondition("accounts need a signing key: set FILMSTUDIO_JWT_SECRET (at least 32 bytes)")

    def _now(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self.clock(), datetime.UTC)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password[:PASSWORD_MAX_CHARS])
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    def _new_refresh_token(self) -> tuple[str, datetime.datetime]:
        """A new refresh token, and when it lapses unless used."""
        return "fsr_" + secrets.token_urlsafe(32), self._now() + REFRESH_TTL

    async def _session(self, user: UserRecord) -> account_pb2.Session:
        refresh_token, expires = self._new_refresh_token()
        session_id = await self.db.create_session(user.id, _hash(refresh_token), expires)
        return self._tokens(await self.db.account(user.id), session_id, refresh_token, expires)

    def _tokens(self, user: UserRecord, session_id: str, refresh_token: str,
                refresh_expires: datetime.datetime) -> account_pb2.Session:
        access = auth.mint_token(user.id, self.secret, ACCESS_TTL_S, self.clock(), typ=auth.ACCESS, sid=session_id)
        return account_pb2.Session(
            account=self._account(user), access_token=access,
            access_expire_time=timestamp(self._now() + datetime.timedelta(seconds=ACCESS_TTL_S)),
            refresh_token=refresh_token, refresh_expire_time=timestamp(refresh_expires))

    def _account(self, user: UserRecord) -> account_pb2.Account:
        return account_pb2.Account(name=account_name(user.id), email=user.email, display_name=user.display_name,
                                   balance_seconds=user.balance_s, monthly_grant_seconds=self.db.monthly_grant_s,
                                   create_time=timestamp(user.created_at))


def _token(record: ApiTokenRecord) -> account_pb2.ApiToken:
    return account_pb2.ApiToken(name=token_name(record.id), display_name=record.display_name,
                                create_time=timestamp(record.created_at), expire_time=timestamp(record.expires_at))

