"""One film with the object store on S3 (moto in server mode on loopback): the orchestrator, the composer
and Triton's models (which store what they make, inference.results) read and write the store. This
film's Triton is its own, started with the S3 settings as `filmstudio up` would start it."""

from __future__ import annotations

import io
import os

import av

from filmstudio.config import Config
from filmstudio.storage import opened_store
from inference.launcher import TritonProcess
from tests.conftest import free_port
from tests.e2e.conftest import Client, close_stack, describe, make_stack, settings, short_script, succeeded

S3_ENV = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}


async def test_a_film_on_s3(triton_mesh, tmp_path, moto_endpoint, monkeypatch):
    for name, value in S3_ENV.items():
        monkeypatch.setenv(name, value)
    from aiobotocore.session import get_session

    async with get_session().create_client("s3", endpoint_url=moto_endpoint) as s3:
        await s3.create_bucket(Bucket="films")
    store_url = "s3://films/studio"
    triton_addr = f"127.0.0.1:{free_port()}"
    stack, pg_name = make_stack(triton_mesh, tmp_path / "s3", "sqlite", FILMSTUDIO_STORE_URL=store_url,
                                FILMSTUDIO_S3_ENDPOINT=moto_endpoint, FILMSTUDIO_TRITON_ADDR=triton_addr,
                                FILMSTUDIO_TRITON_HTTP_PORT=str(free_port()), FILMSTUDIO_TRITON_METRICS_PORT="0",
                                **S3_ENV)
    triton = TritonProcess.from_config(Config.from_env(stack.env), env={**os.environ, **stack.env})
    try:
        triton.start()
        triton.wait_ready()
        stack.start_composer()
        stack.start_replica()
        async with Client(stack.addr, "sam") as sam:
            film, _ = await sam.render(short_script("s3"), settings(8))
        assert succeeded(film), describe(film)
        assert film.outputs.video_uri.startswith(f"{store_url}/films/")
        assert all(s.image_uri.startswith(f"{store_url}/assets/image/") for s in film.shots)
        assert not stack.store_dir.exists()  # nothing went to the local disk instead
        async with opened_store(store_url, moto_endpoint) as store:
            video = await store.get(film.outputs.video_uri)
            assert (await store.url(film.outputs.video_uri)).startswith(moto_endpoint)  # presigned
        with av.open(io.BytesIO(video)) as container:
            assert container.streams.video[0].codec_context.name == "h264"
            assert container.streams.audio[0].codec_context.name == "aac"
    finally:
        close_stack(stack, pg_name)
        triton.stop()
