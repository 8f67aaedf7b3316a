"""Hypothesis throws headers, query strings and bodies at the gateway (the ASGI app in front of the
fake FilmService, so any bytes reach it): whatever comes in, the answer is never a 5xx, and a refused
request says why."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from filmstudio.storage import LocalStore
from gateway.app import GatewaySettings, create_app
from tests.gateway.fakes import FakeFilmService, start_fake
from tests.gateway.tokens import SECRET, bearer

# What the gateway serves, or (half the time) any method on one of those paths.
SERVED = [("GET", "/v1/films"), ("POST", "/v1/films"), ("GET", "/v1/films/f"), ("DELETE", "/v1/films/f"),
          ("GET", "/v1/films/f:watch"), ("GET", "/v1/films/nosuch:watch"), ("POST", "/v1/films/f:cancel"),
          ("POST", "/v1/films/f/shots/s1:regenerate"), ("POST", "/v1/scripts:parse"),
          ("GET", "/v1/files/films/f/s1-take1.png"), ("HEAD", "/v1/files/films/f/s1-take1.png"),
          ("GET", "/v1/files/assets/a.png"), ("GET", "/"), ("GET", "/healthz"), ("GET", "/openapi.json"),
          ("GET", "/assets/nosuch.js"), ("GET", "/#/films/f")]
METHODS = ["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"]
CALLS = st.one_of(st.sampled_from(SERVED), st.tuples(st.sampled_from(METHODS), st.sampled_from([p for _, p in SERVED])))
# The headers the gateway reads, and one it does not.
HEADERS = ["authorization", "last-event-id", "accept", "content-type", "content-length", "range", "x-request-id",
           "cookie", "x-csrf-token"]
QUERY_KEYS = ["page_size", "page_token", "after_sequence", "film_id", "request_id", "access_token", "name", "seed",
              "settings.fps", "film.script", "v", ""]


def _numbers() -> st.SearchStrategy[bytes]:
    return st.integers(min_value=-2**70, max_value=2**70).map(lambda n: str(n).encode())


HEADER_VALUES = st.one_of(
    st.binary(max_size=40), _numbers(), st.text(max_size=30).map(lambda t: t.encode("utf-8")),
    st.sampled_from([b"", b" ", b"0", b"9223372036854775808", b"99999999999999999999999", "²".encode("latin-1"),
                     "٣".encode(), b"application/json", b"text/plain", b"application/x-ndjson", b"*/*;q=0",
                     b"text/event-stream;q=0", b"bytes=0-", b"bytes=-0", b"bytes=5-1", b"bytes=0-1,2-3", b"Bearer",
                     b"Bearer x.y.z", b"fs_access=x.y.z", b"fs_access=; fs_csrf=a", b"fs_csrf=\xff"]),
)
QUERY_VALUES = st.one_of(st.text(max_size=30), _numbers().map(bytes.decode),
                         st.sampled_from(["2147483648", "-1", "1.5", "true", "²", "%", "\x00"]))
BODIES = st.one_of(st.just(b""), st.binary(max_size=60),
                   st.sampled_from([b"{}", b'{"script": "x"}', b"[]", b"null", b'{"seed": "99999999999999999999"}']))


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    """A sync front to the app: `gateway(method, path, headers, params, body)` -> response, on one loop."""
    loop = asyncio.new_event_loop()
    store = LocalStore(tmp_path_factory.mktemp("store"))
    films = FakeFilmService(store=store)
    server, addr = loop.run_until_complete(start_fake(films))
    app = create_app(GatewaySettings(upstream_addr=addr, jwt_secret=SECRET, store=store,
                                     rate_per_s=1e6, burst=1_000_000))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")

    async def send(method, path, headers, params, body) -> httpx.Response:
        if "films/f" not in films.films:  # a fuzzed DELETE took it: the other paths want a film to work on
            reply = await client.post("/v1/films", json={"script": "One.\n\nTwo."}, params={"film_id": "f"},
                                      headers=bearer("fuzzer"))
            assert reply.status_code == 200, reply.text
        return await client.request(method, path, headers=headers, params=params, content=body)

    yield lambda *args: loop.run_until_complete(send(*args))
    loop.run_until_complete(client.aclose())
    loop.run_until_complete(app.state.gateway.close())
    loop.run_until_complete(films.close())
    loop.run_until_complete(server.stop(None))
    loop.close()


FUZZ = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SIGNED_IN = bearer("fuzzer")["Authorization"].encode()


def _check(reply: httpx.Response, method: str) -> None:
    request = (method, str(reply.request.url), dict(reply.request.headers))
    assert reply.status_code < 500, (request, reply.status_code, reply.text[:300])
    if reply.status_code < 400 or method == "HEAD":
        return
    if reply.request.url.path.startswith("/v1/"):  # the API's refusals are google.rpc.Status, saying why
        assert reply.headers.get("content-type") == "application/json", (request, reply.status_code, reply.text)
        assert json.loads(reply.content)["message"], (request, reply.text)
    else:  # Starlette's own (a bad Range on the studio's page): plain text, saying why
        assert reply.text.strip(), request


@pytest.mark.parametrize("header", HEADERS)
@FUZZ
@given(call=CALLS, value=HEADER_VALUES)
def test_no_header_value_makes_a_5xx(gateway, header, call, value):
    method, path = call
    headers = {"authorization": SIGNED_IN, header: value}
    _check(gateway(method, path, headers, [], b""), method)


@FUZZ
@given(call=CALLS, query=st.lists(st.tuples(st.one_of(st.sampled_from(QUERY_KEYS), st.text(max_size=8)),
                                            QUERY_VALUES), min_size=1, max_size=4))
def test_no_query_string_makes_a_5xx(gateway, call, query):
    method, path = call
    _check(gateway(method, path, {"authorization": SIGNED_IN}, query, b""), method)


@FUZZ
@given(call=CALLS, headers=st.dictionaries(st.sampled_from(HEADERS), HEADER_VALUES, max_size=3), body=BODIES)
def test_no_body_with_any_headers_makes_a_5xx(gateway, call, headers, body):
    method, path = call
    headers.setdefault("authorization", SIGNED_IN)
    _check(gateway(method, path, headers, [], body), method)
