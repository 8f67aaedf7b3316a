"""The editor's timeline (orchestrator.export): built from the composer's cut list on the composer's
frame grid, and through each adapter written and read back to the frame."""

from __future__ import annotations

import asyncio
import pathlib
import random
import zipfile

import opentimelineio as otio
import pytest
from google.protobuf import duration_pb2

from composer import timeline as composer_timeline
from filmstudio.errors import InvalidArgument
from filmstudio.v1 import composer_pb2, film_pb2, script_pb2
from orchestrator import export

FPS = 24


def seconds(s: float) -> duration_pb2.Duration:
    d = duration_pb2.Duration()
    d.FromNanoseconds(round(s * 1e9))
    return d


def cut_list(lengths=(2.37, 3.0, 1.01, 4.55, 2.5021), fps: int = FPS) -> composer_pb2.ComposeFilmRequest:
    cuts = []
    for i, length in enumerate(lengths):
        cut = composer_pb2.Cut(shot_id=f"sh{i:02d}", image_uri=f"file:///store/images/{i}.png", duration=seconds(length),
                               camera_move=script_pb2.CAMERA_MOVE_PUSH_IN if i % 2 else 0,
                               description=f"shot {i}")
        if i == 2:
            cut.rig_uri = "file:///store/rigs/2.npz"
        cut.audio.add(uri=f"file:///store/voices/{i}.wav", offset=seconds(0))
        cut.subtitles.add(text=f"line {i}", speaker="ANA" if i % 2 else "TOMAS", offset=seconds(0.2),
                          duration=seconds(min(1.0, length - 0.3)))
        cuts.append(cut)
    return composer_pb2.ComposeFilmRequest(
        cuts=cuts, title="Morning", format=composer_pb2.OutputFormat(width=640, height=360, fps=fps))


def scene_graph(request: composer_pb2.ComposeFilmRequest) -> script_pb2.SceneGraph:
    graph = script_pb2.SceneGraph()
    first = graph.scenes.add(id="s01", heading="INT. KITCHEN - MORNING")
    second = graph.scenes.add(id="s02", heading="EXT. GARDEN - DAY")
    for i, cut in enumerate(request.cuts):
        (first if i < 2 else second).shots.add(id=cut.shot_id)
    return graph


def build(request=None) -> tuple[composer_pb2.ComposeFilmRequest, otio.schema.Timeline]:
    request = request or cut_list()
    return request, export.build_timeline(request, scene_graph(request), "file:///store/films/f1/film.mp4")


def picture(timeline) -> list[tuple[str, int, int]]:
    """(name, first frame, frame count) of each clip of the picture track."""
    track = timeline.video_tracks()[0]
    return [(c.name, round(c.range_in_parent().start_time.to_frames()), round(c.source_range.duration.to_frames()))
            for c in track.find_clips()]


