"""The script as scenes of beats: what both readers (Fountain and prose) produce for the planner."""

from __future__ import annotations

from dataclasses import dataclass, field

from filmstudio.errors import ScriptError
from filmstudio.v1 import script_pb2
from orchestrator.script import fountain
from orchestrator.script.fountain import FountainDocument, Speech

# Beat kinds.
ACTION = "action"
DIALOGUE = "dialogue"
TRANSITION = "transition"

_TIMES_OF_DAY = (
    "DAY", "NIGHT", "DAWN", "DUSK", "MORNING", "EVENING", "AFTERNOON", "NOON", "MIDNIGHT", "SUNSET",
    "SUNRISE", "TWILIGHT", "LATE NIGHT", "EARLY MORNING", "MAGIC HOUR", "GOLDEN HOUR",
)
# Continuity words: the light does not change from the scene before.
_CONTINUITY = ("CONTINUOUS", "LATER", "MOMENTS LATER", "SAME", "SAME TIME", "SIMULTANEOUS", "CONT'D")


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
    """(Setting, location, time of day as written) from a heading's text after INT./EXT."""
    setting = {
        "INT": script_pb2.SETTING_INTERIOR,
        "EXT": script_pb2.SETTING_EXTERIOR,
        "INT/EXT": script_pb2.SETTING_INTERIOR_EXTERIOR,
    }.get(interior_exterior, script_pb2.SETTING_UNSPECIFIED)
    parts = [part.strip() for part in rest.replace("\u2014", " - ").replace("\u2013", " - ").split(" - ")]
    parts = [part for part in parts if part]
    time_of_day = ""
    if len(parts) >= 2:
        last = parts[-1].upper()
        if last in _TIMES_OF_DAY or last in _CONTINUITY or last.endswith(("LATER", "NIGHT", "DAY", "MORNING")):
            time_of_day = parts.pop()
    return setting, " - ".join(parts), time_of_day


def resolve_time_of_day(written: str, previous: str) -> str:
    """A heading's time of day, with continuity words ("CONTINUOUS", "LATER") taking the last light."""
    upper = written.upper()
    if not upper or upper in _CONTINUITY or upper.endswith("LATER"):
        return previous
    return upper


def draft_from_fountain(document: FountainDocument) -> Draft:
    """Groups Fountain elements into scenes. Raises ScriptError when there is no scene heading."""
    warnings = list(document.warnings)
    scenes: list[DraftScene] = []
    opening: list[Beat] = []  # beats before the first heading
    previous_time = ""
    last_speaker = ""  # in the current scene, for lyrics sung outside a dialogue block
    for element in document.elements:
        if element.kind == fountain.HEADING:
            _, rest = (fountain.heading_parts(element.text) or ("", element.text))
            setting, location, written_time = split_heading(element.interior_exterior, rest)
            time_of_day = resolve_time_of_day(written_time, previous_time)
            previous_time = time_of_day or previous_time
            last_speaker = ""
            scenes.append(
                DraftScene(
                    heading=element.text,
                    setting=setting,
                    location=location,
                    time_of_day=time_of_day,
                    line=element.line,
                    column=element.column,
                    end_line=element.end_line,
                    scene_number=element.scene_number,
                )
            )
            continue
        beats = scenes[-1].beats if scenes else opening
        if element.kind in (fountain.ACTION, fountain.CENTERED):
            beats.append(Beat(ACTION, element.text, element.line, element.column, element.end_line))
        elif element.kind == fountain.DIALOGUE:
            beats.append(
                Beat(DIALOGUE, element.text, element.line, element.column, element.end_line,
                     character=element.character, extension=element.extension, dual=element.dual,
                     speeches=element.speeches)
            )
            last_speaker = element.character
        elif element.kind == fountain.LYRICS:
            # Lyrics outside a dialogue block are sung by whoever spoke last in the scene.
            if not last_speaker:
                beats.append(Beat(ACTION, element.text, element.line, element.column, element.end_line))
            else:
                beats.append(
                    Beat(DIALOGUE, element.text, element.line, element.column, element.end_line,
                         character=last_speaker, speeches=[Speech(element.text.replace("\n", " "), lyric=True)])
                )
        elif element.kind == fountain.TRANSITION:
            beats.append(Beat(TRANSITION, element.text, element.line, element.column, element.end_line))
        elif element.kind == fountain.SYNOPSIS and scenes:
            scene = scenes[-1]
            scene.synopsis = f"{scene.synopsis} {element.text}".strip()
    for scene in scenes:
        if scene.beats:
            scene.end_line = max(scene.end_line, scene.beats[-1].end_line)
    filmable = [
        beat for beat in opening
        if beat.kind != TRANSITION and beat.text.strip().upper().rstrip(":.") not in ("FADE IN", "FADE UP", "OPEN ON")
    ]
    if not scenes:
        where = filmable[0] if filmable else None
        if where is None:
            raise ScriptError("the script has no scene: nothing to film after the title page, notes and boneyard")
        raise ScriptError(
            "the script has no scene heading; start a scene with a line like 'INT. KITCHEN - NIGHT'",
            where.line,
            where.column,
        )
    if filmable:
        # A cold open before the first heading: it plays in the first scene's place.
        first = scenes[0]
        warnings.append(
            f"line {filmable[0].line}: text before the first scene heading is filmed as part of "
            f"scene 1 ({first.heading})"
        )
    scenes[0].beats[:0] = opening
    title = next((value for key, value in document.title_page if key.lower() == "title"), "")
    return Draft(
        title=" ".join(title.split()),
        title_page=document.title_page,
        format=script_pb2.SCRIPT_FORMAT_FOUNTAIN,
        scenes=scenes,
        warnings=warnings,
    )


def looks_like_fountain(document: FountainDocument) -> bool:
    """Whether text is meant as Fountain even if it has no scene heading (so is not prose)."""
    if document.title_page:
        return True
    return any(
        element.kind not in (fountain.ACTION,) or element.forced for element in document.elements
    )
