"""GET /v1/files/{key}: film outputs from the object store, with HTTP range requests so a <video>
element can seek. A local store streams the file (200, 206 with Content-Range, 416); an S3 store
answers 307 to a presigned URL, and S3 serves the ranges itself. A missing object is 404 either way.

Responses never show a store URI (a server path or a bucket): every object URI a REST client sees is
this route's URL instead, `/v1/files/{key}`, relative to the gateway (`object_urls`).

Who may read what (`readable_as`):
- films/{film}/... (the video, subtitles, poster, storyboard): only the film's owner. The app asks
  the orchestrator GetFilm as the caller; NOT_FOUND there is 404 here, so another user's file looks
  exactly like a missing one.
- assets/... (shot stills and voice clips): any signed-in user. Their keys are SHA-256 content
  hashes of the generation inputs (orchestrator/assets.py), unguessable without the film's script and
  seed, and one asset is shared by every film that produced the same inputs, so there is no single
  owner to check against. A caller only learns an asset key from a film it can read.
- anything else in the store: 404 for everyone.
"""

from __future__ import annotations

import mimetypes
import os
import pathlib
import re
import urllib.parse
from collections.abc import AsyncIterator, Callable

import anyio
import grpc
from google.protobuf import descriptor
from starlette.responses import RedirectResponse, Response, StreamingResponse

from filmstudio.errors import FilmStudioError
from filmstudio.storage import ObjectStore
from gateway.errors import error_response

CHUNK_BYTES = 256 * 1024
PRESIGN_TTL_S = 900
_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)", re.ASCII)
_TYPES = {".vtt": "text/vtt", ".srt": "application/x-subrip", ".mp4": "video/mp4", ".jpg": "image/jpeg",
          ".png": "image/png", ".wav": "audio/wav", ".m4a": "audio/mp4"}


FILMS_PREFIX = "films/"
ASSETS_PREFIX = "assets/"
ROUTE_PREFIX = "/v1/files/"


def readable_as(key: str) -> str | None:
    """What a caller must pass to read `key`: the film name ("films/{film}") whose owner it must be,
    "" for a content-addressed asset any signed-in user may read, or None if no one may."""
    if key.startswith(FILMS_PREFIX):
        film_id, slash, rest = key[len(FILMS_PREFIX):].partition("/")
        return f"{FILMS_PREFIX}{film_id}" if film_id and slash and rest else None
    if key.startswith(ASSETS_PREFIX) and len(key) > len(ASSETS_PREFIX):
        return ""
    return None


def file_url(key: str) -> str:
    """The gateway URL of store object `key`."""
    return ROUTE_PREFIX + urllib.parse.quote(key)


def object_urls(store: ObjectStore | None) -> Callable[[descriptor.FieldDescriptor], Callable[[str], str] | None]:
    """For ProtoJson: string fields named `*_uri` hold object-store URIs (the protos' convention), and
    print as `file_url` of their key. A URI outside the store, or any with no store configured, prints
    as "": the gateway could not serve it, and the caller must not learn where it points."""

    def url(uri: str) -> str:
        if not uri or store is None:
            return ""
        try:
            return file_url(store.key(uri))
        except FilmStudioError:
            return ""

    def for_field(field: descriptor.FieldDescriptor) -> Callable[[str], str] | None:
        return url if field.type == field.TYPE_STRING and field.name.endswith("_uri") else None

    return for_field


def content_type(key: str) -> str:
    suffix = pathlib.PurePosixPath(key).suffix.lower()
    return _TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"


def parse_range(header: str | None, size: int) -> tuple[int, int] | None | str:
    """(first, last) inclusive for a single satisfiable range; None to send the whole object (no
    header, a malformed one or several ranges, which RFC 9110 lets us ignore); "unsatisfiable" for 416."""
    if not header:
        return None
    found = _RANGE.fullmatch(header.strip())
    if found is None:
        return None
    first, last = found.groups()
    if first == "" and last == "":
        return None
    if first == "":  # suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if last != "" and int(last) < start:
        return None  # malformed: ignore it
    if start >= size:
        return "unsatisfiable"
    return start, end


async def serve(store: ObjectStore, key: str, range_header: str | None, head: bool = False) -> Response:
    """The response for one object key."""
    try:
        store.key(key)
        path = store.local_path(key)
        if path is None:
            if not await store.exists(key):
                return error_response(grpc.StatusCode.NOT_FOUND, f"no file {key!r}")
            return RedirectResponse(await store.url(key, expires_s=PRESIGN_TTL_S), status_code=307)
    except FilmStudioError as exc:
        return error_response(exc.code, exc.message)
    try:
        size = path.stat().st_size if path.is_file() else -1
    except OSError:
        size = -1
    if size < 0:
        return error_response(grpc.StatusCode.NOT_FOUND, f"no file {key!r}")
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "private, max-age=60"}
    wanted = parse_range(range_header, size)
    if wanted == "unsatisfiable":
        return error_response(grpc.StatusCode.OUT_OF_RANGE, f"range {range_header!r} is outside {size} bytes",
                              http=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    status, first, last = 200, 0, size - 1
    if wanted is not None:
        first, last = wanted
        status = 206
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    headers["Content-Length"] = str(last - first + 1)
    if head:
        return Response(b"", status_code=status, headers=headers, media_type=content_type(key))
    return StreamingResponse(_read(path, first, last), status_code=status, headers=headers,
                             media_type=content_type(key))


async def _read(path: pathlib.Path, first: int, last: int) -> AsyncIterator[bytes]:
    async with await anyio.open_file(path, "rb") as f:
        await f.seek(first, os.SEEK_SET)
        left = last - first + 1
        while left > 0:
            chunk = await f.read(min(CHUNK_BYTES, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk
