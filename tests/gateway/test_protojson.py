"""gateway.protojson gives exactly what json_format.MessageToDict(always_print_fields_with_no_presence)
gives, for every kind of field, for our own messages and for random ones."""

from __future__ import annotations

import math
import pathlib
import random

import pytest
from google.protobuf import json_format, message_factory
from grpc_tools import protoc

from filmstudio.auth import bearer_metadata, mint_token
from gateway.protojson import ProtoJson
from gateway.rules import build_api, load_descriptor_set
from tests.gateway.fakes import FakeFilmService

PROTO = '''
syntax = "proto3";
package kit.v1;
import "google/protobuf/any.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/field_mask.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

enum Mood { MOOD_UNSPECIFIED = 0; MOOD_CALM = 1; MOOD_TENSE = 2; }
message Inner { string label = 1; repeated int64 marks = 2; Inner child = 3; }
message Everything {
  double f_double = 1; float f_float = 2; int32 f_int32 = 3; int64 f_int64 = 4; uint32 f_uint32 = 5;
  uint64 f_uint64 = 6; sint32 f_sint32 = 7; sint64 f_sint64 = 8; fixed32 f_fixed32 = 9; fixed64 f_fixed64 = 10;
  sfixed32 f_sfixed32 = 11; sfixed64 f_sfixed64 = 12; bool f_bool = 13; string f_string = 14; bytes f_bytes = 15;
  Mood mood = 16; Inner inner = 17; optional int32 maybe = 18; optional string maybe_text = 19;
  repeated double r_double = 20; repeated float r_float = 21; repeated int64 r_int64 = 22; repeated bool r_bool = 23;
  repeated string r_string = 24; repeated bytes r_bytes = 25; repeated Mood r_mood = 26; repeated Inner r_inner = 27;
  map<string, Inner> m_inner = 28; map<int64, string> m_int64 = 29; map<bool, Mood> m_bool = 30;
  map<int32, double> m_double = 31;
  oneof pick { string pick_text = 32; Inner pick_inner = 33; int64 pick_number = 34; }
  google.protobuf.Timestamp at = 35; google.protobuf.Duration took = 36; google.protobuf.Struct extra = 37;
  google.protobuf.Value anything = 38; google.protobuf.Int64Value big = 39; google.protobuf.StringValue note = 40;
  google.protobuf.FieldMask mask = 41; google.protobuf.Any packed = 42; repeated google.protobuf.Timestamp r_at = 43;
  google.protobuf.NullValue nothing = 44; google.protobuf.ListValue list = 45;
}
'''


@pytest.fixture(scope="module")
def everything(tmp_path_factory):
    import grpc_tools
    tmp = tmp_path_factory.mktemp("kit")
    (tmp / "kit.proto").write_text(PROTO)
    out = tmp / "kit.binpb"
    well_known = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    assert protoc.main(["protoc", f"-I{tmp}", f"-I{well_known}", f"--descriptor_set_out={out}",
                        "--include_imports", str(tmp / "kit.proto")]) == 0
    pool = build_api(load_descriptor_set(out)).pool
    return pool, message_factory.GetMessageClass(pool.FindMessageTypeByName("kit.v1.Everything"))


def expected(message, pool=None):
    return json_format.MessageToDict(message, always_print_fields_with_no_presence=True, descriptor_pool=pool)


