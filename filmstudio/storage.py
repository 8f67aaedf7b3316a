"""The one object-store interface: a local directory (default) or S3.

Media moves between services as object URIs (file:///... or s3://bucket/key), never as message
bytes. Keys are relative paths such as "assets/ab/abcd....png" or "films/f1/film.mp4".

Writers that must never leave a half-written object visible write to a temporary key and
`publish` it: a rename on disk, a copy-then-delete on S3.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pathlib
import shutil
import tempfile
import urllib.parse
from collections.abc import AsyncIterator
from typing import Protocol

from filmstudio.errors import InvalidArgument, NotFound

# A local store's key -> URI mapping, remembered: a GetFilm maps two keys a shot, and checking and
# quoting each was a third of building the film's message. Bounded; cleared whole when full.
URI_CACHE_SIZE = 4096


class ObjectStore(Protocol):
    """What every store offers. URIs returned are the store's own and readable by `get`."""

    base_uri: str

    def uri(self, key: str) -> str: ...
    def key(self, uri: str) -> str: ...
    async def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> str: ...
    async def put_file(self, key: str, path: pathlib.Path, content_type: str = "application/octet-stream") -> str: ...
    async def get(self, uri_or_key: str) -> bytes: ...
    async def exists(self, uri_or_key: str) -> bool: ...
    async def delete(self, uri_or_key: str) -> None: ...
    async def publish(self, tmp_key: str, key: str) -> str: ...
    async def url(self, uri_or_key: str, expires_s: int = 3600) -> str: ...
    def local_path(self, uri_or_key: str) -> pathlib.Path | None: ...
    async def close(self) -> None: ...


def check_key(key: str) -> str:
    if not key or key.startswith("/") or any(part in ("", ".", "..") for part in key.split("/")):
        raise InvalidArgument(f"bad object key {key!r}: use a relative path without '..'")
    return key


