"""OpenAPI 3.0 from the same descriptors the routes come from, with the proto comments as
descriptions, and a self-contained /docs page (no CDN: it renders /openapi.json with a little JS).

The schema states what the servers enforce: fields marked REQUIRED (google.api.field_behavior) are
required, and a required string is non-empty; ids in paths follow filmstudio.names; the few bounds the
protos cannot say come from the modules that own them (`_QUERY_RULES`).
"""

from __future__ import annotations

import html

from google.api import field_behavior_pb2
from google.protobuf import descriptor, descriptor_pb2

from filmstudio import names, settings
from gateway.rules import Api, Route, Variable

_FD = descriptor.FieldDescriptor
_SCALARS = {
    _FD.TYPE_DOUBLE: {"type": "number", "format": "double"},
    _FD.TYPE_FLOAT: {"type": "number", "format": "float"},
    _FD.TYPE_INT64: {"type": "string", "format": "int64"},
    _FD.TYPE_UINT64: {"type": "string", "format": "uint64"},
    _FD.TYPE_SINT64: {"type": "string", "format": "int64"},
    _FD.TYPE_FIXED64: {"type": "string", "format": "uint64"},
    _FD.TYPE_SFIXED64: {"type": "string", "format": "int64"},
    _FD.TYPE_INT32: {"type": "integer", "format": "int32"},
    _FD.TYPE_SINT32: {"type": "integer", "format": "int32"},
    _FD.TYPE_SFIXED32: {"type": "integer", "format": "int32"},
    _FD.TYPE_UINT32: {"type": "integer", "format": "int64", "minimum": 0, "maximum": 4294967295},
    _FD.TYPE_FIXED32: {"type": "integer", "format": "int64", "minimum": 0, "maximum": 4294967295},
    _FD.TYPE_BOOL: {"type": "boolean"},
    _FD.TYPE_STRING: {"type": "string"},
    _FD.TYPE_BYTES: {"type": "string", "format": "byte"},
}
_WKT = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]{1,9})?s$", "example": "60s"},
    "google.protobuf.FieldMask": {"type": "string"},
    "google.protobuf.Empty": {"type": "object"},
    "google.protobuf.Struct": {"type": "object", "additionalProperties": True},
    "google.protobuf.Value": {},
    "google.protobuf.ListValue": {"type": "array", "items": {}},
    "google.protobuf.Any": {"type": "object", "properties": {"@type": {"type": "string"}},
                            "additionalProperties": True},
    "google.protobuf.StringValue": {"type": "string"},
    "google.protobuf.BytesValue": {"type": "string", "format": "byte"},
    "google.protobuf.BoolValue": {"type": "boolean"},
    "google.protobuf.Int32Value": {"type": "integer", "format": "int32"},
    "google.protobuf.UInt32Value": {"type": "integer", "format": "int64", "minimum": 0},
    "google.protobuf.Int64Value": {"type": "string", "format": "int64"},
    "google.protobuf.UInt64Value": {"type": "string", "format": "uint64"},
    "google.protobuf.FloatValue": {"type": "number", "format": "float"},
    "google.protobuf.DoubleValue": {"type": "number", "format": "double"},
}
# Query parameters for nested messages go this deep ("settings.target_duration").
_QUERY_DEPTH = 3
_INT32_MAX = 2**31 - 1
# The id pattern of a path segment, by the collection before it ("films/{film}").
_ID_PATTERNS = {"films": names.FILM_ID.pattern, "shots": names.SHOT_ID.pattern}
# Query parameters' rules beyond their type. page_size 0 means the default and more than the maximum
# reads as the maximum (settings.page_size); only a negative one is refused.
_QUERY_RULES = {
    "filmstudio.v1.ListFilmsRequest.page_size": {"minimum": 0, "maximum": _INT32_MAX},
    "filmstudio.v1.CreateFilmRequest.film_id": {"pattern": f"^(?:{names.FILM_ID.pattern})?$"},
    "filmstudio.v1.CreateFilmRequest.request_id": {"maxLength": settings.MAX_REQUEST_ID},
}


