"""Who is calling: JWT bearer tokens, verified by whoever serves the user (the REST gateway and the
orchestrator alike), so no service trusts a user name it is merely told.

Development tokens are HS256 with a key of at least 32 bytes (FILMSTUDIO_JWT_SECRET; `filmstudio up`
makes a random one under the data directory on first run, `filmstudio token` mints tokens with it).
Production sets FILMSTUDIO_JWKS_URL to an https:// JWKS endpoint or a JWKS file, and then RS256 tokens
signed by one of its keys are accepted, and HS256 ones only if the orchestrator's accounts issued them
(a session's access token or a personal API token, told by their `typ` claim): a development token
minted by `filmstudio token` is refused. The verified `sub` is the user every call is scoped to; over
gRPC the token travels as `authorization: Bearer <jwt>` metadata.

Tokens the accounts issue name what they belong to: `sid`, the session (an access token), or `jti`,
the personal API token; the orchestrator refuses them once that session ends or that token is revoked.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import json
import os
import pathlib
import secrets
import time
import urllib.parse
from collections.abc import Awaitable, Callable

import grpc
import jwt

from filmstudio.config import Config, ConfigError
from filmstudio.errors import Unauthenticated
from filmstudio.server import rewrap

# Leeway for clocks that disagree a little between the issuer and us.
LEEWAY_S = 30
MIN_SECRET_BYTES = 32
AUTHORIZATION = "authorization"  # the gRPC metadata key (HTTP/2 header names are lower case)
DEVELOPMENT_KEY_FILE = "jwt-secret"  # under the data directory, made by `filmstudio up`
# Verified tokens remembered (token -> subject until it expires): a browser or client sends the same
# token with every request, and checking a signature costs more than the rest of a GetFilm's own work.
VERIFIED_CACHE_SIZE = 10_000


# The `typ` claim of the tokens the orchestrator's accounts issue.
ACCESS = "access"  # a session's short-lived access token; carries `sid`
PERSONAL = "pat"  # a personal API token; carries `jti`
ISSUED_TYPES = (ACCESS, PERSONAL)


class AuthError(Exception):
    """No token, a malformed one, a bad signature, an expired one. Maps to 401."""


@dataclasses.dataclass(frozen=True)
class Identity:
    """What a verified token says: who, until when, and what it belongs to (if the accounts issued it)."""

    subject: str
    expires: float
    session_id: str = ""  # an access token's session
    token_id: str = ""  # a personal API token's id


def mint_token(subject: str, secret: str, ttl_s: int, now: float | None = None, **claims: str) -> str:
    """An HS256 token for `subject`, valid for ttl_s seconds from `now` (default: the clock's now): a
    development token, or with `typ` and `sid`/`jti` claims one the accounts issue."""
    if not subject:
        raise ValueError("a token needs a subject")
    now = int(time.time() if now is None else now)
    return jwt.encode({"sub": subject, "iat": now, "exp": now + int(ttl_s), **claims}, secret, algorithm="HS256")


class Verifier:
    """Verifies bearer tokens: HS256 with `secret`, or RS256 against a JWKS (URL or file) when given."""

    def __init__(self, secret: str, jwks_url: str = "", clock=time.time) -> None:
        self.secret = secret
        self.jwks_url = jwks_url
        self.clock = clock
        self._verified: dict[str, Identity] = {}
        self._jwk_client: jwt.PyJWKClient | None = None
        self._jwk_set: jwt.PyJWKSet | None = None
        if jwks_url.startswith(("http://", "https://")):
            self._jwk_client = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300)
        elif jwks_url:
            path = pathlib.Path(urllib.parse.urlparse(jwks_url).path if jwks_url.startswith("file:") else jwks_url)
            self._jwk_set = jwt.PyJWKSet.from_dict(json.loads(path.read_text()))

    async def subject(self, authorization: str | None) -> str:
        """The verified subject of an `Authorization: Bearer <jwt>` header; AuthError otherwise."""
        return (await self.identity(authorization)).subject

    async def identity(self, authorization: str | None) -> Identity:
        """What the token of an `Authorization: Bearer <jwt>` header says; AuthError if it does not verify."""
        if not authorization:
            raise AuthError("missing Authorization: Bearer <token> (sign in, or mint one with `filmstudio token`)")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("Authorization header must be 'Bearer <token>'")
        return await self.verify_identity(token.strip())

    async def verify(self, token: str) -> str:
        """The subject of a valid token; AuthError otherwise."""
        return (await self.verify_identity(token)).subject

    async def verify_identity(self, token: str) -> Identity:
        """What a valid token says; AuthError otherwise. A token verified before is looked up, and
        still refused once it has expired."""
        known = self._verified.get(token)
        if known is not None:
            if self.clock() <= known.expires + LEEWAY_S:
                return known
            del self._verified[token]
        identity = await self._verify_signature(token)
        if self.clock() > identity.expires + LEEWAY_S:
            raise AuthError("token expired")
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()  # crude, but bounded; the next requests re-verify
        self._verified[token] = identity
        return identity

    async def _verify_signature(self, token: str) -> Identity:
        # Expiry is checked against our own clock (verify_identity), not PyJWT's.
        options = {"require": ["exp", "sub"], "verify_aud": False, "verify_exp": False, "verify_iat": False,
                   "verify_nbf": False}
        try:
            issued = jwt.get_unverified_header(token).get("alg") == "HS256"
            if issued and self.secret:
                claims = jwt.decode(token, self.secret, algorithms=["HS256"], leeway=LEEWAY_S, options=options)
                if self.jwks_url and claims.get("typ") not in ISSUED_TYPES:
                    raise AuthError("development tokens are refused here: sign in, or use a personal API token")
            elif self.jwks_url:
                key = await self._rsa_key(token)
                claims = jwt.decode(token, key, algorithms=["RS256"], leeway=LEEWAY_S, options=options)
            else:
                raise AuthError("token is not HS256-signed")
        except jwt.InvalidSignatureError:
            raise AuthError("token signature does not verify") from None
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid token: {exc}") from None
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise AuthError("token has no subject")
        issued_type = claims.get("typ")
        return Identity(subject, float(claims["exp"]),
                        session_id=str(claims.get("sid", "")) if issued_type == ACCESS else "",
                        token_id=str(claims.get("jti", "")) if issued_type == PERSONAL else "")

    async def _rsa_key(self, token: str):
        if self._jwk_client is not None:
            # PyJWKClient fetches over blocking HTTP (cached afterwards): keep it off the event loop.
            return (await asyncio.to_thread(self._jwk_client.get_signing_key_from_jwt, token)).key
        assert self._jwk_set is not None
        kid = jwt.get_unverified_header(token).get("kid")
        for jwk in self._jwk_set.keys:
            if kid is None or jwk.key_id == kid:
                return jwk.key
        raise AuthError(f"no key {kid!r} in the JWKS")


def check_secret(secret: str, jwks_url: str) -> None:
    """ConfigError saying which variable to set unless there is a JWKS URL or a key of 32+ bytes."""
    if jwks_url:
        return
    if not secret:
        raise ConfigError("no token key: set FILMSTUDIO_JWT_SECRET (at least 32 bytes) or FILMSTUDIO_JWKS_URL "
                          "(`filmstudio up` makes a development key for the local mesh)")
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise ConfigError(f"FILMSTUDIO_JWT_SECRET is {len(secret.encode())} bytes; use at least {MIN_SECRET_BYTES}")


def verifier_for(config: Config) -> Verifier:
    """The verifier a service uses; refuses (ConfigError) to run without a real key."""
    check_secret(config.jwt_secret, config.jwks_url)
    return Verifier(config.jwt_secret, config.jwks_url)


def development_secret(data_dir: pathlib.Path) -> str:
    """The local mesh's HS256 key: read from the data directory, made (random, owner-only) on first use."""
    path = data_dir / DEVELOPMENT_KEY_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(key + "\n")
    return key


def bearer_metadata(token: str) -> tuple[tuple[str, str], ...]:
    """gRPC metadata carrying a bearer token (for a channel without call credentials)."""
    return ((AUTHORIZATION, f"Bearer {token}"),)


# The verified user of the call being served (set by TokenInterceptor).
CALLER: contextvars.ContextVar[str] = contextvars.ContextVar("filmstudio_caller")


class TokenInterceptor(grpc.aio.ServerInterceptor):
    """Verifies the bearer token of every call to the given services and makes its subject the caller
    (CALLER); a call without a valid token fails UNAUTHENTICATED, naming what is wrong. Health and
    reflection stay open. Place it after ErrorMappingInterceptor, which turns the refusal into a status."""

    def __init__(self, verifier: Verifier, services: tuple[str, ...],
                 revoked: Callable[[Identity], Awaitable[str]] | None = None) -> None:
        self.verifier = verifier
        self.prefixes = tuple(f"/{service}/" for service in services)
        # Says why a verified token no longer counts (its session ended, it was revoked), "" if it does.
        self.revoked = revoked

    async def intercept_service(self, continuation, handler_call_details):
        handler = await continuation(handler_call_details)
        if handler is None or not handler_call_details.method.startswith(self.prefixes):
            return handler
        authenticate = self._authenticate

        def unary(behavior: Callable):
            async def call(request, context):
                CALLER.set(await authenticate(context))
                return await behavior(request, context)
            return call

        def stream(behavior: Callable):
            async def call(request, context):
                CALLER.set(await authenticate(context))
                async for item in behavior(request, context):
                    yield item
            return call

        return rewrap(handler, unary, stream)

    async def _authenticate(self, context: grpc.aio.ServicerContext) -> str:
        values = [value for key, value in context.invocation_metadata() or () if key == AUTHORIZATION]
        if len(values) > 1:
            raise Unauthenticated("more than one authorization metadata value")
        try:
            identity = await self.verifier.identity(values[0] if values else None)
        except AuthError as exc:
            raise Unauthenticated(str(exc)) from None
        if self.revoked is not None and (identity.session_id or identity.token_id):
            reason = await self.revoked(identity)
            if reason:
                raise Unauthenticated(reason)
        return identity.subject
