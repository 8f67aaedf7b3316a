"""The film's timeline: a ComposeFilmRequest checked and turned into frame-exact shots and cues.

Frame accounting. A cut's boundaries are the film's running time rounded to whole frames
(cumulative rounding), so the film has exactly round(total duration x fps) frames and no cut drifts.
A transition never adds or removes frames: it plays inside the first frames of the incoming cut.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from google.protobuf import duration_pb2

from filmstudio.errors import InvalidArgument
from filmstudio.settings import FPS
from filmstudio.v1 import composer_pb2, script_pb2

MAX_FILM_S = 300
MAX_LONG_SIDE, MAX_SHORT_SIDE = 1920, 1080
MIN_SIDE = 64

# Length a transition takes when the request leaves it at 0. Fade to black and dip to white pass
# through the colour: half the time going out of the previous shot, half coming into this one.
DEFAULT_TRANSITION_S = {
    script_pb2.TRANSITION_CROSSFADE: 0.5,
    script_pb2.TRANSITION_FADE_FROM_BLACK: 0.5,
    script_pb2.TRANSITION_FADE_TO_BLACK: 1.0,
    script_pb2.TRANSITION_DIP_TO_WHITE: 0.5,
}


@dataclasses.dataclass(frozen=True)
class VoicePlacement:
    """A voice clip and where it starts in the film, in seconds."""

    uri: str
    start_s: float


@dataclasses.dataclass(frozen=True)
class Cue:
    """A subtitle on the film's clock."""

    start_s: float
    end_s: float
    text: str
    speaker: str
    shot_id: str
    position: int = composer_pb2.SUBTITLE_POSITION_UNSPECIFIED
    # Lines spoken at once (dual dialogue): this cue holds them all, one line each, for the tracks
    # that show one cue at a time (SRT, mov_text, burned captions); WebVTT places each where it stands.
    sides: tuple[Cue, ...] = ()


@dataclasses.dataclass(frozen=True)
class CastMember:
    """One character as the storyboard sheet shows them: name, look in words, and reference portrait."""

    name: str
    description: str = ""
    portrait_uri: str = ""  # in the object store; empty: the sheet draws the name without a picture


@dataclasses.dataclass(frozen=True)
class ShotPlan:
    """One cut placed on the film's frame grid: a still (image_uri), moved as a rig or replaced by a clip
    when it has one; a title card (card_text); or black."""

    index: int
    shot_id: str
    image_uri: str
    start_frame: int
    frame_count: int
    camera_move: int
    transition: int
    transition_frames: int
    voices: tuple[VoicePlacement, ...]
    black: bool = False  # a black frame, no still (image_uri is empty)
    card_text: str = ""  # a title card: the composer draws these words (composer.cards), no still
    description: str = ""  # the shot's action, for the storyboard sheet
    lines: tuple[str, ...] = ()  # its dialogue as the sheet prints it: "MAYA: Where were you?"
    rig_uri: str = ""  # the living animatic's rig (filmstudio.rig) that moves instead of the still
    clip_uri: str = ""  # a generated clip (filmstudio.clips) that plays instead of the still

    @property
    def end_frame(self) -> int:
        return self.start_frame + self.frame_count

    @property
    def name(self) -> str:
        return f"shot {self.shot_id!r}" if self.shot_id else f"cut {self.index + 1}"


@dataclasses.dataclass(frozen=True)
class FilmPlan:
    """Everything the renderer and the encoder need, in frames and seconds."""

    width: int
    height: int
    fps: int
    burn_subtitles: bool
    music: bool
    seed: int
    title: str
    shots: tuple[ShotPlan, ...]
    cues: tuple[Cue, ...]
    cast: tuple[str, ...] = ()  # the poster's billing, in order of appearance
    srt_speaker_names: bool = False  # lead each SRT cue with its speaker ("MAYA: ...")
    cast_sheet: tuple[CastMember, ...] = ()  # the storyboard sheet's cast strip, in order of appearance

    @property
    def frame_count(self) -> int:
        return self.shots[-1].end_frame

    @property
    def duration_s(self) -> float:
        return self.frame_count / self.fps


def _nanos(d: duration_pb2.Duration) -> int:
    return d.seconds * 1_000_000_000 + d.nanos


def frames_at(nanos: int, fps: int) -> int:
    """The frame nearest a time (halves round up), in exact integer arithmetic."""
    return (2 * nanos * fps + 1_000_000_000) // 2_000_000_000