def required_fields(files: list[descriptor_pb2.FileDescriptorProto]) -> set[str]:
    """Full names of the fields marked `(google.api.field_behavior) = REQUIRED`."""
    found: set[str] = set()

    def message(m: descriptor_pb2.DescriptorProto, scope: str) -> None:
        for field in m.field:
            if field_behavior_pb2.REQUIRED in field.options.Extensions[field_behavior_pb2.field_behavior]:
                found.add(f"{scope}{m.name}.{field.name}")
        for nested in m.nested_type:
            message(nested, f"{scope}{m.name}.")

    for file in files:
        for m in file.message_type:
            message(m, f"{file.package}." if file.package else "")
    return found


def comments(files: list[descriptor_pb2.FileDescriptorProto]) -> dict[str, str]:
    """Leading comments by full name: messages, fields, enums, values, services and methods."""
    found: dict[str, str] = {}
    for file in files:
        names = _names_by_path(file)
        for location in file.source_code_info.location:
            name = names.get(tuple(location.path))
            text = location.leading_comments.strip()
            if name and text:
                found[name] = "\n".join(line.strip() for line in text.splitlines())
    return found


def _names_by_path(file: descriptor_pb2.FileDescriptorProto) -> dict[tuple[int, ...], str]:
    prefix = f"{file.package}." if file.package else ""
    names: dict[tuple[int, ...], str] = {}

    def enum(path: tuple[int, ...], e: descriptor_pb2.EnumDescriptorProto, scope: str) -> None:
        full = scope + e.name
        names[path] = full
        for i, value in enumerate(e.value):
            names[path + (2, i)] = f"{full}.{value.name}"

    def message(path: tuple[int, ...], m: descriptor_pb2.DescriptorProto, scope: str) -> None:
        full = scope + m.name
        names[path] = full
        for i, field in enumerate(m.field):
            names[path + (2, i)] = f"{full}.{field.name}"
        for i, nested in enumerate(m.nested_type):
            message(path + (3, i), nested, full + ".")
        for i, nested_enum in enumerate(m.enum_type):
            enum(path + (4, i), nested_enum, full + ".")

    for i, m in enumerate(file.message_type):
        message((4, i), m, prefix)
    for i, e in enumerate(file.enum_type):
        enum((5, i), e, prefix)
    for i, service in enumerate(file.service):
        names[(6, i)] = prefix + service.name
        for j, method in enumerate(service.method):
            names[(6, i, 2, j)] = f"{prefix}{service.name}.{method.name}"
    return names


class _Builder:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.docs = comments(api.files)
        self.required = required_fields(api.files)
        self.schemas: dict[str, dict] = {}

    def ref(self, message: descriptor.Descriptor) -> dict:
        if message.full_name in _WKT:
            return dict(_WKT[message.full_name])
        if message.full_name not in self.schemas:
            self.schemas[message.full_name] = {}  # placeholder: recursive messages refer to themselves
            self.schemas[message.full_name] = self.message_schema(message)
        return {"$ref": f"#/components/schemas/{message.full_name}"}

    def message_schema(self, message: descriptor.Descriptor, skip: set[str] = frozenset()) -> dict:
        properties = {}
        for field in message.fields:
            if field.name in skip:
                continue
            properties[field.json_name] = self.field_schema(field)
        schema = {"type": "object", "properties": properties}
        required = [f.json_name for f in message.fields if f.full_name in self.required and f.name not in skip]
        if required:
            schema["required"] = required
        if message.full_name in self.docs:
            schema["description"] = self.docs[message.full_name]
        return schema

    def field_schema(self, field: _FD) -> dict:
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            value = field.message_type.fields_by_name["value"]
            schema: dict = {"type": "object", "additionalProperties": self.single(value)}
        elif field.is_repeated:
            schema = {"type": "array", "items": self.single(field)}
        else:
            schema = self.single(field)
            if field.type == _FD.TYPE_STRING and field.full_name in self.required:
                schema["minLength"] = 1  # proto3 JSON cannot tell "" from absent
        description = self.docs.get(field.full_name)
        if description:
            # A $ref cannot carry siblings in OpenAPI 3.0: wrap it.
            schema = {"allOf": [schema], "description": description} if "$ref" in schema else \
                {**schema, "description": description}
        return schema

    def single(self, field: _FD) -> dict:
        if field.type == _FD.TYPE_ENUM:
            values = [v.name for v in field.enum_type.values]
            schema = {"type": "string", "enum": values}
            if field.enum_type.full_name in self.docs:
                schema["description"] = self.docs[field.enum_type.full_name]
            return schema
        if field.message_type is not None:
            return self.ref(field.message_type)
        return dict(_SCALARS[field.type])

    def query_parameters(self, message: descriptor.Descriptor, bound: set[str], prefix: str = "",
                         depth: int = 0) -> list[dict]:
        params = []
        for field in message.fields:
            name = prefix + field.name
            if name in bound or field.message_type is not None and field.message_type.GetOptions().map_entry:
                continue
            if field.message_type is not None and field.message_type.full_name not in _WKT:
                if depth + 1 < _QUERY_DEPTH and not field.is_repeated:
                    params += self.query_parameters(field.message_type, bound, name + ".", depth + 1)
                continue
            if field.message_type is not None and _WKT[field.message_type.full_name].get("type") in (None, "object",
                                                                                                    "array"):
                continue
            schema = self.single(field) if field.message_type is None else dict(_WKT[field.message_type.full_name])
            schema.pop("description", None)
            schema.update(_QUERY_RULES.get(field.full_name, {}))
            if field.is_repeated:
                schema = {"type": "array", "items": schema}
            param = {"name": name, "in": "query", "required": False, "schema": schema}
            if field.is_repeated:
                param.update(style="form", explode=True)
            if field.full_name in self.docs:
                param["description"] = self.docs[field.full_name]
            params.append(param)
        return params