def same(a, b) -> bool:
    """Equality that counts NaN equal to NaN (json_format gives the string "NaN", but be safe)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def fill(message, rng: random.Random) -> None:
    message.f_double = rng.choice([0.0, 1.5, -2.25e300, math.inf, -math.inf, math.nan, 1 / 3])
    message.f_float = rng.choice([0.0, 0.1, 3.4e38, -math.inf, math.nan, 1 / 3])
    message.f_int32, message.f_int64 = rng.randint(-2**31, 2**31 - 1), rng.randint(-2**63, 2**63 - 1)
    message.f_uint32, message.f_uint64 = rng.randint(0, 2**32 - 1), rng.randint(0, 2**64 - 1)
    message.f_sint64, message.f_fixed64, message.f_sfixed32 = -7, 2**64 - 1, -3
    message.f_bool = rng.random() < 0.5
    message.f_string = rng.choice(["", "plain", "café ☕ \"quoted\" \n line", "\u2028"])
    message.f_bytes = bytes(rng.randrange(256) for _ in range(rng.randrange(8)))
    message.mood = rng.choice([0, 1, 2, 99])  # 99: an unknown number of an open enum
    if rng.random() < 0.7:
        message.inner.label = "in"
        message.inner.marks.extend([1, -2**40])
        message.inner.child.label = "deeper"
    if rng.random() < 0.5:
        message.maybe = 0  # set to the default: present all the same
    if rng.random() < 0.5:
        message.maybe_text = "x"
    message.r_double.extend([0.5, math.inf][: rng.randrange(3)])
    message.r_float.extend([0.1, 0.2][: rng.randrange(3)])
    message.r_int64.extend([2**62, -1][: rng.randrange(3)])
    message.r_bool.extend([True, False][: rng.randrange(3)])
    message.r_string.extend(["a", "b"][: rng.randrange(3)])
    message.r_bytes.extend([b"\x00\xff", b""][: rng.randrange(3)])
    message.r_mood.extend([1, 2, 7][: rng.randrange(4)])
    for i in range(rng.randrange(3)):
        message.r_inner.add(label=f"r{i}", marks=[i])
    for i in range(rng.randrange(3)):
        message.m_inner[f"k{i}"].label = f"v{i}"
        message.m_int64[-i * 2**40] = f"n{i}"
        message.m_double[i] = i / 7
    if rng.random() < 0.5:
        message.m_bool[True], message.m_bool[False] = 1, 0
    which = rng.randrange(4)
    if which == 1:
        message.pick_text = ""
    elif which == 2:
        message.pick_inner.label = "picked"
    elif which == 3:
        message.pick_number = 2**50
    if rng.random() < 0.7:
        message.at.FromJsonString("2026-11-25T09:40:04.547285Z")
        message.took.FromJsonString(rng.choice(["10.166666666s", "-1.5s", "0s", "-0.000001s", "3.000001s",
                                                "315576000000s", "-315576000000.999999999s", "0.020s"]))
        message.r_at.add().FromJsonString("1970-01-01T00:00:00Z")
    if rng.random() < 0.5:
        message.extra.update({"a": 1, "b": [True, None, "s"], "c": {"d": 2.5}})
        message.anything.string_value = "v"
        message.big.value = 2**60
        message.note.value = ""
        message.mask.paths.extend(["f_int32", "inner.label"])
        message.list.values.add().number_value = 3
        packed = type(message.inner)(label="packed", marks=[5])
        message.packed.Pack(packed)


def test_matches_json_format_for_every_kind_of_field(everything):
    pool, Everything = everything
    printer = ProtoJson(pool)
    assert same(printer.to_dict(Everything()), expected(Everything(), pool))
    rng = random.Random(7)
    for _ in range(300):
        message = Everything()
        fill(message, rng)
        assert same(printer.to_dict(message), expected(message, pool)), message


async def test_matches_json_format_for_our_films_and_events(store):
    service = FakeFilmService(store=store)
    api = build_api(load_descriptor_set())
    printer = ProtoJson(api.pool)

    class Context:
        def invocation_metadata(self):
            return bearer_metadata(mint_token("alice", "a-test-secret-of-at-least-thirty-two-bytes", 60))

    from filmstudio.v1 import film_pb2
    film = await service.CreateFilm(film_pb2.CreateFilmRequest(film=film_pb2.Film(script="A.\n\nB.")), Context())
    film.error.code, film.error.message = 9, "stopped"
    film.error.details.add().Pack(film_pb2.StateChange(state=film_pb2.FILM_STATE_FAILED))
    await service.close()
    pool_film = api.pool.FindMessageTypeByName("filmstudio.v1.Film")
    as_pool = message_factory.GetMessageClass(pool_film).FromString(film.SerializeToString())
    assert same(printer.to_dict(as_pool), expected(as_pool, api.pool))
    events = [film_pb2.FilmEvent(sequence=1, progress=0.3, shot=film.shots[0]),
              film_pb2.FilmEvent(sequence=2, state_change=film_pb2.StateChange(state=film_pb2.FILM_STATE_PLANNING)),
              film_pb2.FilmEvent(sequence=3, outputs=film_pb2.FilmOutputs(video_uri="v"))]
    for event in events:
        assert same(printer.to_dict(event), expected(event))