def check_format(fmt: composer_pb2.OutputFormat) -> None:
    """Raise InvalidArgument unless the output format is one we encode."""
    w, h = fmt.width, fmt.height
    if w <= 0 or h <= 0:
        raise InvalidArgument(f"format: width and height must be set, got {w}x{h}")
    if w % 2 or h % 2:
        raise InvalidArgument(f"format: width and height must be even for yuv420p, got {w}x{h}")
    if max(w, h) > MAX_LONG_SIDE or min(w, h) > MAX_SHORT_SIDE:
        raise InvalidArgument(f"format: {w}x{h} is over 1080p (at most 1920x1080, 1080x1920 or 1080x1080)")
    if min(w, h) < MIN_SIDE:
        raise InvalidArgument(f"format: {w}x{h} is under the {MIN_SIDE}-pixel minimum")
    if fmt.fps not in FPS:
        raise InvalidArgument(f"format: fps must be {', '.join(map(str, FPS))}, got {fmt.fps}")


def plan_film(request: composer_pb2.ComposeFilmRequest) -> FilmPlan:
    """Check a request and lay its cuts on the frame grid; InvalidArgument names the shot at fault."""
    fmt = request.format
    check_format(fmt)
    if not request.cuts:
        raise InvalidArgument("the cut list is empty")
    fps = fmt.fps
    shots: list[ShotPlan] = []
    cues: list[Cue] = []
    elapsed = 0
    for index, cut in enumerate(request.cuts):
        name = f"shot {cut.shot_id!r}" if cut.shot_id else f"cut {index + 1}"
        nanos = _nanos(cut.duration)
        if nanos <= 0:
            raise InvalidArgument(f"{name}: duration must be positive, got {nanos / 1e9:g} s")
        _check_picture(cut, name)
        if cut.camera_move not in script_pb2.CameraMove.values():
            raise InvalidArgument(f"{name}: unknown camera move {cut.camera_move}")
        if cut.transition_in not in script_pb2.Transition.values():
            raise InvalidArgument(f"{name}: unknown transition {cut.transition_in}")
        start_frame = frames_at(elapsed, fps)
        elapsed += nanos
        if elapsed > MAX_FILM_S * 1_000_000_000:
            raise InvalidArgument(f"{name}: the cut list runs past the {MAX_FILM_S} s limit "
                                  f"({elapsed / 1e9:.2f} s so far)")
        frame_count = frames_at(elapsed, fps) - start_frame
        if frame_count < 1:
            raise InvalidArgument(f"{name}: {nanos / 1e9:g} s is shorter than one frame at {fps} fps")
        transition_frames = _transition_frames(cut, fps, frame_count, name)
        start_s = start_frame / fps
        voices = []
        for cue in cut.audio:
            if not cue.uri:
                raise InvalidArgument(f"{name}: an audio cue has an empty uri")
            if _nanos(cue.offset) < 0:
                raise InvalidArgument(f"{name}: audio cue {cue.uri} has a negative offset")
            voices.append(VoicePlacement(cue.uri, start_s + _nanos(cue.offset) / 1e9))
        cues += _cut_cues(cut, name, start_s, (start_frame + frame_count) / fps)
        shots.append(ShotPlan(index, cut.shot_id, cut.image_uri, start_frame, frame_count,
                              cut.camera_move, cut.transition_in, transition_frames, tuple(voices), cut.black,
                              cut.card_text.strip(), cut.description.strip(), _sheet_lines(cut),
                              cut.rig_uri, cut.clip_uri))
    film_end = shots[-1].end_frame / fps
    cast = tuple(person.strip() for person in request.cast if person.strip())
    return FilmPlan(fmt.width, fmt.height, fps, fmt.burn_subtitles, fmt.music, fmt.seed, request.title,
                    tuple(shots), tuple(_tidy_cues(cues, film_end)), cast, fmt.srt_speaker_names,
                    _cast_sheet(request.cast_sheet))


def _cast_sheet(cards: Iterable[composer_pb2.CastCard]) -> tuple[CastMember, ...]:
    """The cast cards the sheet draws, in the request's order; a card without a name is left out (there
    is nothing to show it by). A portrait is only fetched later, and one that cannot be read never fails
    the film: the sheet shows the name without it."""
    return tuple(CastMember(card.name.strip(), " ".join(card.description.split()), card.portrait_uri.strip())
                 for card in cards if card.name.strip())


