"""A film's cut as an editor's timeline: OpenTimelineIO, then the editors' formats through its adapters.

The timeline is built from the very cut list the composer was handed (takes.cut_list), and lands on the
frame grid by the composer's own rule (frames_at, as composer/timeline.plan_film does it): each shot
starts at the frame nearest the time the shots before it add up to, so every clip's position and length
here are the frames the MP4 has. Services never import each other, so the rule is written again here
and a test holds the two together."""

from __future__ import annotations

import dataclasses
import pathlib
import tempfile
from collections.abc import Awaitable, Callable, Sequence

import opentimelineio as otio

from filmstudio.errors import InvalidArgument
from filmstudio.v1 import composer_pb2, film_pb2, script_pb2


@dataclasses.dataclass(frozen=True)
class Writer:
    """How one ExportFormat is written: the OTIO adapter and the file's extension."""

    adapter: str
    extension: str


WRITERS = {
    film_pb2.EXPORT_FORMAT_OTIO: Writer("otio_json", "otio"),
    film_pb2.EXPORT_FORMAT_OTIOZ: Writer("otioz", "otioz"),
    film_pb2.EXPORT_FORMAT_FCP_XML: Writer("fcp_xml", "xml"),
    film_pb2.EXPORT_FORMAT_FCPXML: Writer("fcpx_xml", "fcpxml"),
    film_pb2.EXPORT_FORMAT_EDL: Writer("cmx_3600", "edl"),
}

MUSIC_NOTE = "the film's mixed soundtrack: the music bed has no file of its own, so this is the MP4"


def writer(fmt: int) -> Writer:
    """The writer of an ExportFormat; InvalidArgument naming an unspecified or unknown one."""
    if fmt not in WRITERS:
        label = film_pb2.ExportFormat.Name(fmt) if fmt in film_pb2.ExportFormat.values() else str(fmt)
        known = ", ".join(film_pb2.ExportFormat.Name(f) for f in WRITERS)
        raise InvalidArgument(f"format {label} is not an export format; use one of {known}")
    return WRITERS[fmt]


def export_key(film_id: str, fmt: int) -> str:
    """Where a film's export is stored: beside its outputs, under its internal id."""
    return f"films/{film_id}/export/film.{writer(fmt).extension}"


def frames_at(nanos: int, fps: int) -> int:
    """The frame nearest a time (halves round up), in exact integer arithmetic: composer/timeline's rule."""
    return (2 * nanos * fps + 1_000_000_000) // 2_000_000_000


def _nanos(d) -> int:
    return d.seconds * 1_000_000_000 + d.nanos


@dataclasses.dataclass(frozen=True)
class ShotFrames:
    """Where one cut lands on the frame grid."""

    shot_id: str
    start_frame: int
    frame_count: int


def shot_frames(cuts: Sequence[composer_pb2.Cut], fps: int) -> list[ShotFrames]:
    """Each cut's first frame and length, exactly as the composer lays them (plan_film)."""
    placed, elapsed = [], 0
    for cut in cuts:
        start = frames_at(elapsed, fps)
        elapsed += _nanos(cut.duration)
        placed.append(ShotFrames(cut.shot_id, start, frames_at(elapsed, fps) - start))
    return placed


def _range(start: int, count: int, fps: int) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(otio.opentime.RationalTime(start, fps), otio.opentime.RationalTime(count, fps))


def _picture(cut: composer_pb2.Cut) -> tuple[str, str]:
    """The media a shot shows, and what it is."""
    if cut.clip_uri:
        return cut.clip_uri, "generated clip"
    if cut.rig_uri:
        return cut.rig_uri, "animatic rig"
    if cut.image_uri:
        return cut.image_uri, "still"
    return "", "black" if cut.black else "card"


