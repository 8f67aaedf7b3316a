"""The `filmstudio` command as a user types it."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import av
import grpc
import pytest
from google.protobuf import json_format

from filmstudio.v1 import film_pb2, film_pb2_grpc, script_pb2
from tests.conftest import as_user

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "lighthouse.fountain"


def filmstudio(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mesh.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT)


def test_help_lists_every_command():
    result = filmstudio("--help")
    assert result.returncode == 0
    for command in ("up", "parse", "render", "token", "status"):
        assert f"    {command}" in result.stdout


def test_parse_prints_the_scene_graph_as_proto3_json():
    result = filmstudio("parse", str(EXAMPLE), "--format", "json")
    assert result.returncode == 0, result.stderr
    graph = json_format.Parse(result.stdout, script_pb2.SceneGraph())
    assert graph.format == script_pb2.SCRIPT_FORMAT_FOUNTAIN and len(graph.scenes) >= 3
    assert json.loads(result.stdout)["totalDuration"].endswith("s")


def test_parse_prints_a_readable_shot_list():
    result = filmstudio("parse", str(EXAMPLE))
    assert result.returncode == 0 and "s01-sh01" in result.stdout


def test_a_bad_script_is_exit_2_with_line_and_column(tmp_path):
    script = tmp_path / "broken.fountain"
    script.write_text("INT. ROOM - DAY\n\nShe waits. /* never closed\n")
    result = filmstudio("parse", str(script))
    assert result.returncode == 2
    assert result.stderr.startswith(f"{script}: line 3, column 12:")


def test_a_target_out_of_range_is_exit_2():
    result = filmstudio("parse", str(EXAMPLE), "--seconds", "400")
    assert result.returncode == 2 and "400" in result.stderr


def test_parse_takes_cast_overrides_from_a_json_file(tmp_path):
    cast = tmp_path / "cast.json"
    cast.write_text(json.dumps([{"name": "maya", "hair": "long black hair"}, {"name": "THEO", "gender": "GENDER_FEMALE"}]))
    result = filmstudio("parse", str(EXAMPLE), "--format", "json", "--cast", str(cast))
    assert result.returncode == 0, result.stderr
    characters = {c.name: c for c in json_format.Parse(result.stdout, script_pb2.SceneGraph()).characters}
    assert characters["MAYA"].hair == "long black hair" and "long black hair" in characters["MAYA"].description
    assert characters["THEO"].gender == script_pb2.GENDER_FEMALE and characters["THEO"].voice.variant.startswith("f")
    for entries, words in (([{"name": "ZED"}], "no character 'ZED'"), ({"name": "MAYA"}, "JSON list"),
                           ([{"name": "MAYA", "hairr": "x"}], "hairr")):
        cast.write_text(json.dumps(entries))
        result = filmstudio("parse", str(EXAMPLE), "--cast", str(cast))
        assert result.returncode == 2 and words in result.stderr and str(cast) in result.stderr, result.stderr


def test_render_refuses_a_bad_script_before_starting_anything(tmp_path):
    empty = tmp_path / "empty.fountain"
    empty.write_text("")
    result = filmstudio("render", str(empty), "-o", str(tmp_path / "x.mp4"))
    assert result.returncode == 2 and "line 1, column 1" in result.stderr
    assert "starting one" not in result.stderr and not (tmp_path / "x.mp4").exists()


@pytest.mark.mesh
def test_render_through_a_running_mesh(mesh, tmp_path):
    output = tmp_path / "morning.mp4"
    result = filmstudio("render", str(ROOT / "examples" / "morning.txt"), "-o", str(output), "--seconds", "15",
                        "--aspect", "9:16", env=mesh.env, timeout=240)
    assert result.returncode == 0, result.stderr
    with av.open(str(output)) as film:
        video = film.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == (720, 1280)
        assert abs(float(film.duration / av.time_base) - 15) < 1.5
    assert output.with_suffix(".vtt").read_text().startswith("WEBVTT")
    # Every file the render wrote is named on its output, and is there.
    named = [line.strip() for line in result.stdout.splitlines()[1:]]
    suffixes = [".vtt", ".srt", ".poster.jpg", ".storyboard.png"]
    assert named == [str(output.with_suffix(suffix)) for suffix in suffixes]
    assert all(pathlib.Path(path).is_file() for path in named)
    assert output.with_suffix(".poster.jpg").read_bytes()[:3] == b"\xff\xd8\xff"


@pytest.mark.mesh
async def test_parse_script_rpc_names_line_and_column(mesh):
    async with grpc.aio.insecure_channel(mesh.config.orchestrator_addr) as channel:
        films = film_pb2_grpc.FilmServiceStub(channel)
        reply = await films.ParseScript(film_pb2.ParseScriptRequest(script=EXAMPLE.read_text()),
                                        metadata=as_user("local"))
        assert reply.scene_graph.scenes and reply.scene_graph.total_duration.seconds > 0
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await films.ParseScript(film_pb2.ParseScriptRequest(script="INT. A - DAY\n\n[[ a note that never ends\n"),
                                    metadata=as_user("local"))
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.value.details().startswith("line 3, column 1:")
