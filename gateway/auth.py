"""Who is calling: JWT bearer tokens and a per-user rate limit.

Development tokens are HS256 with the configured key (`filmstudio token` mints one). Production sets
FILMSTUDIO_JWKS_URL to an https:// JWKS endpoint or a JWKS file, and then only RS256 tokens signed by
one of its keys are accepted. The verified `sub` is the user every call is scoped to.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import pathlib
import time
import urllib.parse

import jwt

# Leeway for clocks that disagree a little between the issuer and us.
LEEWAY_S = 30
# Verified tokens remembered (token -> subject until it expires): a browser or client sends the same
# token with every request, and checking a signature costs more than the rest of a GetFilm's own work.
VERIFIED_CACHE_SIZE = 10_000


class AuthError(Exception):
    """No token, a malformed one, a bad signature, an expired one. Maps to 401."""


def mint_token(subject: str, secret: str, ttl_s: int) -> str:
    """An HS256 development token for `subject`, valid for ttl_s seconds."""
    if not subject:
        raise ValueError("a token needs a subject")
    now = int(time.time())
    return jwt.encode({"sub": subject, "iat": now, "exp": now + int(ttl_s)}, secret, algorithm="HS256")


class Verifier:
    """Verifies bearer tokens: HS256 with `secret`, or RS256 against a JWKS (URL or file) when given."""

    def __init__(self, secret: str, jwks_url: str = "", clock=time.time) -> None:
        self.secret = secret
        self.jwks_url = jwks_url
        self.clock = clock
        self._verified: dict[str, tuple[str, float]] = {}
        self._jwk_client: jwt.PyJWKClient | None = None
        self._jwk_set: jwt.PyJWKSet | None = None
        if jwks_url.startswith(("http://", "https://")):
            self._jwk_client = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300)
        elif jwks_url:
            path = pathlib.Path(urllib.parse.urlparse(jwks_url).path if jwks_url.startswith("file:") else jwks_url)
            self._jwk_set = jwt.PyJWKSet.from_dict(json.loads(path.read_text()))

    async def subject(self, authorization: str | None) -> str:
        """The verified subject of an `Authorization: Bearer <jwt>` header; AuthError otherwise."""
        if not authorization:
            raise AuthError("missing Authorization: Bearer <token> (mint one with `filmstudio token`)")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("Authorization header must be 'Bearer <token>'")
        return await self.verify(token.strip())

    async def verify(self, token: str) -> str:
        """The subject of a valid token; AuthError otherwise. A token verified before is looked up,
        and still refused once it has expired."""
        known = self._verified.get(token)
        if known is not None:
            subject, expires = known
            if self.clock() <= expires + LEEWAY_S:
                return subject
            del self._verified[token]
        subject, expires = await self._verify_signature(token)
        if self.clock() > expires + LEEWAY_S:
            raise AuthError("token expired")
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()  # crude, but bounded; the next requests re-verify
        self._verified[token] = (subject, expires)
        return subject

    async def _verify_signature(self, token: str) -> tuple[str, float]:
        try:
            if self.jwks_url:
                key = await self._rsa_key(token)
                claims = jwt.decode(token, key, algorithms=["RS256"], leeway=LEEWAY_S,
                                    options={"require": ["exp", "sub"], "verify_aud": False})
            else:
                claims = jwt.decode(token, self.secret, algorithms=["HS256"], leeway=LEEWAY_S,
                                    options={"require": ["exp", "sub"], "verify_aud": False})
        except jwt.ExpiredSignatureError:
            raise AuthError("token expired") from None
        except jwt.InvalidSignatureError:
            raise AuthError("token signature does not verify") from None
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid token: {exc}") from None
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise AuthError("token has no subject")
        return subject, float(claims["exp"])

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


@dataclasses.dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per user: `rate_per_s` sustained, `burst` at once."""

    def __init__(self, rate_per_s: float, burst: int, clock=time.monotonic, max_users: int = 100_000) -> None:
        self.rate = rate_per_s
        self.burst = burst
        self.clock = clock
        self.max_users = max_users
        self._buckets: dict[str, _Bucket] = {}

    def take(self, user: str) -> float:
        """0 if the request may go ahead, else the seconds until it may (for Retry-After)."""
        now = self.clock()
        bucket = self._buckets.get(user)
        if bucket is None:
            if len(self._buckets) >= self.max_users:
                self._forget_full(now)
            bucket = self._buckets[user] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def _forget_full(self, now: float) -> None:
        # Buckets that have refilled carry no state worth keeping.
        self._buckets = {u: b for u, b in self._buckets.items()
                         if b.tokens + (now - b.updated) * self.rate < self.burst}
