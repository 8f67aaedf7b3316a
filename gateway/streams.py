"""Server streams over HTTP: Server-Sent Events (default) or newline-delimited JSON.

SSE frames carry `id: <sequence>` when the message has an int64 `sequence` field (FilmEvent does), so
a browser's EventSource (or our fetch reader) resumes with `Last-Event-ID`, which `resume` turns into
`after_sequence`. NDJSON lines are grpc-gateway's: {"result": {...}} per message, {"error": {...}} last
if the stream fails.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import grpc
from google.protobuf.message import Message

from gateway.errors import rpc_error_dict, status_dict
from gateway.protojson import ProtoJson

NDJSON = "application/x-ndjson"
SSE = "text/event-stream"
# After this long without an event, an SSE comment keeps proxies from closing an idle stream.
KEEPALIVE_S = 15.0
KEEPALIVE_COMMENT = b": keep-alive\n\n"


def resume(request: Message, last_event_id: int | None) -> None:
    """Start a stream request after the client's Last-Event-ID (gateway.headers reads it), where the
    request has an `after_sequence` and the query did not ask to start later still."""
    if last_event_id is not None and "after_sequence" in request.DESCRIPTOR.fields_by_name:
        request.after_sequence = max(request.after_sequence, last_event_id)


def _dumps(value) -> str:
    return json.dumps(value, separators=(",", ":"))  # non-ASCII escaped: see transcode.dumps


def sse_frame(message: Message, printer: ProtoJson) -> bytes:
    data = _dumps(printer.to_dict(message))
    sequence = getattr(message, "sequence", None) if "sequence" in message.DESCRIPTOR.fields_by_name else None
    head = f"id: {sequence}\n" if isinstance(sequence, int) else ""
    return f"{head}event: message\ndata: {data}\n\n".encode()


def ndjson_line(message: Message, printer: ProtoJson) -> bytes:
    return (_dumps({"result": printer.to_dict(message)}) + "\n").encode()


async def encode(first: Message | None, call: grpc.aio.UnaryStreamCall, ndjson: bool,
                 printer: ProtoJson, keepalive_s: float = KEEPALIVE_S) -> AsyncIterator[bytes]:
    """The body of a streaming response: `first` (already read, so errors before it became a status
    code) and then the rest of the call. A failure mid-stream becomes a final error frame. An SSE
    stream that stays quiet for keepalive_s gets a comment line (NDJSON has no comment syntax)."""
    frame = ndjson_line if ndjson else sse_frame
    read: asyncio.Future | None = None
    try:
        if first is None:
            return
        yield frame(first, printer)
        while True:
            # The pending read survives a keep-alive: wait_for would cancel it, and with it the call.
            read = asyncio.ensure_future(call.read())
            while not (await asyncio.wait((read,), timeout=None if ndjson else keepalive_s))[0]:
                yield KEEPALIVE_COMMENT
            message = read.result()
            read = None
            if message is grpc.aio.EOF:
                return
            yield frame(message, printer)
    except grpc.aio.AioRpcError as exc:
        error = rpc_error_dict(exc)
        yield (_dumps({"error": error}) + "\n").encode() if ndjson else \
            f"event: error\ndata: {_dumps(error)}\n\n".encode()
    finally:
        if read is not None:
            read.cancel()
        call.cancel()  # the client went away or we are done: stop the upstream stream either way


def stream_error_frame(code: grpc.StatusCode, message: str, ndjson: bool) -> bytes:
    error = status_dict(code, message)
    return (_dumps({"error": error}) + "\n").encode() if ndjson else f"event: error\ndata: {_dumps(error)}\n\n".encode()
