"""HTTP rules: the `google.api.http` annotations of a FileDescriptorSet, compiled into routes.

Nothing here names an RPC: every annotated method of every service in the set becomes a `Route`, so a
new annotated RPC appears in the REST API when the descriptor set is regenerated.

Path templates follow google/api/http.proto:

    Template = "/" Segments [ Verb ] ;   Segment = "*" | "**" | LITERAL | Variable ;
    Variable = "{" FieldPath [ "=" Segments ] "}" ;   Verb = ":" LITERAL ;
"""

from __future__ import annotations

import dataclasses
import pathlib
import re
import urllib.parse

from google.api import annotations_pb2, http_pb2
from google.protobuf import descriptor, descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import Message

DEFAULT_DESCRIPTOR_SET = pathlib.Path(__file__).resolve().parent.parent / "filmstudio" / "v1" / "descriptor.binpb"
VERBS = ("get", "put", "post", "delete", "patch")


class TemplateError(ValueError):
    """A path template in an annotation is malformed; the message names the method and template."""


@dataclasses.dataclass(frozen=True)
class Segment:
    """One path segment: a literal, "*" (one segment) or "**" (the rest)."""

    text: str

    @property
    def wildcard(self) -> bool:
        return self.text in ("*", "**")


@dataclasses.dataclass(frozen=True)
class Variable:
    """`{field.path=segments}`: the segments it spans are bound to a request field."""

    field_path: str
    segments: tuple[Segment, ...]


@dataclasses.dataclass(frozen=True)
class PathTemplate:
    """A parsed path template; `match` returns the bound variables or None."""

    source: str
    parts: tuple[Segment | Variable, ...]
    verb: str
    regex: re.Pattern[str]

    def match(self, path: str) -> dict[str, str] | None:
        found = self.regex.fullmatch(path)
        if found is None:
            return None
        variables = self.variables()
        return {v.field_path: urllib.parse.unquote(found.group(f"v{i}")) for i, v in enumerate(variables)}

    def variables(self) -> list[Variable]:
        return [p for p in self.parts if isinstance(p, Variable)]

    @property
    def literal_count(self) -> int:
        count = 0
        for part in self.parts:
            segments = part.segments if isinstance(part, Variable) else (part,)
            count += sum(1 for s in segments if not s.wildcard)
        return count


_LITERAL = re.compile(r"[^/{}=*:]+")
_FIELD_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def parse_template(template: str) -> PathTemplate:
    """Parse a google.api.http path template; raise TemplateError if it is malformed."""
    if not template.startswith("/"):
        raise TemplateError(f"path template {template!r} must start with '/'")
    body, verb = template[1:], ""
    # The verb is a ':' after the last '/' outside braces.
    depth, colon = 0, -1
    for i, ch in enumerate(body):
        depth += ch == "{"
        depth -= ch == "}"
        if ch == ":" and depth == 0:
            colon = i
    if colon >= 0:
        body, verb = body[:colon], body[colon + 1:]
        if not _LITERAL.fullmatch(verb):
            raise TemplateError(f"path template {template!r}: bad verb {verb!r}")
    parts: list[Segment | Variable] = []
    for raw in _split_top(body, template):
        if raw.startswith("{"):
            if not raw.endswith("}"):
                raise TemplateError(f"path template {template!r}: unclosed variable {raw!r}")
            inner = raw[1:-1]
            field_path, _, pattern = inner.partition("=")
            if not _FIELD_PATH.fullmatch(field_path):
                raise TemplateError(f"path template {template!r}: bad field path {field_path!r}")
            segments = tuple(_segment(s, template) for s in (pattern or "*").split("/"))
            parts.append(Variable(field_path, segments))
        else:
            parts.append(_segment(raw, template))
    return PathTemplate(template, tuple(parts), verb, _compile(parts, verb))


def _split_top(body: str, template: str) -> list[str]:
    out, depth, current = [], 0, ""
    for ch in body:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                raise TemplateError(f"path template {template!r}: unbalanced '}}'")
        if ch == "/" and depth == 0:
            out.append(current)
            current = ""
        else:
            current += ch
    out.append(current)
    if depth != 0:
        raise TemplateError(f"path template {template!r}: unbalanced '{{'")
    return out


def _segment(text: str, template: str) -> Segment:
    if text in ("*", "**") or _LITERAL.fullmatch(text):
        return Segment(text)
    raise TemplateError(f"path template {template!r}: bad segment {text!r}")


def _segment_regex(segment: Segment) -> str:
    if segment.text == "*":
        return "[^/]+"
    if segment.text == "**":
        return ".+"
    return re.escape(segment.text)


