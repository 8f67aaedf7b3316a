"""The script as scenes of beats: what both readers (Fountain and prose) produce for the planner."""

from __future__ import annotations

from dataclasses import dataclass, field

from filmstudio import light
from filmstudio.errors import ScriptError
from filmstudio.v1 import script_pb2
from orchestrator.script import fountain
from orchestrator.script.fountain import FountainDocument, Speech

# Beat kinds.
ACTION = "action"
DIALOGUE = "dialogue"
TRANSITION = "transition"
CARD = "card"  # words shown on their own: centered text (">THE END<"), lyrics nobody sings


@dataclass
class Beat:
    """One action paragraph, dialogue block or transition, with its source position."""

    kind: str
    text: str
    line: int
    column: int
    end_line: int
    character: str = ""
    extension: str = ""
    dual: bool = False
    speeches: list[Speech] = field(default_factory=list)


@dataclass
class DraftScene:
    """One place at one time, before it is cut into shots."""

    heading: str
    setting: int
    location: str
    time_of_day: str
    line: int
    column: int
    end_line: int
    scene_number: str = ""
    synopsis: str = ""
    beats: list[Beat] = field(default_factory=list)


@dataclass
class Draft:
    """A script read into scenes: the planner's input."""

    title: str
    title_page: list[tuple[str, str]]
    format: int
    scenes: list[DraftScene]
    warnings: list[str]
    # People the prose names but who never speak (Fountain's come from character cues).
    extra_characters: list[str] = field(default_factory=list)


def split_heading(interior_exterior: str, rest: str) -> tuple[int, str, str]:
    """(Setting, location, time of day as written) from a heading's text after INT./EXT.

    The parts are separated by dashes ("GARAGE - NIGHT - 1995"). The last part is the time when it
    names one; otherwise the first later part that names a light, then a continuity ("LATER"). The
    location is the parts before the time; parts after it ("1995") stay in the heading only.
    """
    setting = {
        "INT": script_pb2.SETTING_INTERIOR,
        "EXT": script_pb2.SETTING_EXTERIOR,
        "INT/EXT": script_pb2.SETTING_INTERIOR_EXTERIOR,
    }.get(interior_exterior, script_pb2.SETTING_UNSPECIFIED)
    dashed = rest.replace("\u2014", " - ").replace("\u2013", " - ").replace(" -- ", " - ")
    parts = [part for part in (part.strip() for part in dashed.split(" - ")) if part]
    at = _time_part(parts)
    if at is None:
        return setting, " - ".join(parts), ""
    return setting, " - ".join(parts[:at]), _unremarked(parts[at])


def _unremarked(part: str) -> str:
    """A heading part without a remark in parentheses: "DAY (FLASHBACK)" is the time "DAY"."""
    return part.partition("(")[0].strip() if part.endswith(")") else part


def _time_part(parts: list[str]) -> int | None:
    """Which part of a heading (never the first: that is the place) names its time, if any."""
    if len(parts) < 2:
        return None
    if light.is_time_of_day(_unremarked(parts[-1])):
        return len(parts) - 1
    later = range(1, len(parts) - 1)
    for names_it in (lambda part: light.light_in(part) != script_pb2.TIME_OF_DAY_UNSPECIFIED, light.is_continuity):
        found = next((i for i in later if names_it(parts[i])), None)
        if found is not None:
            return found
    return None


def resolve_time_of_day(written: str, previous: str) -> str:
    """A heading's time of day, with continuity words ("CONTINUOUS", "LATER") taking the last light."""
    upper = written.upper()
    if not upper or light.is_continuity(upper):
        return previous
    return upper


def draft_from_fountain(document: FountainDocument) -> Draft:
    """Groups Fountain elements into scenes. Raises ScriptError when there is nothing to film."""
    warnings = list(document.warnings)
    scenes, opening = _scenes(document.elements, warnings)
    _open_first_scene(scenes, opening, warnings)
    title = next((value for key, value in document.title_page if key.lower() == "title"), "")
    return Draft(
        title=" ".join(title.split()),
        title_page=document.title_page,
        format=script_pb2.SCRIPT_FORMAT_FOUNTAIN,
        scenes=scenes,
        warnings=warnings,
    )


