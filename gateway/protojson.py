"""Proto3 JSON of response messages, fast: the same objects as
`json_format.MessageToDict(message, always_print_fields_with_no_presence=True)` (lowerCamelCase names,
int64 as strings, enums by name, fields without presence always printed, as grpc-gateway does), from a
converter compiled once per message type.

json_format walks descriptors and dispatches on field types for every value of every response; for a
finished film that is most of the gateway's own time per GetFilm. Here that dispatch happens once per
type, and a message costs a getattr (and HasField where the field has presence) per field. Well-known types with
special JSON forms (Any, Struct, FieldMask, wrappers, ...) other than Timestamp and Duration are left to
json_format, which owns those rules.

`strings` may give string fields a converter of their own (the app prints object-store URIs as gateway
URLs with gateway.files.object_urls); it is asked once per field, when a message type is compiled.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable

from google.protobuf import descriptor, descriptor_pool, json_format
from google.protobuf.internal import type_checkers
from google.protobuf.message import Message

_FD = descriptor.FieldDescriptor
_INT64 = (_FD.CPPTYPE_INT64, _FD.CPPTYPE_UINT64)
_LEFT_TO_JSON_FORMAT = {
    "google.protobuf.Any", "google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue",
    "google.protobuf.FieldMask", "google.protobuf.Empty",
    "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int64Value",
    "google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
    "google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue",
}

Converter = Callable[[Message], object]
StringHook = Callable[[descriptor.FieldDescriptor], Callable[[str], str] | None]
_SINGLE, _REPEATED, _MAP = 0, 1, 2


class ProtoJson:
    """Converters for the message types of one descriptor pool, compiled on first use."""

    def __init__(self, pool: descriptor_pool.DescriptorPool | None = None, strings: StringHook | None = None) -> None:
        self.pool = pool
        self.strings = strings
        self._converters: dict[descriptor.Descriptor, Converter] = {}

    def to_dict(self, message: Message) -> object:
        """The message's proto3 JSON value: a dict, or a string for Timestamp and Duration."""
        return self._message(message)

    def _message(self, message: Message) -> object:
        return self._converter(message.DESCRIPTOR)(message)

    def _converter(self, message_type: descriptor.Descriptor) -> Converter:
        convert = self._converters.get(message_type)
        if convert is None:
            convert = self._converters[message_type] = self._compile(message_type)
        return convert

    def _field_message(self, message_type: descriptor.Descriptor) -> Converter:
        """The converter of a message field's type, bound on first use (types may be recursive)."""
        bound: list[Converter] = []

        def convert(message: Message) -> object:
            if not bound:
                bound.append(self._converter(message_type))
            return bound[0](message)

        return convert

    def _fallback(self, message: Message) -> object:
        return json_format.MessageToDict(message, always_print_fields_with_no_presence=True,
                                         descriptor_pool=self.pool)

    def _compile(self, message_type: descriptor.Descriptor) -> Converter:
        if message_type.full_name == "google.protobuf.Duration":
            return _duration
        if message_type.full_name == "google.protobuf.Timestamp":
            return lambda message: message.ToJsonString()
        if message_type.full_name in _LEFT_TO_JSON_FORMAT or message_type.extension_ranges:
            return self._fallback
        # One step per field, in declaration order. getattr/HasField per field is several times
        # cheaper than ListFields(), which builds a descriptor object per set field.
        steps = []
        for field in message_type.fields:
            if _is_map(field):
                key_field, value_field = field.message_type.fields_by_name["key"], field.message_type.fields_by_name["value"]
                steps.append((field.name, field.json_name, _MAP, False, self._value(value_field), _map_key(key_field)))
            else:
                steps.append((field.name, field.json_name, _REPEATED if field.is_repeated else _SINGLE,
                              field.has_presence, self._value(field), None))

        def convert(message: Message) -> dict:
            js = {}
            for name, json_name, kind, presence, to_json, key_to_json in steps:
                if presence and not message.HasField(name):
                    continue  # only fields without presence are printed when unset
                value = getattr(message, name)
                if kind == _SINGLE:
                    js[json_name] = value if to_json is None else to_json(value)
                elif kind == _REPEATED:
                    js[json_name] = list(value) if to_json is None else [to_json(v) for v in value]
                else:
                    js[json_name] = {key_to_json(k): (v if to_json is None else to_json(v)) for k, v in value.items()}
            return js

        return convert

    def _value(self, field: descriptor.FieldDescriptor) -> Callable | None:
        """How one value of the field becomes JSON; None where it already is its JSON value."""
        cpp = field.cpp_type
        if cpp == _FD.CPPTYPE_MESSAGE:
            return self._field_message(field.message_type)
        if cpp == _FD.CPPTYPE_ENUM:
            if field.enum_type.full_name == "google.protobuf.NullValue":
                return lambda value: None
            names = {v.number: v.name for v in field.enum_type.values}
            return lambda value: names.get(value, value)  # an unknown number of an open enum stays a number
        if field.type == _FD.TYPE_BYTES:
            return lambda value: base64.b64encode(value).decode("utf-8")
        if field.type == _FD.TYPE_STRING and self.strings is not None:
            return self.strings(field)
        if cpp in _INT64:
            return str
        if cpp == _FD.CPPTYPE_FLOAT:
            return _float
        if cpp == _FD.CPPTYPE_DOUBLE:
            return _double
        return None  # strings, bools, 32-bit integers


def _is_map(field: descriptor.FieldDescriptor) -> bool:
    return (field.cpp_type == _FD.CPPTYPE_MESSAGE and field.is_repeated
            and field.message_type.GetOptions().map_entry)


def _map_key(field: descriptor.FieldDescriptor) -> Callable[[object], str]:
    if field.cpp_type == _FD.CPPTYPE_BOOL:
        return lambda key: "true" if key else "false"
    return str


def _duration(duration: Message) -> str:
    """Duration.ToJsonString (0, 3, 6 or 9 fractional digits) in integer arithmetic."""
    seconds, nanos = duration.seconds, duration.nanos
    if (seconds < 0 < nanos) or (nanos < 0 < seconds) or not -999_999_999 <= nanos <= 999_999_999 \
            or not -315_576_000_000 <= seconds <= 315_576_000_000:
        return duration.ToJsonString()  # raises the ValueError json_format would
    sign = "-" if seconds < 0 or nanos < 0 else ""
    seconds, nanos = abs(seconds), abs(nanos)
    if nanos == 0:
        return f"{sign}{seconds}s"
    if nanos % 1_000_000 == 0:
        return f"{sign}{seconds}.{nanos // 1_000_000:03d}s"
    if nanos % 1_000 == 0:
        return f"{sign}{seconds}.{nanos // 1_000:06d}s"
    return f"{sign}{seconds}.{nanos:09d}s"


def _special(value: float) -> str | None:
    if math.isinf(value):
        return "-Infinity" if value < 0 else "Infinity"
    if math.isnan(value):
        return "NaN"
    return None


def _float(value: float) -> float | str:
    special = _special(value)
    return type_checkers.ToShortestFloat(value) if special is None else special


def _double(value: float) -> float | str:
    special = _special(value)
    return value if special is None else special