class LocalStore:
    """Objects as files under one directory."""

    def __init__(self, root: pathlib.Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.base_uri = self.root.as_uri() + "/"
        self._uris: dict[str, str] = {}

    def uri(self, key: str) -> str:
        uri = self._uris.get(key)
        if uri is None:
            uri = self.base_uri + urllib.parse.quote(check_key(key))  # a bad key raises, and is not kept
            if len(self._uris) >= URI_CACHE_SIZE:
                self._uris.clear()
            self._uris[key] = uri
        return uri

    def key(self, uri: str) -> str:
        if not uri.startswith(self.base_uri):
            return check_key(uri) if "://" not in uri else self._foreign(uri)
        return check_key(urllib.parse.unquote(uri[len(self.base_uri):]))

    def _foreign(self, uri: str) -> str:
        raise InvalidArgument(f"object {uri!r} is not in this store ({self.base_uri})")

    def local_path(self, uri_or_key: str) -> pathlib.Path:
        return self.root / self.key(uri_or_key)

    async def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        await asyncio.to_thread(self._write_atomic, self.local_path(key), data)
        return self.uri(key)

    async def put_file(self, key: str, path: pathlib.Path, content_type: str = "application/octet-stream") -> str:
        target = self.local_path(key)

        def copy() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            shutil.copyfile(path, tmp)
            os.replace(tmp, target)

        await asyncio.to_thread(copy)
        return self.uri(key)

    @staticmethod
    def _write_atomic(target: pathlib.Path, data: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)

    async def get(self, uri_or_key: str) -> bytes:
        path = self.local_path(uri_or_key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise NotFound(f"object {self.uri(self.key(uri_or_key))} does not exist") from None

    async def exists(self, uri_or_key: str) -> bool:
        return self.local_path(uri_or_key).is_file()

    async def delete(self, uri_or_key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.local_path(uri_or_key).unlink()

    async def publish(self, tmp_key: str, key: str) -> str:
        target = self.local_path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.local_path(tmp_key), target)
        return self.uri(key)

    async def url(self, uri_or_key: str, expires_s: int = 3600) -> str:
        return self.uri(self.key(uri_or_key))

    async def close(self) -> None:
        return None


class S3Store:
    """Objects in an S3 bucket under a prefix, through aiobotocore."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.base_uri = f"s3://{bucket}/{self.prefix}"
        self.endpoint_url = endpoint_url or None
        self._stack: contextlib.AsyncExitStack | None = None
        self._client = None
        self._lock = asyncio.Lock()

    async def _s3(self):
        async with self._lock:
            if self._client is None:
                from aiobotocore.session import get_session

                self._stack = contextlib.AsyncExitStack()
                self._client = await self._stack.enter_async_context(
                    get_session().create_client("s3", endpoint_url=self.endpoint_url))
        return self._client

    def uri(self, key: str) -> str:
        return self.base_uri + check_key(key)

    def key(self, uri: str) -> str:
        if uri.startswith(self.base_uri):
            return check_key(uri[len(self.base_uri):])
        if "://" in uri:
            raise InvalidArgument(f"object {uri!r} is not in this store ({self.base_uri})")
        return check_key(uri)

    def _object(self, uri_or_key: str) -> str:
        return self.prefix + self.key(uri_or_key)

    def local_path(self, uri_or_key: str) -> None:
        return None

    async def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        s3 = await self._s3()
        await s3.put_object(Bucket=self.bucket, Key=self._object(key), Body=data, ContentType=content_type)
        return self.uri(key)

    async def put_file(self, key: str, path: pathlib.Path, content_type: str = "application/octet-stream") -> str:
        s3 = await self._s3()
        with open(path, "rb") as f:
            await s3.put_object(Bucket=self.bucket, Key=self._object(key), Body=f, ContentType=content_type)
        return self.uri(key)

    async def get(self, uri_or_key: str) -> bytes:
        s3 = await self._s3()
        try:
            response = await s3.get_object(Bucket=self.bucket, Key=self._object(uri_or_key))
        except s3.exceptions.NoSuchKey:
            raise NotFound(f"object {self.uri(self.key(uri_or_key))} does not exist") from None
        async with response["Body"] as body:
            return await body.read()

    async def exists(self, uri_or_key: str) -> bool:
        s3 = await self._s3()
        try:
            await s3.head_object(Bucket=self.bucket, Key=self._object(uri_or_key))
        except s3.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    async def delete(self, uri_or_key: str) -> None:
        s3 = await self._s3()
        await s3.delete_object(Bucket=self.bucket, Key=self._object(uri_or_key))

    async def publish(self, tmp_key: str, key: str) -> str:
        s3 = await self._s3()
        await s3.copy_object(Bucket=self.bucket, Key=self._object(key),
                             CopySource={"Bucket": self.bucket, "Key": self._object(tmp_key)})
        await s3.delete_object(Bucket=self.bucket, Key=self._object(tmp_key))
        return self.uri(key)

    async def url(self, uri_or_key: str, expires_s: int = 3600) -> str:
        s3 = await self._s3()
        return await s3.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": self._object(uri_or_key)}, ExpiresIn=expires_s)

    async def close(self) -> None:
        if self._stack is not None:
            await self._stack.aclose()
            self._stack, self._client = None, None


def open_store(base_url: str, s3_endpoint: str = "") -> ObjectStore:
    """The store for a base URL: file:///dir or s3://bucket/prefix."""
    parsed = urllib.parse.urlparse(base_url)
    if parsed.scheme == "file":
        return LocalStore(pathlib.Path(urllib.parse.unquote(parsed.path)))
    if parsed.scheme == "s3" and parsed.netloc:
        return S3Store(parsed.netloc, parsed.path, endpoint_url=s3_endpoint or None)
    raise InvalidArgument(f"store URL {base_url!r}: expected file:///dir or s3://bucket/prefix")


@contextlib.asynccontextmanager
async def opened_store(base_url: str, s3_endpoint: str = "") -> AsyncIterator[ObjectStore]:
    store = open_store(base_url, s3_endpoint)
    try:
        yield store
    finally:
        await store.close()