def _compile(parts: list[Segment | Variable], verb: str) -> re.Pattern[str]:
    pieces, index = [], 0
    for part in parts:
        if isinstance(part, Variable):
            inner = "/".join(_segment_regex(s) for s in part.segments)
            pieces.append(f"(?P<v{index}>{inner})")
            index += 1
        else:
            pieces.append(_segment_regex(part))
    return re.compile("/" + "/".join(pieces) + (":" + re.escape(verb) if verb else ""))


@dataclasses.dataclass(frozen=True)
class Route:
    """One HTTP binding of one RPC."""

    http_method: str  # GET, POST, ...
    template: PathTemplate
    body: str  # "", "*" or a top-level field name
    response_body: str
    method: descriptor.MethodDescriptor
    request_class: type[Message]
    response_class: type[Message]

    @property
    def grpc_path(self) -> str:
        """The method's gRPC path, "/package.Service/Method"."""
        return f"/{self.method.containing_service.full_name}/{self.method.name}"

    @property
    def server_streaming(self) -> bool:
        return self.method.server_streaming


@dataclasses.dataclass
class Api:
    """Every route of a descriptor set, plus the pool its message classes come from."""

    routes: list[Route]
    pool: descriptor_pool.DescriptorPool
    files: list[descriptor_pb2.FileDescriptorProto]

    def resolve(self, http_method: str, path: str) -> tuple[Route, dict[str, str]] | tuple[None, list[str]]:
        """(route, path variables) for a request, or (None, the methods this path has rules for: the
        `Allow` of a 405, empty for a 404)."""
        allowed: list[str] = []
        for route in self.routes:
            variables = route.template.match(path)
            if variables is None:
                continue
            if route.http_method == http_method:
                return route, variables
            if route.http_method not in allowed:
                allowed.append(route.http_method)
        return None, sorted(allowed)


def load_descriptor_set(path: pathlib.Path | str = DEFAULT_DESCRIPTOR_SET) -> descriptor_pb2.FileDescriptorSet:
    """Read a FileDescriptorSet (protoc --descriptor_set_out --include_imports)."""
    return descriptor_pb2.FileDescriptorSet.FromString(pathlib.Path(path).read_bytes())


def build_api(descriptor_set: descriptor_pb2.FileDescriptorSet) -> Api:
    """Compile every google.api.http rule (and additional_bindings) in the set into routes."""
    pool = descriptor_pool.DescriptorPool()
    for file in descriptor_set.file:
        pool.Add(file)
    routes: list[Route] = []
    for file in descriptor_set.file:
        for service in file.service:
            for method in service.method:
                if not method.options.HasExtension(annotations_pb2.http):
                    continue
                rule = method.options.Extensions[annotations_pb2.http]
                method_desc = pool.FindMethodByName(f"{file.package}.{service.name}.{method.name}" if file.package
                                                    else f"{service.name}.{method.name}")
                for binding in [rule, *rule.additional_bindings]:
                    routes.append(_route(binding, method_desc))
    # Verbs first, then more literal segments: "/v1/films/x:watch" must not bind GetFilm's "{name=films/*}".
    routes.sort(key=lambda r: (not r.template.verb, -r.template.literal_count, -len(r.template.parts)))
    return Api(routes, pool, list(descriptor_set.file))


def _route(rule: http_pb2.HttpRule, method: descriptor.MethodDescriptor) -> Route:
    kind = rule.WhichOneof("pattern")
    where = f"{method.full_name}"
    if kind is None:
        raise TemplateError(f"{where}: google.api.http has no path")
    if kind == "custom":
        http_method, template = rule.custom.kind.upper(), rule.custom.path
    else:
        http_method, template = kind.upper(), getattr(rule, kind)
    try:
        parsed = parse_template(template)
    except TemplateError as exc:
        raise TemplateError(f"{where}: {exc}") from None
    request_class = message_factory.GetMessageClass(method.input_type)
    response_class = message_factory.GetMessageClass(method.output_type)
    for variable in parsed.variables():
        _field_at(method.input_type, variable.field_path, where)
    if rule.body not in ("", "*"):
        _field_at(method.input_type, rule.body, where)
    return Route(http_method, parsed, rule.body, rule.response_body, method, request_class, response_class)


def _field_at(message: descriptor.Descriptor, field_path: str, where: str) -> descriptor.FieldDescriptor:
    field = None
    for name in field_path.split("."):
        if message is None or name not in message.fields_by_name:
            raise TemplateError(f"{where}: no field {field_path!r} in {message.full_name if message else '?'}")
        field = message.fields_by_name[name]
        message = field.message_type
    assert field is not None
    return field
