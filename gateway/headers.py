"""The request headers the gateway reads (and ?access_token=, which stands in for Authorization), each
read and checked here: a value parses, or the request is refused with `BadRequest` naming the header
and what it may be (400; 406 for Accept, 415 for Content-Type). Authorization is the token verifier's
to judge (401). The body is read here too, up to a limit (413, from Content-Length before reading
when it says so). Header values arrive as latin-1 text, so nothing here trusts str.isdigit (it takes
'²') or int() (it takes Arabic-Indic digits): numbers are ASCII digits, bounded.
"""

from __future__ import annotations

import re

import grpc
from starlette.requests import Request
from starlette.responses import Response

from gateway.errors import error_response
from gateway.streams import NDJSON, SSE
from gateway.transcode import BadRequest

JSON = "application/json"
INT64_MAX = 2**63 - 1
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
# A q parameter of zero ("q=0", "q=0.000") takes a media range out of an Accept header.
_Q_ZERO = re.compile(r"q\s*=\s*0(\.0{0,3})?", re.ASCII | re.IGNORECASE)


def _number(header: str, value: str, limit: int) -> int:
    text = value.strip()
    if not _DIGITS.fullmatch(text) or int(text) > limit:
        raise BadRequest(f"{header} {value!r}: expected a non-negative integer of at most {limit}")
    return int(text)


def content_length(value: str | None) -> int | None:
    """The declared body size, or None when the header is absent."""
    return None if value is None else _number("Content-Length", value, INT64_MAX)


def last_event_id(value: str | None) -> int | None:
    """The event sequence an SSE client resumes after (a FilmEvent.sequence, so an int64), or None."""
    if value is None or not value.strip():
        return None
    return _number("Last-Event-ID", value, INT64_MAX)


def check_content_type(value: str | None, body: bytes, takes_body: bool) -> None:
    """A request that sends a body, or a method that takes one, speaks JSON. A missing Content-Type
    is fine with an empty body; transcoding then says whether the method needed one."""
    if not body and (value is None or not takes_body):
        return
    media_type = (value or "").partition(";")[0].strip().lower()
    if media_type != JSON:
        shown = repr(value) if value is not None else "missing"
        raise BadRequest(f"Content-Type {shown}: send the request body as {JSON}", http=415)


def _accepted(accept: str) -> list[str]:
    """The media ranges of an Accept header, lowercased, without those a zero q refuses."""
    ranges = []
    for media_range in accept.split(","):
        media_type, *params = (part.strip() for part in media_range.split(";"))
        if media_type and not any(_Q_ZERO.fullmatch(p) for p in params):
            ranges.append(media_type.lower())
    return ranges


def _allows(ranges: list[str], media_type: str) -> bool:
    kind = media_type.partition("/")[0]
    return any(r in ("*/*", f"{kind}/*", media_type) for r in ranges)


def response_type(accept: str | None, streaming: bool) -> str:
    """What to answer with: JSON for a unary method; SSE for a stream, or NDJSON when the client names
    it and not SSE (as grpc-gateway's clients ask). 406 when Accept allows none of them."""
    offered = (SSE, NDJSON) if streaming else (JSON,)
    if accept is None or not accept.strip():
        return offered[0]
    ranges = _accepted(accept)
    allowed = [media_type for media_type in offered if _allows(ranges, media_type)]
    if not allowed:
        raise BadRequest(f"Accept {accept!r}: this method answers {' or '.join(offered)}", http=406)
    if streaming and NDJSON in ranges and SSE not in ranges:
        return NDJSON
    return allowed[0]


def access_token(values: list[str]) -> str | None:
    """The ?access_token= of a media URL (a <video> element cannot send Authorization), at most one."""
    if len(values) > 1:
        raise BadRequest(f"query parameter 'access_token' given {len(values)} times; send it once")
    return values[0] if values and values[0] else None


async def read_body(request: Request, limit: int) -> bytes | Response:
    """The request body, or 413 once it passes `limit` bytes (checked before and while reading)."""
    too_large = error_response(grpc.StatusCode.INVALID_ARGUMENT, f"request body is over {limit} bytes",
                               http=413)
    try:
        declared = content_length(request.headers.get("content-length"))
    except BadRequest as exc:
        return error_response(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
    if declared is not None and declared > limit:
        return too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return too_large
        chunks.append(chunk)
    return b"".join(chunks)