def _scenes(elements: list[fountain.Element], warnings: list[str]) -> tuple[list[DraftScene], list[Beat]]:
    """The scenes the headings open, each with the beats under it, and the beats before any heading."""
    scenes: list[DraftScene] = []
    opening: list[Beat] = []
    previous_time = ""
    for element in elements:
        if element.kind == fountain.HEADING:
            scene = _scene(element, previous_time)
            previous_time = scene.time_of_day or previous_time
            scenes.append(scene)
        elif element.kind == fountain.SYNOPSIS:
            if scenes:  # a synopsis before the first heading describes no scene
                scenes[-1].synopsis = f"{scenes[-1].synopsis} {element.text}".strip()
        else:
            beat = _beat(element, warnings)
            if beat is not None:
                (scenes[-1].beats if scenes else opening).append(beat)
    for scene in scenes:
        if scene.beats:
            scene.end_line = max(scene.end_line, scene.beats[-1].end_line)
    return scenes, opening


def _scene(heading: fountain.Element, previous_time: str) -> DraftScene:
    """The scene a heading opens; a continuity word ("LATER") keeps the light of the scene before."""
    _, rest = (fountain.heading_parts(heading.text) or ("", heading.text))
    setting, location, written_time = split_heading(heading.interior_exterior, rest)
    return DraftScene(
        heading=heading.text,
        setting=setting,
        location=location,
        time_of_day=resolve_time_of_day(written_time, previous_time),
        line=heading.line,
        column=heading.column,
        end_line=heading.end_line,
        scene_number=heading.scene_number,
    )


def _beat(element: fountain.Element, warnings: list[str]) -> Beat | None:
    """The beat an element plays as, or None for what is not filmed (sections, page breaks)."""
    where = (element.line, element.column, element.end_line)
    if element.kind == fountain.ACTION:
        return Beat(ACTION, element.text, *where)
    if element.kind == fountain.CENTERED:
        return Beat(CARD, element.text, *where)
    if element.kind == fountain.DIALOGUE:
        return Beat(DIALOGUE, element.text, *where, character=element.character, extension=element.extension,
                    dual=element.dual, speeches=element.speeches)
    if element.kind == fountain.LYRICS:
        # Lyrics are sung by the character whose block they are in. These have no cue: nobody is
        # there to sing them, and a picture of song words would be nonsense, so they are shown.
        warnings.append(f"line {element.line}: lyrics with no character cue are shown as a title card, "
                        "not sung; put them under a cue for someone to sing them")
        return Beat(CARD, element.text, *where)
    if element.kind == fountain.TRANSITION:
        return Beat(TRANSITION, element.text, *where)
    return None


def _open_first_scene(scenes: list[DraftScene], opening: list[Beat], warnings: list[str]) -> None:
    """Puts the beats before the first heading at the start of scene 1.

    A script with no heading at all (a fragment pasted from the middle of one) is one scene in no
    stated place, with a warning naming its first line a camera could film ("FADE IN:" and
    transitions are not). Raises ScriptError when there is nothing to film.
    """
    filmable = [
        beat for beat in opening
        if beat.kind != TRANSITION and beat.text.strip().upper().rstrip(":.") not in ("FADE IN", "FADE UP", "OPEN ON")
    ]
    if not scenes:
        if not filmable:
            raise ScriptError("the script has no scene: nothing to film after the title page, notes and boneyard")
        first = filmable[0]
        warnings.append(
            f"line {first.line}: the script has no scene heading; filming it as one scene in no stated place "
            "(start a scene with a line like 'INT. KITCHEN - NIGHT')"
        )
        scenes.append(DraftScene(heading="", setting=script_pb2.SETTING_UNSPECIFIED, location="", time_of_day="",
                                 line=first.line, column=first.column, end_line=opening[-1].end_line, beats=opening))
        return
    pictured = [beat for beat in filmable if beat.kind != CARD]  # an opening title is no slip
    if pictured:
        # A cold open before the first heading: it plays in the first scene's place.
        warnings.append(
            f"line {pictured[0].line}: text before the first scene heading is filmed as part of "
            f"scene 1 ({scenes[0].heading})"
        )
    scenes[0].beats[:0] = opening


def looks_like_fountain(document: FountainDocument) -> bool:
    """Whether text is meant as Fountain even if it has no scene heading (so is not prose)."""
    if document.title_page:
        return True
    return any(
        element.kind not in (fountain.ACTION,) or element.forced for element in document.elements
    )
