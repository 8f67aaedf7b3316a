"""ExportFilm through the real mesh, on SQLite and on PostgreSQL: a rendered film's cut read back by the
editors' adapters (FCPXML, EDL) clip for clip and frame for frame, and the refusals."""

from __future__ import annotations

import asyncio
import pathlib

import av
import grpc
import opentimelineio as otio
import pytest

from filmstudio.v1 import film_pb2
from tests.e2e.conftest import Client, describe, settings, short_script, succeeded


def seconds(duration) -> float:
    return duration.seconds + duration.nanos / 1e9


def local(stack, uri: str) -> pathlib.Path:
    assert uri.startswith(stack.store_dir.as_uri()), uri
    return stack.store_dir / uri[len(stack.store_dir.as_uri()) + 1:]


@pytest.fixture(scope="module")
def rendered(stack):
    """alice's film to export, rendered once per stack."""

    async def render():
        async with Client(stack.addr, "alice") as alice:
            film, _ = await alice.render(short_script("export", stack), settings(8), display_name="export")
            return film

    film = asyncio.run(render())
    assert succeeded(film), describe(film)
    return film


@pytest.mark.parametrize("fmt, adapter, extension", [(film_pb2.EXPORT_FORMAT_FCPXML, "fcpx_xml", "fcpxml"),
                                                     (film_pb2.EXPORT_FORMAT_EDL, "cmx_3600", "edl")])
async def test_an_export_reads_back_as_the_films_shots_to_the_frame(stack, rendered, fmt, adapter, extension):
    film = rendered
    async with Client(stack.addr, "alice") as alice:
        exported = await alice.films.ExportFilm(film_pb2.ExportFilmRequest(name=film.name, format=fmt),
                                                metadata=alice.metadata, timeout=60)
    path = local(stack, exported.uri)
    assert path.name == f"film.{extension}" and path.parent.name == "export"
    assert exported.format == fmt and exported.clip_count == len(film.shots)
    timeline = otio.adapters.read_from_file(str(path), adapter_name=adapter)
    clips = list(timeline.video_tracks()[0].find_clips())
    assert [c.name for c in clips] == [s.shot_id for s in film.shots]
    fps = film.settings.fps
    frames = [round(c.source_range.duration.to_frames()) for c in clips]
    starts = [round(c.range_in_parent().start_time.to_frames()) for c in clips]
    assert starts == [sum(frames[:i]) for i in range(len(frames))]
    assert sum(frames) * 1_000_000_000 // fps == exported.duration.ToNanoseconds()
    with av.open(str(local(stack, film.outputs.video_uri))) as container:
        decoded = sum(1 for _ in container.decode(video=0))
    assert sum(frames) == decoded  # the MP4 has exactly the frames the editor's timeline has
    assert abs(seconds(exported.duration) - seconds(film.outputs.duration)) < 1.5 / fps


async def test_an_export_is_refused_for_an_unfinished_film_another_users_film_and_an_unknown_format(stack, rendered):
    async with Client(stack.addr, "alice") as alice, Client(stack.addr, "bob") as bob:
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await bob.films.ExportFilm(film_pb2.ExportFilmRequest(name=rendered.name, format=film_pb2.EXPORT_FORMAT_EDL),
                                       metadata=bob.metadata, timeout=30)
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND
        for fmt, named in [(film_pb2.EXPORT_FORMAT_UNSPECIFIED, "EXPORT_FORMAT_UNSPECIFIED"), (42, "42")]:
            with pytest.raises(grpc.aio.AioRpcError) as unknown:
                await alice.films.ExportFilm(film_pb2.ExportFilmRequest(name=rendered.name, format=fmt),
                                             metadata=alice.metadata, timeout=30)
            assert unknown.value.code() == grpc.StatusCode.INVALID_ARGUMENT and named in unknown.value.details()
        queued = await alice.create(short_script("export-unfinished", stack), settings(8))
        try:
            with pytest.raises(grpc.aio.AioRpcError) as unfinished:
                await alice.films.ExportFilm(film_pb2.ExportFilmRequest(name=queued.name,
                                                                        format=film_pb2.EXPORT_FORMAT_OTIO),
                                             metadata=alice.metadata, timeout=30)
            assert unfinished.value.code() == grpc.StatusCode.FAILED_PRECONDITION
            assert queued.name in unfinished.value.details()
        finally:
            await alice.films.CancelFilm(film_pb2.CancelFilmRequest(name=queued.name), metadata=alice.metadata,
                                         timeout=30)
