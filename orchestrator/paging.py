"""Page tokens: an opaque, URL-safe encoding of where the last page ended (keyset paging, so pages
stay stable while rows are added): ListFilms' on the film's creation time and id, ListLedgerEntries'
on the entry's id, ListWebhookDeliveries' on the delivery's sequence."""

from __future__ import annotations

import base64
import binascii
import datetime
import json

from filmstudio.errors import InvalidArgument


def _encode(cursor: dict) -> str:
    raw = json.dumps(cursor, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str) -> dict:
    cursor = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    if not isinstance(cursor, dict):
        raise ValueError
    return cursor


def _not_ours(token: str) -> InvalidArgument:
    return InvalidArgument(f"page_token {token[:40]!r} is not one this service issued")


def encode_page_token(created_at: datetime.datetime, film_id: str) -> str:
    return _encode({"c": created_at.isoformat(), "i": film_id})


def decode_page_token(token: str) -> tuple[datetime.datetime, str]:
    """(created_at, film id) of the last film before the page; InvalidArgument for a token we did not issue."""
    try:
        cursor = _decode(token)
        created_at = datetime.datetime.fromisoformat(cursor["c"])
        if created_at.tzinfo is None or not isinstance(cursor["i"], str):
            raise ValueError
        return created_at, cursor["i"]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _not_ours(token) from None


def encode_ledger_token(entry_id: int) -> str:
    return _encode({"l": entry_id})


def decode_ledger_token(token: str) -> int:
    """The id of the last ledger entry before the page; InvalidArgument for a token we did not issue."""
    try:
        entry_id = _decode(token)["l"]
        if not isinstance(entry_id, int):
            raise ValueError
        return entry_id
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _not_ours(token) from None


def encode_delivery_token(seq: int) -> str:
    return _encode({"d": seq})


def decode_delivery_token(token: str) -> int:
    """The sequence of the last webhook delivery before the page; InvalidArgument for a token we did not issue."""
    try:
        seq = _decode(token)["d"]
        if not isinstance(seq, int):
            raise ValueError
        return seq
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _not_ours(token) from None