def build_timeline(request: composer_pb2.ComposeFilmRequest, scene_graph: script_pb2.SceneGraph,
                   video_uri: str) -> otio.schema.Timeline:
    """The cut list as an OTIO timeline at the film's fps: the shots, a dialogue track per speaker, the
    soundtrack, and a marker per subtitle cue and per scene (at its first shot)."""
    fps = request.format.fps
    timeline = otio.schema.Timeline(name=request.title or "film")
    timeline.global_start_time = otio.opentime.RationalTime(0, fps)
    picture = otio.schema.Track(name="Shots", kind=otio.schema.TrackKind.Video)
    frames = shot_frames(request.cuts, fps)
    voices: dict[str, list[tuple[int, int, str, int, str]]] = {}  # speaker: (start, count, uri, source, text)
    markers = []
    for cut, at in zip(request.cuts, frames):
        uri, kind = _picture(cut)
        reference = otio.schema.ExternalReference(target_url=uri) if uri else otio.schema.MissingReference()
        reference.available_range = _range(0, at.frame_count, fps)
        clip = otio.schema.Clip(name=cut.shot_id, media_reference=reference,
                                source_range=_range(0, at.frame_count, fps))
        clip.metadata["filmstudio"] = {
            "shot_id": cut.shot_id, "picture": kind, "still_uri": cut.image_uri,
            "camera_move": script_pb2.CameraMove.Name(cut.camera_move),
            "transition_in": script_pb2.Transition.Name(cut.transition_in),
            "motion": "generated" if cut.clip_uri else "animated" if cut.rig_uri else "camera",
            "description": cut.description, "card_text": cut.card_text, "black": cut.black,
            "start_frame": at.start_frame, "frame_count": at.frame_count}
        picture.append(clip)
        audio_uri = cut.audio[0].uri if cut.audio else ""
        for cue in cut.subtitles:
            offset = frames_at(_nanos(cue.offset), fps)
            count = max(frames_at(_nanos(cue.offset) + _nanos(cue.duration), fps) - offset, 1)
            voices.setdefault(cue.speaker or "VOICE", []).append(
                (at.start_frame + offset, count, audio_uri, offset, cue.text))
            markers.append(otio.schema.Marker(name=cue.text, marked_range=_range(at.start_frame + offset, count, fps),
                                              color=otio.schema.MarkerColor.YELLOW,
                                              metadata={"filmstudio": {"kind": "subtitle", "speaker": cue.speaker}}))
    starts = {f.shot_id: f for f in frames}
    for scene in scene_graph.scenes:
        if scene.shots and scene.shots[0].id in starts:
            first = starts[scene.shots[0].id]
            markers.append(otio.schema.Marker(name=scene.heading or scene.id,
                                              marked_range=_range(first.start_frame, 0, fps),
                                              color=otio.schema.MarkerColor.RED,
                                              metadata={"filmstudio": {"kind": "scene", "scene_id": scene.id}}))
    timeline.tracks.append(picture)
    for speaker, lines in voices.items():
        track = otio.schema.Track(name=f"Dialogue {speaker}", kind=otio.schema.TrackKind.Audio)
        end = 0
        for start, count, uri, source, text in sorted(lines):
            start = max(start, end)  # lines spoken over each other: the later one waits its turn
            if start > end:
                track.append(otio.schema.Gap(source_range=_range(0, start - end, fps)))
            reference = otio.schema.ExternalReference(target_url=uri) if uri else otio.schema.MissingReference()
            reference.available_range = _range(0, source + count, fps)  # FCP XML writes every file's length
            line = otio.schema.Clip(name=text[:60], media_reference=reference,
                                    source_range=_range(source, count, fps))
            line.metadata["filmstudio"] = {"speaker": speaker, "text": text}
            track.append(line)
            end = start + count
        timeline.tracks.append(track)
    total = frames[-1].start_frame + frames[-1].frame_count if frames else 0
    music = otio.schema.Track(name="Music", kind=otio.schema.TrackKind.Audio)
    soundtrack = otio.schema.ExternalReference(target_url=video_uri, available_range=_range(0, total, fps))
    bed = otio.schema.Clip(name="Music", media_reference=soundtrack, source_range=_range(0, total, fps))
    bed.metadata["filmstudio"] = {"note": MUSIC_NOTE}
    music.append(bed)
    timeline.tracks.append(music)
    timeline.tracks.markers.extend(markers)
    return timeline


def picture_only(timeline: otio.schema.Timeline) -> otio.schema.Timeline:
    """The timeline with its picture track alone, for an EDL (one track of events) and markers kept."""
    only = otio.schema.Timeline(name=timeline.name, global_start_time=timeline.global_start_time)
    only.tracks.append(timeline.video_tracks()[0].deepcopy())
    return only


def write(timeline: otio.schema.Timeline, fmt: int) -> str:
    """The timeline in a text format (every format but OTIOZ)."""
    chosen = writer(fmt)
    if fmt == film_pb2.EXPORT_FORMAT_EDL:
        timeline = picture_only(timeline)
    return otio.adapters.write_to_string(timeline, adapter_name=chosen.adapter)


async def write_bundle(timeline: otio.schema.Timeline, fetch: Callable[[str], Awaitable[bytes]],
                       directory: pathlib.Path) -> pathlib.Path:
    """The timeline as an OTIOZ bundle with the media it uses, fetched from the store into `directory`
    (the adapter reads the files from there and rewrites the references to point inside the bundle)."""
    bundled = timeline.deepcopy()
    local: dict[str, str] = {}
    for clip in bundled.find_clips():
        reference = clip.media_reference
        if not isinstance(reference, otio.schema.ExternalReference) or not reference.target_url:
            continue
        uri = reference.target_url
        if uri not in local:
            name = f"{len(local):03d}-{pathlib.PurePosixPath(uri).name or 'media'}"
            path = directory / "media" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(await fetch(uri))
            local[uri] = path.as_uri()
        reference.metadata["filmstudio"] = {"store_uri": uri}
        reference.target_url = local[uri]
    out = directory / "film.otioz"
    otio.adapters.write_to_file(bundled, str(out), adapter_name="otioz")
    return out


async def export(timeline: otio.schema.Timeline, fmt: int, fetch: Callable[[str], Awaitable[bytes]]) -> bytes:
    """The exported file's bytes in `fmt`."""
    writer(fmt)
    if fmt != film_pb2.EXPORT_FORMAT_OTIOZ:
        return write(timeline, fmt).encode()
    with tempfile.TemporaryDirectory(prefix="filmstudio-export-") as tmp:
        return (await write_bundle(timeline, fetch, pathlib.Path(tmp))).read_bytes()
