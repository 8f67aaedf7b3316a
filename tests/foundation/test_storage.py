"""The object store on a local directory and on S3 (moto in server mode on loopback)."""

import time

import pytest

from filmstudio.errors import InvalidArgument, NotFound
from filmstudio.storage import LocalStore, open_store


@pytest.fixture
def s3_env(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture(params=["local", "s3"])
async def store(request, tmp_path):
    if request.param == "local":
        store = open_store(tmp_path.as_uri())
    else:
        endpoint = request.getfixturevalue("moto_endpoint")
        request.getfixturevalue("s3_env")
        from aiobotocore.session import get_session

        bucket = f"films-{time.time_ns()}"
        async with get_session().create_client("s3", endpoint_url=endpoint) as s3:
            await s3.create_bucket(Bucket=bucket)
        store = open_store(f"s3://{bucket}/prefix", s3_endpoint=endpoint)
    yield store
    await store.close()


async def test_put_get_exists_delete(store):
    uri = await store.put("assets/ab/clip.wav", b"RIFF....")
    assert uri == store.uri("assets/ab/clip.wav")
    assert await store.get(uri) == b"RIFF...."
    assert await store.get("assets/ab/clip.wav") == b"RIFF...."
    assert await store.exists(uri)
    await store.delete(uri)
    assert not await store.exists(uri)


async def test_missing_object_is_not_found_with_its_uri(store):
    with pytest.raises(NotFound) as error:
        await store.get("films/none/film.mp4")
    assert "films/none/film.mp4" in error.value.message


async def test_publish_moves_a_temporary_object_into_place(store):
    await store.put("films/f1/.tmp-film.mp4", b"mp4")
    uri = await store.publish("films/f1/.tmp-film.mp4", "films/f1/film.mp4")
    assert await store.get(uri) == b"mp4"
    assert not await store.exists("films/f1/.tmp-film.mp4")


async def test_put_file_and_url(store, tmp_path):
    source = tmp_path / "poster.jpg"
    source.write_bytes(b"\xff\xd8jpeg")
    uri = await store.put_file("films/f1/poster.jpg", source, "image/jpeg")
    assert await store.get(uri) == b"\xff\xd8jpeg"
    url = await store.url(uri)
    assert url.startswith(("file://", "http://"))


@pytest.mark.parametrize("key", ["", "/etc/passwd", "../outside", "a/../../b", "a//b"])
async def test_keys_cannot_escape_the_store(store, key):
    with pytest.raises(InvalidArgument):
        await store.put(key, b"x")


async def test_a_uri_of_another_store_is_refused(tmp_path):
    store = LocalStore(tmp_path / "a")
    with pytest.raises(InvalidArgument, match="not in this store"):
        await store.get((tmp_path / "b" / "x").as_uri())


def test_unknown_store_url_is_refused():
    with pytest.raises(InvalidArgument, match="expected file:///dir or s3://bucket/prefix"):
        open_store("ftp://example/x")


def test_a_local_stores_uris_are_remembered_but_bad_keys_always_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("filmstudio.storage.URI_CACHE_SIZE", 3)
    store = LocalStore(tmp_path)
    keys = [f"assets/a{i}/shot {i}#.png" for i in range(5)]
    uris = [store.uri(key) for key in keys]
    assert uris == [f"{tmp_path.resolve().as_uri()}/assets/a{i}/shot%20{i}%23.png" for i in range(5)]
    assert [store.key(uri) for uri in uris] == keys
    assert [store.uri(key) for key in keys] == uris  # the same, remembered or not (the memory is bounded)
    for _ in range(2):
        with pytest.raises(InvalidArgument, match="bad object key"):
            store.uri("assets/../../etc/passwd")