def openapi_path(route: Route) -> tuple[str, list[dict]]:
    """"/v1/{name=films/*}" -> ("/v1/films/{film}", [film path parameter]): every wildcard becomes a
    one-segment parameter named after the collection before it, so a client fills in plain ids."""
    pieces, params, used = [], [], set()
    for part in route.template.parts:
        segments = part.segments if isinstance(part, Variable) else (part,)
        for segment in segments:
            if not segment.wildcard:
                pieces.append(segment.text)
                continue
            collection = pieces[-1] if pieces else ""
            base = collection[:-1] if collection.endswith("s") and len(collection) > 1 else (collection or "id")
            name = base if base not in used else f"{base}_{len(used)}"
            used.add(name)
            pieces.append("{" + name + "}")
            description = f"binds {part.field_path}" if isinstance(part, Variable) else "path segment"
            pattern = f"^(?:{_ID_PATTERNS[collection]})$" if collection in _ID_PATTERNS else "^[^/]+$"
            schema = {"type": "string", "pattern": pattern} if segment.text == "*" else {"type": "string"}
            params.append({"name": name, "in": "path", "required": True, "schema": schema,
                           "description": description})
    path = "/" + "/".join(pieces) + (":" + route.template.verb if route.template.verb else "")
    return path, params


def document(api: Api, title: str = "Film Studio API", version: str = "v1") -> dict:
    """The OpenAPI 3.0 document for every route."""
    builder = _Builder(api)
    status = builder.ref(api.pool.FindMessageTypeByName("google.rpc.Status")) if _has(api, "google.rpc.Status") \
        else {"type": "object"}
    paths: dict[str, dict] = {}
    services: dict[str, str] = {}
    for route in api.routes:
        method = route.method
        service = method.containing_service
        services[service.name] = builder.docs.get(service.full_name, "")
        path, params = openapi_path(route)
        bound = {v.field_path for v in route.template.variables()}
        operation: dict = {
            "operationId": method.name if len(_operations(api, method)) == 1 else
            f"{method.name}_{_operations(api, method).index(route)}",
            "tags": [service.name],
            "summary": builder.docs.get(method.full_name, "").split("\n")[0],
            "description": builder.docs.get(method.full_name, ""),
            "parameters": params,
            "security": [{"bearer": []}],
        }
        if route.body == "*":
            schema = builder.message_schema(method.input_type, skip=bound) if bound else builder.ref(method.input_type)
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
        elif route.body:
            body_field = method.input_type.fields_by_name[route.body]
            operation["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": builder.single(body_field)}}}
            operation["parameters"] = params + builder.query_parameters(method.input_type, bound | {route.body})
        else:
            operation["parameters"] = params + builder.query_parameters(method.input_type, bound)
        reply = builder.ref(method.output_type)
        if route.response_body:
            reply = builder.single(method.output_type.fields_by_name[route.response_body])
        if route.server_streaming:
            content = {"text/event-stream": {"schema": {"type": "string", "description":
                                                        "`id: <sequence>` and `data: <JSON message>` per event"}},
                       "application/x-ndjson": {"schema": {"type": "object", "properties": {
                           "result": reply, "error": status}}}}
            description = "A stream of messages (Server-Sent Events; NDJSON with Accept: application/x-ndjson)"
        else:
            content = {"application/json": {"schema": reply}}
            description = "OK"
        operation["responses"] = {"200": {"description": description, "content": content},
                                  "default": {"description": "An error (google.rpc.Status)",
                                              "content": {"application/json": {"schema": status}}}}
        paths.setdefault(path, {})[route.http_method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": version,
                 "description": "Generated from the google.api.http annotations of the protos."},
        "tags": [{"name": name, "description": text} for name, text in services.items()],
        "paths": paths,
        "components": {"schemas": builder.schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }


