"""WatchFilm as SSE and NDJSON with resume; auth and rate limiting; files with ranges."""

from __future__ import annotations

import json
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from gateway.app import GatewaySettings, create_app
from filmstudio.auth import AuthError, Verifier, mint_token
from gateway.ratelimit import RateLimiter
from gateway.files import parse_range, readable_as
from tests.gateway.fakes import FakeFilmService, start_fake
from tests.gateway.tokens import SECRET, bearer


async def _film(client, film_id="w"):
    reply = await client.post("/v1/films", json={"script": "One.\n\nTwo.\n\nThree."}, params={"film_id": film_id})
    assert reply.status_code == 200
    return reply.json()["name"]


def _sse(text: str) -> list[dict]:
    frames = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        frames.append(fields)
    return frames


async def test_watch_as_sse_carries_sequence_ids_until_the_end(client):
    await _film(client)
    reply = await client.get("/v1/films/w:watch")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/event-stream")
    frames = _sse(reply.text)
    ids = [int(f["id"]) for f in frames]
    assert ids == list(range(1, len(ids) + 1))
    events = [json.loads(f["data"]) for f in frames]
    assert events[-1]["stateChange"]["state"] == "FILM_STATE_SUCCEEDED"
    assert sum("shot" in e for e in events) == 3


async def test_last_event_id_resumes_without_repeats(client):
    await _film(client)
    everything = _sse((await client.get("/v1/films/w:watch")).text)
    resumed = _sse((await client.get("/v1/films/w:watch", headers={"Last-Event-ID": "4"})).text)
    assert [f["id"] for f in resumed] == [f["id"] for f in everything[4:]]
    by_query = _sse((await client.get("/v1/films/w:watch", params={"after_sequence": "5"})).text)
    assert [f["id"] for f in by_query] == [f["id"] for f in everything[5:]]


async def test_watch_as_ndjson(client):
    await _film(client)
    reply = await client.get("/v1/films/w:watch", headers={"Accept": "application/x-ndjson"})
    assert reply.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in reply.text.splitlines()]
    assert [line["result"]["sequence"] for line in lines] == [str(i) for i in range(1, len(lines) + 1)]


async def test_watching_someone_elses_film_is_404_not_a_stream(client):
    await _film(client)
    reply = await client.get("/v1/films/w:watch", headers=bearer("mallory"))
    assert reply.status_code == 404 and reply.json()["code"] == 5


@pytest.mark.parametrize("header", [None, "Bearer", "Basic abc", "Bearer not.a.jwt",
                                    "Bearer " + mint_token("alice", "some-other-secret-of-32-bytes-long!", 600),
                                    "Bearer " + mint_token("alice", SECRET, -120)])
async def test_missing_bad_or_expired_token_is_401(client, header):
    headers = {"Authorization": header} if header else {}
    if not header:
        del client.headers["Authorization"]
    reply = await client.get("/v1/films", headers=headers)
    assert reply.status_code == 401
    assert reply.json()["code"] == 16 and reply.headers["www-authenticate"].startswith("Bearer")


async def test_rs256_tokens_verify_against_a_jwks_file(tmp_path):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    public_jwk.update(kid="k1", use="sig", alg="RS256")
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [public_jwk]}))
    verifier = Verifier(secret="unused-secret-of-thirty-two-bytes!", jwks_url=str(jwks))
    now = int(time.time())
    good = jwt.encode({"sub": "carol", "exp": now + 60}, private, algorithm="RS256", headers={"kid": "k1"})
    assert await verifier.verify(good) == "carol"
    with pytest.raises(AuthError):  # a dev HS256 token is refused in production mode
        await verifier.verify(mint_token("carol", "unused-secret-of-thirty-two-bytes!", 60))
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode({"sub": "carol", "exp": now + 60}, other, algorithm="RS256", headers={"kid": "k1"})
    with pytest.raises(AuthError):
        await verifier.verify(forged)


async def test_rate_limit_is_per_user_with_retry_after(settings):
    settings.rate_per_s, settings.burst = 0.5, 2
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://g") as c:
        codes = [(await c.get("/v1/films", headers=bearer("greedy"))).status_code for _ in range(3)]
        limited = await c.get("/v1/films", headers=bearer("greedy"))
        other = await c.get("/v1/films", headers=bearer("patient"))
    await app.state.gateway.close()
    assert codes[:2] == [200, 200] and codes[2] == 429
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert limited.json()["code"] == 8
    assert other.status_code == 200


def test_token_bucket_refills_with_the_clock():
    now = [0.0]
    limiter = RateLimiter(rate_per_s=2, burst=1, clock=lambda: now[0])
    assert limiter.take("u") == 0
    assert limiter.take("u") == pytest.approx(0.5)
    now[0] = 0.5
    assert limiter.take("u") == 0


@pytest.mark.parametrize("header,expected", [
    (None, None), ("bytes=0-9", (0, 9)), ("bytes=10-", (10, 99)), ("bytes=-10", (90, 99)),
    ("bytes=95-200", (95, 99)), ("bytes=100-", "unsatisfiable"), ("bytes=9-3", None), ("lines=1-2", None),
    ("bytes=0-1,4-5", None),
])
def test_parse_range(header, expected):
    assert parse_range(header, 100) == expected


