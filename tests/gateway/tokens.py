"""The HS256 key the gateway tests sign with, and a helper for one user's Authorization header."""

from __future__ import annotations

from filmstudio.auth import mint_token

SECRET = "test-secret-of-at-least-thirty-two-bytes"


def bearer(user: str, secret: str = SECRET, ttl_s: int = 600) -> dict[str, str]:
    return {"Authorization": "Bearer " + mint_token(user, secret, ttl_s)}
