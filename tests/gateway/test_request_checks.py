"""Every header and query parameter the gateway reads is checked: a bad one is a 4xx whose message
names it, never a 500. Media types are negotiated (406, 415), and a 405 says what is allowed."""

from __future__ import annotations

import pytest

from gateway.files import parse_range

LATIN1_DIGITS = "²".encode("latin-1")  # str.isdigit() says yes; int() says no


async def _film(client, film_id="f"):
    reply = await client.post("/v1/films", json={"script": "One.\n\nTwo."}, params={"film_id": film_id})
    assert reply.status_code == 200, reply.text
    return reply.json()["name"]


def _refused(reply, status: int, *named: str) -> None:
    assert reply.status_code == status, (reply.status_code, reply.text[:300])
    body = reply.json()
    assert set(body) == {"code", "message", "details"}
    for word in named:
        assert word in body["message"], (word, body["message"])


@pytest.mark.parametrize("value", ["99999999999999999999999", "9223372036854775808", "-1", "abc", "1e3", "0x10",
                                   LATIN1_DIGITS])
async def test_a_last_event_id_that_is_not_an_int64_sequence_is_400_naming_it(client, value):
    await _film(client)
    reply = await client.get("/v1/films/f:watch", headers={"Last-Event-ID": value})
    _refused(reply, 400, "Last-Event-ID")


async def test_the_largest_last_event_id_resumes_after_everything(client):
    await _film(client)
    reply = await client.get("/v1/films/f:watch", headers={"Last-Event-ID": str(2**63 - 1)})
    assert reply.status_code == 200 and "event: message" not in reply.text


@pytest.mark.parametrize("value", [b"ten", LATIN1_DIGITS, b"-5", b"99999999999999999999999"])
async def test_a_bad_content_length_is_400_naming_it(client, value):
    reply = await client.get("/v1/films", headers={"Content-Length": value})
    _refused(reply, 400, "Content-Length")


@pytest.mark.parametrize("params, named", [
    ({"page_size": "2147483648"}, "pageSize"), ({"page_size": "-2147483649"}, "pageSize"),
    ({"page_size": "ten"}, "pageSize"), ({"page_size": "1.5"}, "pageSize"), ({"page_size": "²"}, "pageSize"),
    ([("page_size", "1"), ("page_size", "2")], "page_size"), ({"page_token": "a", "nope": "1"}, "nope"),
])
async def test_bad_or_repeated_query_parameters_are_400_naming_them(client, params, named):
    _refused(await client.get("/v1/films", params=params), 400, named)


async def test_a_repeated_access_token_is_400(client, store):
    await _film(client)
    await store.put("films/f/film.mp4", b"video", "video/mp4")
    token = client.headers["Authorization"].removeprefix("Bearer ")
    reply = await client.get("/v1/files/films/f/film.mp4", params=[("access_token", token), ("access_token", "x")])
    _refused(reply, 400, "access_token")


@pytest.mark.parametrize("value", [b"Bearer \xff\xfe", b"Bearer " + b"a." * 5000, b"\x00", b"Bearer a.b.c"])
async def test_a_garbled_authorization_is_401_not_500(client, value):
    reply = await client.get("/v1/films", headers={"Authorization": value})
    _refused(reply, 401)


@pytest.mark.parametrize("header", ["bytes=٣-", "bytes=²-", "bytes=0-٣"])
def test_range_numbers_are_ascii_digits(header):
    assert parse_range(header, 100) is None  # not a range we know: the whole object, as RFC 9110 allows


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/jsonx",
                                          None])
async def test_a_json_method_refuses_other_bodies_with_415_naming_application_json(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    reply = await client.post("/v1/films", content=b'{"script": "One."}', headers=headers)
    _refused(reply, 415, "Content-Type", "application/json")


async def test_json_bodies_may_say_their_charset_and_bodyless_calls_need_no_content_type(client):
    reply = await client.post("/v1/films", content=b'{"script": "One."}',
                              headers={"Content-Type": "Application/JSON; charset=utf-8"})
    assert reply.status_code == 200, reply.text
    assert (await client.get("/v1/films")).status_code == 200
    assert (await client.get("/v1/films", headers={"Content-Type": "text/plain"})).status_code == 200
    _refused(await client.post("/v1/films"), 400, "empty")  # no body where one is needed: still 400


@pytest.mark.parametrize("accept", ["image/png", "application/json", "text/event-stream;q=0, application/*;q=0"])
async def test_a_stream_that_cannot_be_sent_as_accepted_is_406(client, accept):
    await _film(client)
    _refused(await client.get("/v1/films/f:watch", headers={"Accept": accept}), 406, "Accept", "text/event-stream")


@pytest.mark.parametrize("accept, answered", [
    ("*/*", "text/event-stream"), ("text/*", "text/event-stream"), ("application/*", "application/x-ndjson"),
    ("application/x-ndjson, text/event-stream;q=0.5", "text/event-stream"),
    ("application/x-ndjson", "application/x-ndjson"), ("", "text/event-stream"),
])
async def test_streams_answer_what_accept_allows(client, accept, answered):
    await _film(client)
    reply = await client.get("/v1/films/f:watch", headers={"Accept": accept})
    assert reply.status_code == 200 and reply.headers["content-type"].startswith(answered)


async def test_a_unary_method_answers_406_unless_accept_allows_json(client):
    _refused(await client.get("/v1/films", headers={"Accept": "text/html"}), 406, "Accept", "application/json")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert (await client.get("/v1/films", headers={"Accept": browser})).status_code == 200


@pytest.mark.parametrize("method, path, allow", [
    ("PUT", "/v1/films", "GET, POST"), ("OPTIONS", "/v1/films", "GET, POST"), ("PATCH", "/v1/films/f", "DELETE, GET"),
    ("DELETE", "/v1/films/f/shots/s1:regenerate", "POST"),
    ("POST", "/openapi.json", "GET, HEAD"), ("DELETE", "/v1/files/films/f/film.mp4", "GET, HEAD"),
    ("PUT", "/healthz", "GET, HEAD"),
])
async def test_405_carries_allow_with_the_methods_the_path_answers(client, method, path, allow):
    reply = await client.request(method, path)
    _refused(reply, 405, method, allow)
    assert reply.headers["allow"] == allow
