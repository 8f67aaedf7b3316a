"""A new annotated RPC appears in the REST API and OpenAPI with no gateway change: a second proto,
compiled here with grpc_tools, served by a generic handler, reached through an unchanged gateway."""

from __future__ import annotations

import pathlib

import grpc
import httpx
import jwt
import pytest
from google.protobuf import message_factory
from grpc_tools import protoc

from filmstudio.storage import LocalStore
from gateway.app import GatewaySettings, create_app
from gateway.rules import TemplateError, build_api, load_descriptor_set, parse_template
from tests.gateway.tokens import SECRET, bearer

PROTO = '''
syntax = "proto3";
package lab.v1;
import "google/api/annotations.proto";

// Tells the time of day on a stage.
service StageService {
  // Returns one take of a stage, with its lights.
  rpc GetTake(GetTakeRequest) returns (Take) {
    option (google.api.http) = {
      get: "/v1/{name=stages/*/takes/*}"
      additional_bindings { post: "/v1/{name=stages/*/takes/*}:inspect" body: "lights" }
    };
  }
}
// Which take.
message GetTakeRequest {
  // "stages/{stage}/takes/{take}".
  string name = 1;
  // Lights to report (repeated query parameter).
  repeated string lights = 2;
  // Nested options.
  Options options = 3;
}
// Options.
message Options {
  // Loud?
  bool loud = 1;
  int64 count = 2;
}
// A take.
message Take {
  string name = 1;
  repeated string lights = 2;
  bool loud = 3;
  int64 count = 4;
}
'''


@pytest.fixture
def lab_api(tmp_path: pathlib.Path):
    import grpc_tools
    from tools.protos import sync_deps
    (tmp_path / "lab.proto").write_text(PROTO)
    out = tmp_path / "lab.binpb"
    well_known = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    assert protoc.main(["protoc", f"-I{tmp_path}", f"-I{sync_deps()}", f"-I{well_known}",
                        f"--descriptor_set_out={out}", "--include_imports", "--include_source_info",
                        str(tmp_path / "lab.proto")]) == 0
    return build_api(load_descriptor_set(out))


async def test_new_annotated_rpc_is_served_and_documented(lab_api, tmp_path):
    method = lab_api.pool.FindMethodByName("lab.v1.StageService.GetTake")
    request_class = message_factory.GetMessageClass(method.input_type)
    take_class = message_factory.GetMessageClass(method.output_type)
    seen = []

    async def get_take(request, context):
        seen.append(dict(context.invocation_metadata()))
        return take_class(name=request.name, lights=request.lights, loud=request.options.loud,
                          count=request.options.count)

    server = grpc.aio.server()
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler("lab.v1.StageService", {
        "GetTake": grpc.unary_unary_rpc_method_handler(get_take, request_class.FromString,
                                                       take_class.SerializeToString)})])
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    settings = GatewaySettings(upstream_addr=f"127.0.0.1:{port}", jwt_secret=SECRET,
                               store=LocalStore(tmp_path / "s"))
    app = create_app(settings, api=lab_api)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://g",
                                     headers=bearer("dora")) as c:
            got = await c.get("/v1/stages/main/takes/3?lights=key&lights=fill&options.loud=true&options.count=12")
            inspected = await c.post("/v1/stages/main/takes/4:inspect", json=["rim"])
            spec = (await c.get("/openapi.json")).json()
    finally:
        await app.state.gateway.close()
        await server.stop(None)
    assert got.status_code == 200, got.text
    assert got.json() == {"name": "stages/main/takes/3", "lights": ["key", "fill"], "loud": True, "count": "12"}
    # The caller's own token goes upstream, for the service to verify itself.
    token = seen[0]["authorization"].removeprefix("Bearer ")
    assert jwt.decode(token, SECRET, algorithms=["HS256"])["sub"] == "dora"
    assert inspected.json()["lights"] == ["rim"] and inspected.json()["name"] == "stages/main/takes/4"
    operation = spec["paths"]["/v1/stages/{stage}/takes/{take}"]["get"]
    assert operation["description"] == "Returns one take of a stage, with its lights."
    assert {p["name"] for p in operation["parameters"]} >= {"stage", "take", "lights", "options.loud"}
    assert "post" in spec["paths"]["/v1/stages/{stage}/takes/{take}:inspect"]


@pytest.mark.parametrize("template", ["v1/films", "/v1/{name=films/*", "/v1/{1bad}", "/v1/fi*lms", "/v1/x:"])
def test_malformed_templates_are_refused(template):
    with pytest.raises(TemplateError):
        parse_template(template)


def test_template_matching():
    template = parse_template("/v1/{name=films/*/shots/*}:regenerate")
    assert template.match("/v1/films/f1/shots/s2:regenerate") == {"name": "films/f1/shots/s2"}
    assert template.match("/v1/films/f1/shots/s2") is None
    assert template.match("/v1/films/f1:regenerate") is None
    assert parse_template("/v1/{path=objects/**}").match("/v1/objects/a/b/c") == {"path": "objects/a/b/c"}
    assert parse_template("/v1/{name=films/*}").match("/v1/films/a%20b") == {"name": "films/a b"}