async def test_files_serve_ranges_for_video_seeking(client, store):
    await _film(client, "x")
    data = bytes(range(256)) * 40
    await store.put("films/x/film.mp4", data, "video/mp4")
    whole = await client.get("/v1/files/films/x/film.mp4")
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["accept-ranges"] == "bytes" and whole.headers["content-type"] == "video/mp4"
    part = await client.get("/v1/files/films/x/film.mp4", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == data[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
    beyond = await client.get("/v1/files/films/x/film.mp4", headers={"Range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{len(data)}"
    assert (await client.get("/v1/files/films/x/missing.mp4")).status_code == 404
    assert (await client.get("/v1/files/films/../../etc/passwd")).status_code in (400, 404)
    del client.headers["Authorization"]
    assert (await client.get("/v1/files/films/x/film.mp4")).status_code == 401
    token = mint_token("alice", SECRET, 60)
    assert (await client.get("/v1/files/films/x/film.mp4", params={"access_token": token})).status_code == 200


class _FakeS3:
    base_uri = "s3://bucket/"

    def key(self, uri):
        return uri

    def local_path(self, key):
        return None

    async def exists(self, key):
        return True

    async def url(self, key, expires_s=3600):
        return f"https://s3.example/bucket/{key}?X-Amz-Signature=abc"

    async def close(self):
        pass


async def test_files_on_s3_redirect_to_a_presigned_url(settings):
    settings.store = _FakeS3()
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://g") as c:
        c.headers.update(bearer("alice"))
        await _film(c, "x")
        reply = await c.get("/v1/files/films/x/film.mp4")
    await app.state.gateway.close()
    assert reply.status_code == 307
    assert reply.headers["location"].startswith("https://s3.example/bucket/films/x/film.mp4?")


@pytest.mark.parametrize("key, needs", [
    ("films/x/film.mp4", "films/x"), ("films/x/sub/poster.jpg", "films/x"), ("films/x", None), ("films//a", None),
    ("assets/image/ab/ab12.png", ""), ("assets/", None), ("filmstudio.db", None), ("tmp/upload", None),
])
def test_readable_as(key, needs):
    assert readable_as(key) == needs


async def test_film_files_are_the_owners_and_assets_any_signed_in_users(client, store):
    await _film(client, "mine")
    await store.put("films/mine/film.mp4", b"video", "video/mp4")
    await store.put("assets/image/ab/ab12.png", b"still", "image/png")
    await store.put("private.db", b"secret", "application/octet-stream")
    assert (await client.get("/v1/files/films/mine/film.mp4")).content == b"video"
    assert (await client.get("/v1/files/assets/image/ab/ab12.png")).content == b"still"
    stolen = await client.get("/v1/files/films/mine/film.mp4", headers=bearer("bob"))
    missing = await client.get("/v1/files/films/nosuch/film.mp4", headers=bearer("bob"))
    assert stolen.status_code == missing.status_code == 404
    assert stolen.json() == {**missing.json(), "message": missing.json()["message"].replace("nosuch", "mine")}
    assert (await client.get("/v1/files/assets/image/ab/ab12.png", headers=bearer("bob"))).content == b"still"
    assert (await client.get("/v1/files/private.db")).status_code == 404
    head = await client.head("/v1/files/films/mine/film.mp4", headers=bearer("bob"))
    assert head.status_code == 404


async def test_a_quiet_sse_stream_gets_keep_alive_comments(store):
    films = FakeFilmService(step_s=0.2, store=store)
    server, addr = await start_fake(films)
    app = create_app(GatewaySettings(upstream_addr=addr, jwt_secret=SECRET, store=store, keepalive_s=0.02))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://g",
                                     headers=bearer("alice")) as c:
            await _film(c)
            sse = (await c.get("/v1/films/w:watch")).text
            ndjson = (await c.get("/v1/films/w:watch", headers={"Accept": "application/x-ndjson"})).text
    finally:
        await app.state.gateway.close()
        await films.close()
        await server.stop(None)
    assert ": keep-alive\n\n" in sse
    frames = [f for f in _sse(sse) if "id" in f]
    assert [int(f["id"]) for f in frames] == list(range(1, len(frames) + 1))
    assert json.loads(frames[-1]["data"])["stateChange"]["state"] == "FILM_STATE_SUCCEEDED"
    assert all(json.loads(line)["result"] for line in ndjson.splitlines())  # no keep-alive in NDJSON


async def test_a_remembered_token_is_still_refused_once_it_expires():
    now = [time.time()]
    verifier = Verifier(SECRET, clock=lambda: now[0])
    token = mint_token("alice", SECRET, 60)
    assert await verifier.verify(token) == "alice"
    assert await verifier.verify(token) == "alice"  # from memory
    now[0] += 60 + 31  # past exp and the leeway
    with pytest.raises(AuthError):
        await verifier.verify(token)
    with pytest.raises(AuthError):  # a tampered copy is never a memory hit
        await verifier.verify(mint_token("alice", SECRET, 600)[:-2] + "xx")
