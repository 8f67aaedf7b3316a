"""REST responses never show where the store keeps a film: every object URI (Film.outputs, a shot's
still and voice, in GetFilm, ListFilms and watch events as SSE or NDJSON) is the gateway's own
/v1/files URL, which serves it. A missing object is 404 whatever the store."""

from __future__ import annotations

import json

import httpx

from filmstudio.storage import S3Store
from filmstudio.v1 import film_pb2
from gateway.app import create_app
from gateway.files import object_urls
from gateway.protojson import ProtoJson
from tests.gateway.tokens import bearer


async def _finished_film(client, film_id="u"):
    reply = await client.post("/v1/films", json={"script": "One.\n\nTwo."}, params={"film_id": film_id})
    assert reply.status_code == 200, reply.text
    await client.get(f"/v1/films/{film_id}:watch")  # the fake plays the whole film before this ends
    return reply.json()["name"]


def _uris(value) -> list[str]:
    """Every *Uri value in a JSON document."""
    if isinstance(value, dict):
        return [v for k, v in value.items() if k.endswith("Uri") and isinstance(v, str)] + \
            [u for v in value.values() for u in _uris(v)]
    if isinstance(value, list):
        return [u for v in value for u in _uris(v)]
    return []


async def test_film_list_and_event_uris_are_gateway_file_urls(client, store):
    await _finished_film(client)
    film = (await client.get("/v1/films/u")).json()
    listed = (await client.get("/v1/films")).json()
    sse = (await client.get("/v1/films/u:watch")).text
    ndjson = (await client.get("/v1/films/u:watch", headers={"Accept": "application/x-ndjson"})).text
    events = [json.loads(line.removeprefix("data: ")) for line in sse.splitlines() if line.startswith("data: ")]
    lines = [json.loads(line)["result"] for line in ndjson.splitlines()]

    for text in (json.dumps(film), json.dumps(listed), sse, ndjson):
        assert "file://" not in text and str(store.root) not in text
    assert film["outputs"]["videoUri"] == "/v1/files/films/u/film.mp4"
    assert film["shots"][0]["imageUri"] == "/v1/files/films/u/s1-take1.png"
    assert film["shots"][0]["audioUri"] == ""  # an empty URI stays empty
    for document in (film, listed, events, lines):
        urls = [u for u in _uris(document) if u]
        assert urls and all(u.startswith("/v1/files/") for u in urls), urls
    still = await client.get(film["shots"][0]["imageUri"])  # the URL serves the object
    assert still.status_code == 200 and still.content.startswith(b"\x89PNG")


async def test_the_web_page_does_not_carry_the_store_location(client, store):
    page = await client.get("/")
    assert page.status_code == 200
    assert "file://" not in page.text and str(store.root) not in page.text and "{{" not in page.text


def test_s3_uris_become_file_urls_without_the_bucket():
    store = S3Store("private-bucket", prefix="studio")
    printer = ProtoJson(strings=object_urls(store))
    film = film_pb2.Film(outputs=film_pb2.FilmOutputs(video_uri=store.uri("films/a/film.mp4"),
                                                      poster_uri="s3://other-bucket/films/a/poster.jpg"))
    film.shots.add(image_uri=store.uri("assets/image/ab/ab 12.png"))
    printed = printer.to_dict(film)
    assert printed["outputs"]["videoUri"] == "/v1/files/films/a/film.mp4"
    assert printed["outputs"]["posterUri"] == ""  # not in our store: nothing the caller could use or should see
    assert printed["shots"][0]["imageUri"] == "/v1/files/assets/image/ab/ab%2012.png"
    assert "bucket" not in json.dumps(printed) and "studio" not in json.dumps(printed)
    assert ProtoJson(strings=object_urls(None)).to_dict(film)["outputs"]["videoUri"] == ""


class _FakeS3:
    """An S3-like store (no local paths: files are presigned redirects) holding `objects`."""

    base_uri = "s3://bucket/"

    def __init__(self, objects: set[str]) -> None:
        self.objects = objects

    def key(self, uri):
        return uri.removeprefix(self.base_uri)

    def local_path(self, key):
        return None

    async def exists(self, key):
        return self.key(key) in self.objects

    async def url(self, key, expires_s=3600):
        return f"https://s3.example/bucket/{key}?X-Amz-Signature=abc"

    async def close(self):
        pass


async def test_a_missing_object_on_s3_is_404_naming_it_not_a_redirect(settings):
    settings.store = _FakeS3({"films/x/film.mp4"})
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://g") as c:
        c.headers.update(bearer("alice"))
        assert (await c.post("/v1/films", json={"script": "One."}, params={"film_id": "x"})).status_code == 200
        there = await c.get("/v1/files/films/x/film.mp4")
        missing = await c.get("/v1/files/films/x/poster.jpg")
        missing_head = await c.head("/v1/files/films/x/poster.jpg")
    await app.state.gateway.close()
    assert there.status_code == 307 and there.headers["location"].startswith("https://s3.example/")
    assert missing.status_code == 404 and "films/x/poster.jpg" in missing.json()["message"]
    assert missing_head.status_code == 404 and "location" not in missing_head.headers
