"""Proto3 JSON both ways: an HTTP request (path variables, body, query) into a request message, and a
response message into JSON, as grpc-gateway does it.

Unknown fields, wrong types and malformed JSON are the caller's mistake: `BadRequest`, which the app
turns into 400 with a google.rpc.Status body naming the problem.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from google.protobuf import descriptor, descriptor_pool, json_format
from google.protobuf.message import Message

from gateway.protojson import ProtoJson
from gateway.rules import Route

_FD = descriptor.FieldDescriptor
# Well-known types whose JSON form is a scalar: a query parameter carries them as that scalar.
_SCALAR_WKT = {
    "google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask",
    "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int64Value",
    "google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
    "google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue",
}
_BOOL_WRAPPER = "google.protobuf.BoolValue"
# An enum given by number: ASCII digits only (str.isdigit takes '²', which int() refuses).
_ENUM_NUMBER = re.compile(r"-?[0-9]+", re.ASCII)


class BadRequest(ValueError):
    """The HTTP request cannot be turned into the RPC's request message. `http` is the status to answer:
    400, or 406/415 when the media types do not fit (gateway.headers)."""

    def __init__(self, message: str, http: int = 400) -> None:
        super().__init__(message)
        self.http = http


def request_message(route: Route, path_vars: dict[str, str], body: bytes,
                    query: Iterable[tuple[str, str]], pool: descriptor_pool.DescriptorPool) -> Message:
    """Build the RPC request: body (per the rule's `body`), then query parameters, then path variables."""
    tree: dict = {}
    body_fields: set[str] = set()
    if route.body:
        parsed = _parse_json(body)
        if route.body == "*":
            if not isinstance(parsed, dict):
                raise BadRequest("request body must be a JSON object")
            tree = parsed
        else:
            tree[_json_key(route.method.input_type, route.body)] = parsed
            body_fields.add(route.body)
    elif body.strip():
        raise BadRequest(f"{route.http_method} {route.template.source} takes no request body")

    bound = set(path_vars) | body_fields
    query = list(query)
    if route.body == "*" and query:
        raise BadRequest(f"unexpected query parameter {query[0][0]!r}: the whole request is the body")
    for key, value in query:
        _set_query(tree, route.method.input_type, key, value, bound)
    for field_path, value in path_vars.items():
        _set_path(tree, route.method.input_type, field_path, value)

    message = route.request_class()
    try:
        json_format.ParseDict(tree, message, ignore_unknown_fields=False, descriptor_pool=pool)
    except json_format.ParseError as exc:
        raise BadRequest(str(exc)) from None
    except RecursionError:
        raise BadRequest("request body nested too deeply") from None
    return message


def response_json(message: Message, printer: ProtoJson, response_body: str = "") -> bytes:
    """Proto3 JSON of a response (lowerCamelCase names, unpopulated fields emitted, as grpc-gateway)."""
    value = printer.to_dict(message)
    if response_body:
        value = value.get(_json_key(message.DESCRIPTOR, response_body))
    return dumps(value)


def dumps(value) -> bytes:
    """Compact JSON. Non-ASCII is escaped (\\u00e9): the same JSON, and json.dumps is ~3x faster so."""
    return json.dumps(value, separators=(",", ":")).encode()


def _parse_json(body: bytes):
    if not body.strip():
        raise BadRequest("request body is empty; expected JSON")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"malformed JSON body: {exc}") from None
    except RecursionError:
        raise BadRequest("malformed JSON body: nested too deeply") from None


def _json_key(message: descriptor.Descriptor, name: str) -> str:
    field = message.fields_by_name.get(name)
    return field.json_name if field is not None else name


def _walk(message: descriptor.Descriptor, field_path: str) -> list[_FD]:
    """The fields along a dotted path (proto or JSON names); BadRequest if one does not exist."""
    fields: list[_FD] = []
    current: descriptor.Descriptor | None = message
    for name in field_path.split("."):
        field = None
        if current is not None:
            field = current.fields_by_name.get(name) or next(
                (f for f in current.fields if f.json_name == name), None)
        if field is None:
            raise BadRequest(f"unknown field {field_path!r} in {message.full_name}")
        fields.append(field)
        current = field.message_type
    return fields


def _set_path(tree: dict, message: descriptor.Descriptor, field_path: str, value: str) -> None:
    fields = _walk(message, field_path)
    node = tree
    for field in fields[:-1]:
        node = node.setdefault(field.json_name, {})
        if not isinstance(node, dict):
            raise BadRequest(f"field {field_path!r} is bound by the path and cannot also be set in the body")
    node[fields[-1].json_name] = value


def _set_query(tree: dict, message: descriptor.Descriptor, key: str, raw: str, bound: set[str]) -> None:
    fields = _walk(message, key)
    proto_path = ".".join(f.name for f in fields)
    if any(proto_path == b or proto_path.startswith(b + ".") for b in bound):
        raise BadRequest(f"query parameter {key!r} sets a field already bound by the path or body")
    leaf = fields[-1]
    for field in fields[:-1]:
        if field.is_repeated:
            raise BadRequest(f"query parameter {key!r} goes through repeated field {field.name!r}")
    if leaf.message_type is not None and leaf.message_type.full_name not in _SCALAR_WKT:
        raise BadRequest(f"query parameter {key!r} names message field {leaf.name!r}; set its fields instead")
    node = tree
    for field in fields[:-1]:
        node = node.setdefault(field.json_name, {})
    value = _query_scalar(leaf, raw, key)
    if leaf.is_repeated:
        node.setdefault(leaf.json_name, []).append(value)
    elif leaf.json_name in node:
        raise BadRequest(f"query parameter {key!r} given more than once")
    else:
        node[leaf.json_name] = value


def _query_scalar(field: _FD, raw: str, key: str):
    """A query string value as the JSON value json_format expects for the field."""
    is_bool = field.type == _FD.TYPE_BOOL or (field.message_type is not None
                                              and field.message_type.full_name == _BOOL_WRAPPER)
    if is_bool:
        if raw in ("true", "1", "True"):
            return True
        if raw in ("false", "0", "False"):
            return False
        raise BadRequest(f"query parameter {key!r}: {raw!r} is not a bool")
    if field.type == _FD.TYPE_ENUM and _ENUM_NUMBER.fullmatch(raw):
        return int(raw)
    return raw
