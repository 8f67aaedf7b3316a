"""gRPC status -> HTTP status and a google.rpc.Status JSON body, exactly as grpc-gateway maps them
(runtime.HTTPStatusFromCode and DefaultHTTPErrorHandler)."""

from __future__ import annotations

import json

import grpc
from google.protobuf import json_format
from google.rpc import status_pb2
from starlette.responses import Response

# grpc-gateway's HTTPStatusFromCode. FAILED_PRECONDITION is deliberately 400, not 412.
HTTP_STATUS = {
    grpc.StatusCode.OK: 200,
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.UNKNOWN: 500,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.INTERNAL: 500,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DATA_LOSS: 500,
}


def http_status(code: grpc.StatusCode) -> int:
    return HTTP_STATUS.get(code, 500)


def status_message(code: grpc.StatusCode, message: str, details: list | None = None) -> status_pb2.Status:
    status = status_pb2.Status(code=code.value[0], message=message)
    if details:
        status.details.extend(details)
    return status


def status_dict(code: grpc.StatusCode, message: str) -> dict:
    """The google.rpc.Status JSON object: {"code": 5, "message": "...", "details": []}."""
    return json_format.MessageToDict(status_message(code, message), always_print_fields_with_no_presence=True)


def error_response(code: grpc.StatusCode, message: str, http: int | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    """A JSON error response; `http` overrides the mapped status (routing errors: 404, 405, 413)."""
    body = json.dumps(status_dict(code, message), separators=(",", ":"), ensure_ascii=False).encode()
    return Response(body, status_code=http or http_status(code), media_type="application/json", headers=headers)


def method_not_allowed(method: str, path: str, allowed: list[str]) -> Response:
    """405, with the `Allow` header RFC 9110 requires."""
    return error_response(grpc.StatusCode.UNIMPLEMENTED, f"{method} {path} is not allowed; use {', '.join(allowed)}",
                          http=405, headers={"Allow": ", ".join(allowed)})


def rpc_error_response(exc: grpc.aio.AioRpcError) -> Response:
    """The response for a failed call. Rich details (grpc-status-details-bin) are passed through."""
    status = _rich_status(exc)
    if status is None:
        return error_response(exc.code(), exc.details() or "")
    body = json.dumps(json_format.MessageToDict(status, always_print_fields_with_no_presence=True),
                      separators=(",", ":"), ensure_ascii=False).encode()
    return Response(body, status_code=http_status(exc.code()), media_type="application/json")


def rpc_error_dict(exc: grpc.aio.AioRpcError) -> dict:
    status = _rich_status(exc) or status_message(exc.code(), exc.details() or "")
    return json_format.MessageToDict(status, always_print_fields_with_no_presence=True)


def _rich_status(exc: grpc.aio.AioRpcError) -> status_pb2.Status | None:
    for key, value in exc.trailing_metadata() or ():
        if key == "grpc-status-details-bin" and isinstance(value, bytes):
            try:
                return status_pb2.Status.FromString(value)
            except Exception:  # a malformed trailer is the server's bug; fall back to code + message
                return None
    return None
