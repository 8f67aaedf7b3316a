"""ListFilms page tokens: an opaque, URL-safe encoding of where the last page ended (keyset paging
on the film's creation time and id, so pages stay stable while films are created)."""

from __future__ import annotations

import base64
import binascii
import datetime
import json

from filmstudio.errors import InvalidArgument


def encode_page_token(created_at: datetime.datetime, film_id: str) -> str:
    raw = json.dumps({"c": created_at.isoformat(), "i": film_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_page_token(token: str) -> tuple[datetime.datetime, str]:
    """(created_at, film id) of the last film before the page; InvalidArgument for a token we did not issue."""
    try:
        cursor = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        created_at = datetime.datetime.fromisoformat(cursor["c"])
        if created_at.tzinfo is None or not isinstance(cursor["i"], str):
            raise ValueError
        return created_at, cursor["i"]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidArgument(f"page_token {token[:40]!r} is not one this service issued") from None
