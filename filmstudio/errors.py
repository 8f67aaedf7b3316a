"""Domain errors, and their one mapping to gRPC status codes.

Domain code raises these; the server shell (filmstudio.server) turns them into a gRPC status with the
message unchanged, so a caller always sees what went wrong and where.
"""

from __future__ import annotations

import grpc


class FilmStudioError(Exception):
    """Base of every error a caller should see. `code` is the gRPC status it maps to."""

    code: grpc.StatusCode = grpc.StatusCode.INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(FilmStudioError):
    """The request itself is wrong (bad script, out-of-range setting)."""

    code = grpc.StatusCode.INVALID_ARGUMENT


class ScriptError(InvalidArgument):
    """A script problem at a place in the script. The message carries "line L, column C"."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        where = ""
        if line is not None:
            where = f"line {line}" + (f", column {column}" if column is not None else "") + ": "
        super().__init__(where + message)
        self.line = line
        self.column = column


class NotFound(FilmStudioError):
    code = grpc.StatusCode.NOT_FOUND


class AlreadyExists(FilmStudioError):
    code = grpc.StatusCode.ALREADY_EXISTS


class FailedPrecondition(FilmStudioError):
    """The request is well-formed but the world is not in a state to do it (corrupt asset, wrong state)."""

    code = grpc.StatusCode.FAILED_PRECONDITION


class Aborted(FilmStudioError):
    """A concurrent change won a race (read-modify-write); reading again and retrying will do."""

    code = grpc.StatusCode.ABORTED


class ResourceExhausted(FilmStudioError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class Unavailable(FilmStudioError):
    """A part we depend on (Triton, the composer, the database) is down; worth retrying."""

    code = grpc.StatusCode.UNAVAILABLE


class DeadlineExceeded(FilmStudioError):
    code = grpc.StatusCode.DEADLINE_EXCEEDED


class Cancelled(FilmStudioError):
    code = grpc.StatusCode.CANCELLED


class PermissionDenied(FilmStudioError):
    code = grpc.StatusCode.PERMISSION_DENIED


class Unauthenticated(FilmStudioError):
    code = grpc.StatusCode.UNAUTHENTICATED


def status_of(error: FilmStudioError) -> "status_pb2.Status":
    """The google.rpc.Status a film records for this error (its code and message)."""
    from google.rpc import status_pb2

    return status_pb2.Status(code=error.code.value[0], message=error.message)
