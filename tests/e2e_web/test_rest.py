"""REST end to end on the real mesh: a token from `filmstudio token`, create, watch over SSE with a
Last-Event-ID resume, the video with Range, someone else's film is 404, no token is 401."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys

import httpx
import pytest
from PIL import Image

pytestmark = pytest.mark.mesh

SCRIPT = "INT. ATTIC - DAY\n\nDust in a shaft of light.\n\nTOM\nIt was here all along.\n\nHe opens the trunk.\n"


def sse_frames(lines: list[str]) -> list[dict[str, str]]:
    """SSE lines -> one dict per event (comments and keep-alives dropped)."""
    frames, fields = [], {}
    for line in lines:
        if not line:
            if fields:
                frames.append(fields)
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(": ")
            fields[name] = value
    return frames


async def read_events(http: httpx.AsyncClient, name: str, headers: dict[str, str], stop_after: int | None = None):
    """Events of GET /v1/{name}:watch; with stop_after, hang up after that many."""
    lines: list[str] = []
    async with http.stream("GET", f"/v1/{name}:watch", headers=headers) as reply:
        assert reply.status_code == 200, await reply.aread()
        assert reply.headers["content-type"].startswith("text/event-stream")
        async for line in reply.aiter_lines():
            lines.append(line)
            if stop_after is not None and line == "" and len(sse_frames(lines)) >= stop_after:
                break
    return sse_frames(lines + [""])


def cli_token(mesh, user: str) -> str:
    minted = subprocess.run([sys.executable, "-m", "mesh.cli", "token", "--subject", user, "--ttl", "600"],
                            env=mesh.env, capture_output=True, text=True, timeout=60, check=True)
    return minted.stdout.strip()


async def test_create_watch_resume_and_seek_over_rest(mesh, gateway_url, token_for):
    alice = {"Authorization": f"Bearer {cli_token(mesh, 'rest-alice')}"}
    async with httpx.AsyncClient(base_url=gateway_url, timeout=60) as http:
        created = await http.post("/v1/films", headers=alice, json={
            "script": SCRIPT, "displayName": "Attic",
            "settings": {"targetDuration": "10s", "style": "documentary", "aspectRatio": "ASPECT_RATIO_PORTRAIT"}})
        assert created.status_code == 200, created.text
        film = created.json()
        assert film["name"].startswith("films/") and film["state"] == "FILM_STATE_QUEUED"
        assert film["owner"] == "users/rest-alice" and film["settings"]["style"] == "documentary"

        # Watch three events, hang up, resume from the last id seen: the rest, none repeated.
        first = await read_events(http, film["name"], alice, stop_after=3)
        assert [f["id"] for f in first] == ["1", "2", "3"]
        rest = await read_events(http, film["name"], {**alice, "Last-Event-ID": first[-1]["id"]})
        events = [json.loads(f["data"]) for f in first + rest]
        assert [int(e["sequence"]) for e in events] == list(range(1, len(events) + 1))
        assert events[-1]["stateChange"]["state"] == "FILM_STATE_SUCCEEDED"
        outputs = next(e["outputs"] for e in events if "outputs" in e)

        done = (await http.get(f"/v1/{film['name']}", headers=alice)).json()
        assert done["state"] == "FILM_STATE_SUCCEEDED" and done["outputs"]["videoUri"] == outputs["videoUri"]
        assert [s["state"] for s in done["shots"]] == ["SHOT_STATE_SUCCEEDED"] * len(done["shots"])

        # Every URI is the gateway's own file URL: nothing says where the store keeps the film.
        assert "file://" not in json.dumps(done) and mesh.config.store_url not in json.dumps(events)
        key = outputs["videoUri"].removeprefix("/v1/files/")
        assert key.startswith(film["name"] + "/")
        # The video, whole and by range, as a <video> element asks for it.
        whole = await http.get(outputs["videoUri"], headers=alice)
        assert whole.status_code == 200 and whole.headers["content-type"] == "video/mp4"
        assert whole.content[4:8] == b"ftyp" and whole.headers["accept-ranges"] == "bytes"
        part = await http.get(f"/v1/files/{key}", headers={**alice, "Range": "bytes=1000-1999"})
        assert part.status_code == 206 and part.content == whole.content[1000:2000]
        assert part.headers["content-range"] == f"bytes 1000-1999/{len(whole.content)}"
        tail = await http.get(f"/v1/files/{key}", params={"access_token": alice["Authorization"][7:]},
                              headers={"Range": "bytes=-100"})
        assert tail.status_code == 206 and tail.content == whole.content[-100:]
        still = done["shots"][0]["imageUri"].removeprefix("/v1/files/")
        assert still.startswith("assets/image/")  # content-addressed: any signed-in user may read it

        # Someone else: the film, its stream and its files do not exist for them.
        bob = {"Authorization": f"Bearer {token_for('rest-bob')}"}
        for path in (f"/v1/{film['name']}", f"/v1/{film['name']}:watch", f"/v1/files/{key}"):
            reply = await http.get(path, headers=bob)
            assert reply.status_code == 404, path
            assert reply.json()["code"] == 5
        assert (await http.get("/v1/films", headers=bob)).json()["films"] == []
        assert (await http.get(f"/v1/files/{still}", headers=bob)).status_code == 200

        # No token, or a token signed with another key: 401 everywhere.
        forged = {"Authorization": "Bearer " + token_for("rest-alice").rsplit(".", 1)[0] + ".AAAA"}
        for headers in ({}, forged):
            for path in (f"/v1/{film['name']}", f"/v1/{film['name']}:watch", f"/v1/files/{key}", "/v1/films"):
                reply = await http.get(path, headers=headers)
                assert reply.status_code == 401, (path, headers)
                assert reply.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("subject", ["jürgen", "a\nb", "ends in a tab\t"])
async def test_a_token_subject_of_any_unicode_reaches_the_orchestrator_intact(gateway_url, token_for, subject):
    # These subjects once failed every call: the gateway passed them on as an HTTP/2 header value.
    headers = {"Authorization": f"Bearer {token_for(subject)}"}
    async with httpx.AsyncClient(base_url=gateway_url, timeout=60) as http:
        created = await http.post("/v1/films", headers=headers, json={
            "script": SCRIPT, "settings": {"targetDuration": "5s"}})
        assert created.status_code == 200, created.text
        assert created.json()["owner"] == f"users/{subject}"
        got = await http.get(f"/v1/{created.json()['name']}", headers=headers)
        assert got.status_code == 200 and got.json()["owner"] == f"users/{subject}"
        assert (await http.delete(f"/v1/{created.json()['name']}", headers=headers)).status_code == 200


async def test_naming_a_user_over_grpc_proves_nothing(mesh, token_for):
    import grpc

    from filmstudio.v1 import film_pb2, film_pb2_grpc
    from tests.conftest import as_user

    async with grpc.aio.insecure_channel(mesh.config.orchestrator_addr) as channel:
        films = film_pb2_grpc.FilmServiceStub(channel)
        film = await films.CreateFilm(film_pb2.CreateFilmRequest(film=film_pb2.Film(
            script=SCRIPT, settings=film_pb2.FilmSettings(target_duration={"seconds": 5}))), metadata=as_user("victim"))
        try:
            request = film_pb2.GetFilmRequest(name=film.name)
            for metadata in ((("x-filmstudio-user", "victim"),), ()):
                with pytest.raises(grpc.aio.AioRpcError) as refused:
                    await films.GetFilm(request, metadata=metadata)
                assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
            with pytest.raises(grpc.aio.AioRpcError) as foreign:
                await films.GetFilm(request, metadata=as_user("mallory"))
            assert foreign.value.code() == grpc.StatusCode.NOT_FOUND
            assert (await films.GetFilm(request, metadata=as_user("victim"))).name == film.name
        finally:
            await films.DeleteFilm(film_pb2.DeleteFilmRequest(name=film.name), metadata=as_user("victim"))


def png_bytes(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 64), colour).save(out, format="PNG")
    return out.getvalue()


async def test_the_cast_sheet_over_rest_with_an_uploaded_portrait(gateway_url, token_for):
    dana = {"Authorization": f"Bearer {token_for('rest-dana')}"}
    async with httpx.AsyncClient(base_url=gateway_url, timeout=60) as http:
        created = await http.post("/v1/films", headers=dana, json={
            "script": SCRIPT, "settings": {"targetDuration": "6s"},
            "cast": [{"name": "tom", "hair": "a shaved head", "gender": "GENDER_MALE"}]})
        assert created.status_code == 200, created.text
        name = created.json()["name"]
        listed = await http.get(f"/v1/{name}/characters", headers=dana)
        assert listed.status_code == 200, listed.text
        (tom,) = listed.json()["characters"]
        assert (tom["id"], tom["hair"], tom["gender"]) == ("char-tom", "a shaved head", "GENDER_MALE")
        assert "shaved head" in tom["description"]

        wrong = await http.post("/v1/films", headers=dana, json={"script": SCRIPT, "cast": [{"name": "ZED"}]})
        assert wrong.status_code == 400 and "ZED" in wrong.json()["message"]

        await read_events(http, name, dana)  # let it finish: the cast changes once the film succeeded
        character = f"/v1/{name}/characters/char-tom"
        portrait = base64.b64encode(png_bytes((10, 160, 220))).decode()
        patched = await http.patch(character, headers=dana, json={"portraitImage": portrait})
        assert patched.status_code == 200, patched.text
        uri = patched.json()["portraitUri"]
        assert patched.json()["portraitUploaded"] and uri.startswith("/v1/files/assets/portrait/")
        picture = Image.open(io.BytesIO((await http.get(uri, headers=dana)).content))
        assert picture.getpixel((3, 3)) == (10, 160, 220)

        for body, words in (({"portraitImage": base64.b64encode(b"not an image").decode()}, "portrait_image"),
                            ({"character": {"voice": {"variant": "zz9"}}}, "variant"),
                            ({"updateMask": "span"}, "span")):
            refused = await http.patch(character, headers=dana, json=body)
            assert refused.status_code == 400 and words in refused.json()["message"], refused.text
        huge = await http.patch(character, content=b"{" + b" " * (15 * 2**20) + b"}",
                                headers={**dana, "content-type": "application/json"})
        assert huge.status_code == 413
        assert (await http.get(character, headers={"Authorization": f"Bearer {token_for('rest-eve')}"})).status_code == 404
