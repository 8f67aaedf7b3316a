"""Routing, transcoding and error mapping through the app, against the fake FilmService."""

from __future__ import annotations

from tests.gateway.tokens import bearer


async def create(client, script="INT. ROOM - DAY\n\nShe waits.\n\nHe arrives.", **extra):
    reply = await client.post("/v1/films", json={"script": script, "settings": {"style": "noir", "fps": 24,
                                                                                 "targetDuration": "30s"}},
                              params=extra)
    assert reply.status_code == 200, reply.text
    return reply.json()


async def test_create_then_get_round_trips_proto3_json(client, films):
    film = await create(client, film_id="first")
    assert film["name"] == "films/first"
    assert film["owner"] == "users/alice"
    assert film["settings"]["targetDuration"] == "30s"
    assert film["state"] == "FILM_STATE_QUEUED"
    assert film["progress"] == 0 or isinstance(film["progress"], float)  # unpopulated fields are emitted
    got = await client.get("/v1/films/first")
    assert got.status_code == 200 and got.json()["name"] == "films/first"
    assert ("GetFilm", "alice") in films.calls


async def test_query_parameters_bind_non_body_fields(client, films):
    await create(client, film_id="a", request_id="r1")
    again = await create(client, film_id="b", request_id="r1")  # idempotent: the first film back
    assert again["name"] == "films/a"
    listed = await client.get("/v1/films", params={"page_size": "1"})
    assert listed.status_code == 200
    assert len(listed.json()["films"]) == 1


async def test_another_users_film_is_not_found(client):
    await create(client, film_id="mine")
    reply = await client.get("/v1/films/mine", headers=bearer("bob"))
    assert reply.status_code == 404
    assert reply.json()["code"] == 5 and "not found" in reply.json()["message"]


async def test_custom_verb_with_nested_path_variable(client):
    await create(client, film_id="f")
    reply = await client.post("/v1/films/f/shots/s1:regenerate", json={"seed": "7", "prompt": "rain"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["shots"][0]["take"] >= 1


async def test_delete_returns_empty_object(client):
    await create(client, film_id="gone")
    reply = await client.delete("/v1/films/gone")
    assert reply.status_code == 200 and reply.json() == {}
    assert (await client.get("/v1/films/gone")).status_code == 404


async def test_grpc_status_maps_to_http_and_status_body(client):
    reply = await client.post("/v1/films", json={"script": ""})
    assert reply.status_code == 400
    assert reply.json() == {"code": 3, "message": "film.script: the script is empty", "details": []}


async def test_bad_input_is_400_413_404_405_never_500(client):
    cases = [
        (client.post("/v1/films", content=b"{not json", headers={"content-type": "application/json"}), 400),
        (client.post("/v1/films", json={"script": "x", "colour": "red"}), 400),  # unknown field
        (client.post("/v1/films", json={"script": 5}), 400),  # wrong type
        (client.post("/v1/films", json={"script": "x", "settings": {"fps": "many"}}), 400),
        (client.post("/v1/films", json=["script"]), 400),
        (client.post("/v1/scripts:parse", json={"script": "x"}, params={"extra": "1"}), 400),
        (client.get("/v1/films", params={"page_size": "ten"}), 400),
        (client.get("/v1/films", params={"nope": "1"}), 400),
        (client.post("/v1/films", content=b'{"script": "' + b"x" * (1024 * 1024) + b'"}'), 413),
        (client.get("/v1/nothing/here"), 404),
        (client.get("/v2/films"), 404),
        (client.put("/v1/films"), 405),
        (client.post("/v1/films", content=b"[" * 100000, headers={"content-type": "application/json"}), 400),
    ]
    for pending, expected in cases:
        reply = await pending
        assert reply.status_code == expected, (reply.request.url, reply.text[:200])
        body = reply.json()
        assert set(body) == {"code", "message", "details"}
        assert "Traceback" not in reply.text


async def test_upstream_down_is_503(settings):
    import httpx
    from gateway.app import create_app
    settings.upstream_addr = "127.0.0.1:1"
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://g") as c:
        reply = await c.get("/v1/films", headers=bearer("alice"))
    await app.state.gateway.close()
    assert reply.status_code == 503 and reply.json()["code"] == 14


async def test_openapi_and_docs_are_served(client):
    spec = (await client.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.")
    assert "/v1/films/{film}/shots/{shot}:regenerate" in spec["paths"]
    get_film = spec["paths"]["/v1/films/{film}"]["get"]
    assert get_film["description"] == "Returns one of the caller's films."
    film = spec["components"]["schemas"]["filmstudio.v1.Film"]
    assert film["properties"]["script"]["description"] == "The script: Fountain or plain prose, UTF-8."
    docs = await client.get("/docs")
    assert docs.status_code == 200 and "/openapi.json" in docs.text
    assert "https://" not in docs.text and "<script src" not in docs.text  # no CDN: works offline
    assert (await client.get("/healthz")).status_code == 200
