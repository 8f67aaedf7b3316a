"""ExportFilm through the real mesh, on SQLite and on PostgreSQL: a rendered film's cut read back by the
editors' adapters (FCPXML, EDL) clip for clip and frame for frame, and the refusals."""

from __future__ import annotations

import asyncio
import os
import pathlib

import av
import grpc
import opentimelineio as otio
import pytest

from filmstudio.identity import LOCAL_USER
from filmstudio.v1 import film_pb2
from tests.e2e.conftest import Client, describe, settings, short_script, succeeded
from tests.foundation.test_cli import filmstudio


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


# --- the `filmstudio export` command ---------------------------------------------------------------

@pytest.fixture(scope="module")
def local_film(stack):
    """The local user's film (the one `filmstudio export` speaks for), rendered once per stack."""

    async def render():
        async with Client(stack.addr, LOCAL_USER) as local_user:
            film, _ = await local_user.render(short_script("export-cli", stack), settings(8), display_name="export-cli")
            return film

    film = asyncio.run(render())
    assert succeeded(film), describe(film)
    return film


def export_command(stack, *args: str):
    """`filmstudio export ARGS` against the stack's orchestrator and store."""
    env = {**os.environ, **stack.env, "FILMSTUDIO_ORCHESTRATOR_ADDR": stack.addr}
    return filmstudio("export", *args, env=env, timeout=60)


@pytest.mark.parametrize("fmt, adapter", [("fcpxml", "fcpx_xml"), ("edl", "cmx_3600"), ("otioz", "otioz")])
def test_the_export_command_writes_the_films_cut(stack, local_film, tmp_path, fmt, adapter):
    output = tmp_path / "cut" / f"film.{fmt}"
    result = export_command(stack, local_film.name.removeprefix("films/"), "--format", fmt, "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert "starting one" not in result.stderr  # it used the running mesh
    assert result.stdout.startswith(f"{output}: {fmt}, {len(local_film.shots)} clips, ")
    assert result.stdout.rstrip().endswith(f"({local_film.name})")
    timeline = otio.adapters.read_from_file(str(output), adapter_name=adapter)
    clips = list(timeline.video_tracks()[0].find_clips())
    assert [c.name for c in clips] == [s.shot_id for s in local_film.shots]
    frames = [round(c.source_range.duration.to_frames()) for c in clips]
    starts = [round(c.range_in_parent().start_time.to_frames()) for c in clips]
    assert starts == [sum(frames[:i]) for i in range(len(frames))]
    fps = local_film.settings.fps
    assert abs(sum(frames) / fps - seconds(local_film.outputs.duration)) < 1.5 / fps
    printed = float(result.stdout.split(" clips, ")[1].split(" s ")[0])
    assert abs(printed - sum(frames) / fps) < 0.01


def test_the_export_command_names_an_unknown_format_and_a_missing_film(stack, local_film, tmp_path):
    output = tmp_path / "film.xml"
    unknown = export_command(stack, local_film.name, "--format", "aaf", "-o", str(output))
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
    assert "'aaf'" in unknown.stderr and all(f"'{fmt}'" in unknown.stderr
                                               for fmt in ("otio", "otioz", "fcp-xml", "fcpxml", "edl"))
    missing = export_command(stack, "never-rendered", "--format", "edl", "-o", str(output))
    assert missing.returncode != 0 and "Traceback" not in missing.stderr
    assert "films/never-rendered" in missing.stderr and "NOT_FOUND" in missing.stderr
    assert not output.exists()