def _operations(api: Api, method: descriptor.MethodDescriptor) -> list[Route]:
    return [r for r in api.routes if r.method.full_name == method.full_name]


def _has(api: Api, name: str) -> bool:
    try:
        api.pool.FindMessageTypeByName(name)
        return True
    except KeyError:
        return False


def docs_page(title: str = "Film Studio API") -> str:
    """A self-contained page listing every operation of /openapi.json with its parameters and schemas."""
    return _DOCS.replace("{{TITLE}}", html.escape(title))


_DOCS = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{TITLE}}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
h2{border-bottom:1px solid #ddd;margin-top:2rem}.op{border:1px solid #ddd;border-radius:6px;margin:.6rem 0;padding:.4rem .8rem}
.verb{display:inline-block;min-width:4.5rem;font-weight:bold;text-transform:uppercase}
.get{color:#0a6}.post{color:#06c}.delete{color:#c33}.put,.patch{color:#a60}
code,pre{background:#f5f5f5;border-radius:4px;padding:.1rem .3rem}pre{padding:.6rem;overflow:auto}
summary{cursor:pointer}
</style></head><body>
<h1>{{TITLE}}</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Every call needs
<code>Authorization: Bearer &lt;token&gt;</code> (<code>filmstudio token</code> mints one).</p>
<div id="ops">Loading…</div>
<script>
(async () => {
  const spec = await (await fetch('/openapi.json')).json();
  const root = document.getElementById('ops'); root.textContent = '';
  const esc = s => String(s ?? '').replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
  const name = ref => ref && ref.$ref ? ref.$ref.split('/').pop() : '';
  for (const tag of spec.tags || []) {
    root.insertAdjacentHTML('beforeend', `<h2>${esc(tag.name)}</h2><p>${esc(tag.description)}</p>`);
    for (const [path, ops] of Object.entries(spec.paths)) for (const [verb, op] of Object.entries(ops)) {
      if (!op.tags.includes(tag.name)) continue;
      const params = (op.parameters || []).map(p => `<li><code>${esc(p.name)}</code> (${p.in}) ${esc(p.description)}</li>`).join('');
      const body = op.requestBody ? `<p>Body: <code>${esc(name(op.requestBody.content['application/json'].schema) || 'object')}</code></p>` : '';
      const reply = Object.values(op.responses['200'].content)[0].schema;
      root.insertAdjacentHTML('beforeend', `<details class="op"><summary><span class="verb ${verb}">${verb}</span>
        <code>${esc(path)}</code> — ${esc(op.summary)}</summary><p>${esc(op.description)}</p>
        ${params ? '<ul>' + params + '</ul>' : ''}${body}<p>Returns: <code>${esc(name(reply) || reply.type)}</code></p></details>`);
    }
  }
  root.insertAdjacentHTML('beforeend', '<h2>Schemas</h2>');
  for (const [n, s] of Object.entries(spec.components.schemas)) {
    const rows = Object.entries(s.properties || {}).map(([k, v]) =>
      `<li><code>${esc(k)}</code>: ${esc(name(v.allOf ? v.allOf[0] : v) || v.type || '')} — ${esc(v.description)}</li>`).join('');
    root.insertAdjacentHTML('beforeend', `<details class="op" id="${esc(n)}"><summary><code>${esc(n)}</code></summary>
      <p>${esc(s.description)}</p><ul>${rows}</ul></details>`);
  }
})();
</script></body></html>
"""