def test_frames_at_is_the_composers_rule():
    rng = random.Random(15)
    nanos = [0, 1, 20_833_333, 20_833_334, 41_666_666, 41_666_667, 500_000_000, 10**9, 300 * 10**9]
    nanos += [rng.randrange(0, 300 * 10**9) for _ in range(5000)]
    for fps in composer_timeline.FPS:
        for n in nanos + [k * 10**9 // (2 * fps) for k in range(400)]:  # the half-frames too
            assert export.frames_at(n, fps) == composer_timeline.frames_at(n, fps), (n, fps)


@pytest.mark.parametrize("fps", sorted(composer_timeline.FPS))
def test_each_clip_is_where_the_composer_puts_its_shot(fps):
    rng = random.Random(fps)
    request = cut_list([rng.uniform(1.0, 6.0) for _ in range(12)], fps)
    plan = composer_timeline.plan_film(request)
    _, timeline = build(request)
    assert picture(timeline) == [(s.shot_id, s.start_frame, s.frame_count) for s in plan.shots]
    assert timeline.tracks.duration().to_frames() == plan.shots[-1].end_frame


def test_the_timeline_has_the_shots_in_order_with_their_media_and_moves():
    request, timeline = build()
    track = timeline.video_tracks()[0]
    clips = list(track.find_clips())
    assert [c.name for c in clips] == [cut.shot_id for cut in request.cuts]
    assert clips[0].media_reference.target_url == "file:///store/images/0.png"
    assert clips[2].media_reference.target_url == "file:///store/rigs/2.npz"
    assert clips[1].metadata["filmstudio"]["camera_move"] == "CAMERA_MOVE_PUSH_IN"
    assert clips[2].metadata["filmstudio"]["motion"] == "animated"
    assert clips[2].metadata["filmstudio"]["still_uri"] == "file:///store/images/2.png"
    assert timeline.global_start_time.rate == FPS


def test_dialogue_per_speaker_at_its_offset_and_music_the_films_length():
    request, timeline = build()
    shots = {name: start for name, start, _ in picture(timeline)}
    audio = {t.name: t for t in timeline.audio_tracks()}
    assert set(audio) == {"Dialogue ANA", "Dialogue TOMAS", "Music"}
    for track in (audio["Dialogue ANA"], audio["Dialogue TOMAS"]):
        for line in track.find_clips():
            shot = int(line.media_reference.target_url.rsplit("/", 1)[1].split(".")[0])
            assert round(line.range_in_parent().start_time.to_frames()) == \
                shots[f"sh{shot:02d}"] + export.frames_at(200_000_000, FPS)
    assert [c.name for c in audio["Dialogue ANA"].find_clips()] == ["line 1", "line 3"]
    bed = list(audio["Music"].find_clips())
    assert len(bed) == 1 and bed[0].media_reference.target_url.endswith("film.mp4")
    assert bed[0].duration() == timeline.video_tracks()[0].duration()
    assert "MP4" in bed[0].metadata["filmstudio"]["note"]


def test_a_marker_per_subtitle_cue_and_per_scene():
    request, timeline = build()
    markers = list(timeline.tracks.markers)
    cues = [m for m in markers if m.metadata["filmstudio"]["kind"] == "subtitle"]
    scenes = [m for m in markers if m.metadata["filmstudio"]["kind"] == "scene"]
    assert [m.name for m in cues] == [f"line {i}" for i in range(len(request.cuts))]
    starts = {name: start for name, start, _ in picture(timeline)}
    assert [(m.name, round(m.marked_range.start_time.to_frames())) for m in scenes] == \
        [("INT. KITCHEN - MORNING", starts["sh00"]), ("EXT. GARDEN - DAY", starts["sh02"])]


@pytest.mark.parametrize("fmt", [film_pb2.EXPORT_FORMAT_OTIO, film_pb2.EXPORT_FORMAT_FCP_XML,
                                 film_pb2.EXPORT_FORMAT_FCPXML, film_pb2.EXPORT_FORMAT_EDL])
def test_each_format_reads_back_to_the_frame(fmt):
    _, timeline = build()
    text = export.write(timeline, fmt)
    back = otio.adapters.read_from_string(text, adapter_name=export.writer(fmt).adapter)
    assert picture(back) == picture(timeline)


def test_an_otioz_bundle_carries_the_media(tmp_path):
    _, timeline = build()
    fetched = []

    async def fetch(uri: str) -> bytes:
        fetched.append(uri)
        return f"bytes of {uri}".encode()

    data = asyncio.run(export.export(timeline, film_pb2.EXPORT_FORMAT_OTIOZ, fetch))
    path = tmp_path / "film.otioz"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as bundle:
        media = [n for n in bundle.namelist() if n.startswith("media/")]
    assert len(media) == len(set(fetched)) and "file:///store/images/0.png" in fetched
    (tmp_path / "out").mkdir()
    back = otio.adapters.read_from_file(str(path), extract_to_directory=str(tmp_path / "out"))
    assert picture(back) == picture(timeline)
    for clip in back.video_tracks()[0].find_clips():  # each reference names a file inside the bundle
        assert (tmp_path / "out" / clip.media_reference.target_url.removeprefix("file://")).is_file(), clip.name


@pytest.mark.parametrize("fmt", [film_pb2.EXPORT_FORMAT_UNSPECIFIED, 99])
def test_an_unknown_format_is_refused_by_name(fmt):
    with pytest.raises(InvalidArgument, match="UNSPECIFIED" if fmt == 0 else "99"):
        export.writer(fmt)


def test_the_export_is_stored_under_the_films_internal_id():
    assert export.export_key("abc123", film_pb2.EXPORT_FORMAT_FCPXML) == "films/abc123/export/film.fcpxml"
    assert export.export_key("abc123", film_pb2.EXPORT_FORMAT_EDL) == "films/abc123/export/film.edl"