def _check_picture(cut: composer_pb2.Cut, name: str) -> None:
    """A cut shows one thing: a still (image_uri), a title card's words (card_text) or black."""
    card = cut.card_text.strip()
    if cut.image_uri and cut.black:
        raise InvalidArgument(f"{name}: a black cut has no image, but image_uri is {cut.image_uri}")
    if card and cut.image_uri:
        raise InvalidArgument(f"{name}: a title card ({card[:30]!r}) has no image, but image_uri is {cut.image_uri}")
    if card and cut.black:
        raise InvalidArgument(f"{name}: a title card ({card[:30]!r}) cannot also be black")
    if not (card or cut.image_uri or cut.black):
        raise InvalidArgument(f"{name}: image_uri is empty (a cut shows a still, a title card's card_text or black)")
    if cut.rig_uri and cut.clip_uri:
        raise InvalidArgument(f"{name}: a cut moves as a rig or as a clip, not both ({cut.rig_uri}, {cut.clip_uri})")
    if (cut.rig_uri or cut.clip_uri) and not cut.image_uri:
        raise InvalidArgument(f"{name}: a moving picture ({cut.rig_uri or cut.clip_uri}) needs the still it moves "
                              "(image_uri) for the storyboard sheet")


def _sheet_lines(cut: composer_pb2.Cut) -> tuple[str, ...]:
    """The cut's dialogue as the storyboard sheet prints it under the thumbnail: "SPEAKER: line"."""
    lines = []
    for sub in cut.subtitles:
        text = " ".join(sub.text.split())
        if text:
            lines.append(f"{sub.speaker}: {text}" if sub.speaker else text)
    return tuple(lines)


def _transition_frames(cut: composer_pb2.Cut, fps: int, frame_count: int, name: str) -> int:
    kind = cut.transition_in
    if kind in (script_pb2.TRANSITION_UNSPECIFIED, script_pb2.TRANSITION_CUT):
        return 0
    nanos = _nanos(cut.transition_duration)
    if nanos < 0:
        raise InvalidArgument(f"{name}: transition duration must not be negative")
    if nanos == 0:
        nanos = int(DEFAULT_TRANSITION_S[kind] * 1e9)
    # At least one frame, and never longer than the cut it plays in.
    return min(max(frames_at(nanos, fps), 1), frame_count)


def _cut_cues(cut: composer_pb2.Cut, name: str, start_s: float, end_s: float) -> list[Cue]:
    """The cut's subtitles on the film's clock (the cut runs start_s..end_s); empty ones are left out."""
    cues = []
    for sub in cut.subtitles:
        offset, length = _nanos(sub.offset), _nanos(sub.duration)
        if offset < 0 or length < 0:
            raise InvalidArgument(f"{name}: subtitle {sub.text[:30]!r} has a negative offset or duration")
        if sub.position not in composer_pb2.SubtitlePosition.values():
            raise InvalidArgument(f"{name}: subtitle {sub.text[:30]!r} has an unknown position {sub.position}")
        if not sub.text.strip():
            continue
        begin = start_s + offset / 1e9
        # No duration: the subtitle stays until the cut ends.
        end = begin + length / 1e9 if length else end_s
        cues.append(Cue(begin, end, sub.text.strip(), sub.speaker, cut.shot_id, sub.position))
    return cues


def _tidy_cues(cues: list[Cue], film_end: float) -> list[Cue]:
    """Cues in time order, clipped to the film, each ending before the next begins (one on screen
    at a time, which SRT players and mov_text expect). Cues that start on the same millisecond are
    lines spoken at once (dual dialogue): they become one cue that holds them as its sides."""
    cues = sorted((c for c in cues if c.start_s < film_end), key=lambda c: c.start_s)
    groups: list[list[Cue]] = []
    for cue in cues:
        if groups and round(groups[-1][0].start_s * 1000) == round(cue.start_s * 1000):
            groups[-1].append(cue)
        else:
            groups.append([cue])
    tidy: list[Cue] = []
    for i, group in enumerate(groups):
        until = min(film_end, groups[i + 1][0].start_s) if i + 1 < len(groups) else film_end
        kept = [dataclasses.replace(c, end_s=min(c.end_s, until)) for c in group]
        kept = [c for c in kept if c.end_s - c.start_s >= 0.04]
        if len(kept) == 1:
            tidy.append(kept[0])
        elif kept:
            tidy.append(_spoken_at_once(kept))
    return tidy


def _spoken_at_once(sides: list[Cue]) -> Cue:
    """One cue for lines spoken together: each on its own line, led by its speaker ("MAYA: Go!")."""
    text = "\n".join(f"{c.speaker}: {c.text}" if c.speaker else c.text for c in sides)
    first = sides[0]
    return Cue(first.start_s, max(c.end_s for c in sides), text, "", first.shot_id, sides=tuple(sides))
