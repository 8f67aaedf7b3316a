"""Plain prose as a film: paragraphs become beats (narration as action, quoted speech as dialogue),
and a change of place or time starts a scene."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from filmstudio.errors import ScriptError
from filmstudio.v1 import script_pb2
from orchestrator.script import prose_places, prose_quotes
from orchestrator.script.draft import Draft, DraftScene
from orchestrator.script.prose_cast import Cast, named_people
from orchestrator.script.prose_speech import Conversation, paragraph_beats
from orchestrator.script.source import SourceLines

# A title line is short and does not end like a sentence.
_TITLE_CHARS, _TITLE_WORDS = 80, 10
_NOT_TITLE_END = (".", "!", "?", ",", ";", ":", '"', "\u201d", "\u2019")
# People the bible is told about though they never speak.
_MAX_EXTRA_CHARACTERS = 8


@dataclass
class _Paragraph:
    """A paragraph of prose joined into one line, with where each of its source lines starts."""

    text: str
    line: int
    column: int
    end_line: int
    starts: list[int] = field(default_factory=list)  # offset in text of each source line
    lines: list[int] = field(default_factory=list)  # and its line number
    columns: list[int] = field(default_factory=list)  # and its first character's column

    def where(self, start: int, end: int) -> tuple[int, int, int]:
        """(line, column, end line) in the source of text[start:end]."""
        first = max(0, bisect.bisect_right(self.starts, start) - 1)
        last = max(0, bisect.bisect_right(self.starts, max(start, end - 1)) - 1)
        return self.lines[first], self.columns[first] + start - self.starts[first], self.lines[last]


def draft_from_prose(source: SourceLines) -> Draft:
    """Reads plain prose: a title line if there is one, then scenes of action and dialogue beats."""
    paragraphs = _paragraphs(source)
    if not paragraphs:
        raise ScriptError("the script has no scene: nothing to film once notes and boneyard are removed")
    title, paragraphs = _title_line(paragraphs)
    people = named_people([_narration(paragraph.text) for paragraph in paragraphs])
    cast = Cast(set(people))
    scenes, places = _scenes(paragraphs, cast)
    return Draft(
        title=title or _title_from_story(cast, places), title_page=[], format=script_pb2.SCRIPT_FORMAT_PROSE,
        scenes=scenes, warnings=[], extra_characters=people[:_MAX_EXTRA_CHARACTERS],
    )


def _paragraphs(source: SourceLines) -> list[_Paragraph]:
    """Lines between blank lines; in text with no blank line at all, every line is a paragraph."""
    paragraphs: list[_Paragraph] = []
    current: list[tuple[str, int, int]] = []  # (line's text, number, column)
    blank_separated = any(not line.strip() for line in source.lines)
    for raw, number in zip(source.lines, source.numbers):
        stripped = raw.strip()
        if stripped:
            current.append((stripped, number, len(raw) - len(raw.lstrip()) + 1))
        if current and (not stripped or not blank_separated):
            paragraphs.append(_joined(current))
            current = []
    if current:
        paragraphs.append(_joined(current))
    return paragraphs


def _joined(lines: list[tuple[str, int, int]]) -> _Paragraph:
    starts, offset = [], 0
    for text, _, _ in lines:
        starts.append(offset)
        offset += len(text) + 1
    return _Paragraph(
        " ".join(text for text, _, _ in lines), lines[0][1], lines[0][2], lines[-1][1],
        starts, [number for _, number, _ in lines], [column for _, _, column in lines],
    )


def _title_line(paragraphs: list[_Paragraph]) -> tuple[str, list[_Paragraph]]:
    """The first line as the title when it is one: a paragraph of one short line, followed by more
    (so by a blank line), not ending like a sentence nor opening a quotation; it is not filmed."""
    first = paragraphs[0]
    text = first.text.strip("#*_ ")
    is_title = (
        len(paragraphs) > 1 and len(first.lines) == 1 and first.end_line < paragraphs[1].line - 1
        and text and len(text) <= _TITLE_CHARS and len(text.split()) <= _TITLE_WORDS
        and not text.endswith(_NOT_TITLE_END) and text[0] not in "\"'\u201c\u2018\u00ab"
    )
    return (text, paragraphs[1:]) if is_title else ("", paragraphs)


def _title_from_story(cast: Cast, places: list[str]) -> str:
    """A story with no title line is called after what it names most: its most-named person
    ("Elena"), or its most-named place ("The Harbour") when that is named more; "" if neither."""
    person, mentions = max(cast.mentions.items(), key=lambda item: item[1], default=("", 0))
    counts: dict[str, int] = {}
    for found in places:
        counts[found] = counts.get(found, 0) + 1
    where, named = max(counts.items(), key=lambda item: item[1], default=("", 0))
    if where and named > mentions:
        return "The " + where.title()
    return person


def _scenes(paragraphs: list[_Paragraph], cast: Cast) -> tuple[list[DraftScene], list[str]]:
    """The paragraphs' beats in scenes, a new one where a paragraph moves to another place or time;
    and every place a paragraph named, in order."""
    scenes: list[DraftScene] = []
    places: list[str] = []
    talk = Conversation()
    for paragraph in paragraphs:
        narration = _narration(paragraph.text)
        scene = scenes[-1] if scenes else None
        place = prose_places.place(narration, cast.names)
        if place:
            places.append(place)
            if scene is not None and place.split()[0] == scene.location:
                place = scene.location  # "the harbour wall" is still the HARBOUR
        if scene is None or _moves_on(narration, place, scene):
            scene = _scene(paragraph, place, prose_places.sentence_light(narration), scene)
            scenes.append(scene)
            talk = Conversation()
        else:
            _settle(scene, place, prose_places.opening_light(narration))
        scene.beats.extend(paragraph_beats(paragraph.text, cast, talk, paragraph.where))
        scene.end_line = paragraph.end_line
    return scenes, places


def _settle(scene: DraftScene, place: str, light: str) -> None:
    """A scene's first mention of its place or light sets it for the whole scene: the opening
    paragraphs of a story may say where they are only after a while."""
    if place and not scene.location:
        scene.location, scene.setting = place, prose_places.setting(place)
    if light and not scene.time_of_day:
        scene.time_of_day = light
    scene.heading = _heading(scene.location, scene.time_of_day)


def _narration(text: str) -> str:
    """A paragraph without its quotations: where and when it is, and whom it names, is told here
    ("'Tonight,' she said" is no change of light, and a name said in a speech may be a place's)."""
    return " ".join(piece.text for piece in prose_quotes.pieces(text) if piece.kind == prose_quotes.NARRATION)


def _moves_on(narration: str, place: str, scene: DraftScene) -> bool:
    """Whether a paragraph leaves the scene: it names another place, jumps in time ("Later, ...")
    or opens on a light other than the scene's ("That night, ...")."""
    light = prose_places.opening_light(narration)
    return bool(
        (place and scene.location and place != scene.location)
        or prose_places.time_jump(narration)
        or (light and scene.time_of_day and light != scene.time_of_day)
    )


def _scene(paragraph: _Paragraph, place: str, light: str, previous: DraftScene | None) -> DraftScene:
    """The scene a paragraph opens; a place or light it does not name carries over from the scene before."""
    location = place or (previous.location if previous else "")
    time_of_day = light or (previous.time_of_day if previous else "")
    if place:
        setting = prose_places.setting(location)
    else:
        setting = previous.setting if previous else script_pb2.SETTING_UNSPECIFIED
    return DraftScene(
        heading=_heading(location, time_of_day),
        setting=setting,
        location=location,
        time_of_day=time_of_day,
        line=paragraph.line,
        column=paragraph.column,
        end_line=paragraph.end_line,
    )


def _heading(location: str, time_of_day: str) -> str:
    return " - ".join(part for part in (location, time_of_day) if part)
