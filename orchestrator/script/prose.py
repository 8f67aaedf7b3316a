"""Plain prose as a film: paragraphs become shots, and a change of place or time starts a scene."""

from __future__ import annotations

from dataclasses import dataclass

from filmstudio import light
from filmstudio.errors import ScriptError
from filmstudio.v1 import script_pb2
from orchestrator.script.draft import ACTION, Beat, Draft, DraftScene
from orchestrator.script.source import SourceLines

# Opening words that move the story to another time.
_TIME_OPENERS = (
    "later", "meanwhile", "that night", "that evening", "that morning", "that afternoon", "the next",
    "next morning", "next day", "the following", "hours later", "days later", "years later",
    "weeks later", "months later", "by morning", "by evening", "by night", "by noon", "by dawn",
    "at dawn", "at dusk", "at night", "at noon", "at midnight", "in the morning", "in the evening",
    "in the afternoon", "in the night", "afterwards", "when night", "when morning", "the day after",
    "early the", "late that", "morning", "night", "evening", "dawn", "dusk",
)
# Prepositions that, at a paragraph's start, name a new place ("At the harbour, ...").
_PLACE_OPENERS = ("at the ", "in the ", "inside the ", "outside the ", "on the ", "back at the ",
                  "back in the ", "back at ", "back in ", "down at the ", "up on the ", "out on the ")
_INTERIOR = frozenset(
    "kitchen bakery room bedroom bathroom hall hallway office house flat apartment cafe café bar shop store "
    "church library classroom school hospital station attic cellar basement studio corridor lobby "
    "restaurant cabin tower lighthouse barn garage theatre theater museum hotel inside".split()
)
_EXTERIOR = frozenset(
    "street road beach shore sea harbour harbor garden park forest wood woods field fields mountain hill "
    "river lake bridge square yard market coast cliff cliffs desert village town city rooftop roof "
    "meadow dock pier outside sky".split()
)
_LOCATION_STOP = frozenset("and but where when while as with , . ; : ! ?".split())


def _words(text: str) -> list[str]:
    return [word.strip(".,;:!?\"'()\u201c\u201d\u2018\u2019").lower() for word in text.split()]


def _place(paragraph: str) -> str:
    """The place a paragraph's opening names ("At the old harbour, ..." -> "OLD HARBOUR"), or ""."""
    lowered = paragraph.lower()
    for opener in _PLACE_OPENERS:
        if lowered.startswith(opener):
            tail = paragraph[len(opener):]
            words = []
            for raw in tail.split()[:4]:
                word = raw.strip(".,;:!?\"'")
                if not word or word.lower() in _LOCATION_STOP:
                    break
                words.append(word)
                if raw[-1:] in ",.;:!?":
                    break
            return " ".join(words).upper()
    return ""


def _time(paragraph: str) -> str:
    """The light the paragraph's first sentence names ("At dusk, ..."), as a heading writes it; "" if none."""
    return light.name(light.light_in(paragraph.split(". ", 1)[0]))


def _setting(location: str) -> int:
    words = set(_words(location))
    if words & _INTERIOR:
        return script_pb2.SETTING_INTERIOR
    if words & _EXTERIOR:
        return script_pb2.SETTING_EXTERIOR
    return script_pb2.SETTING_UNSPECIFIED


@dataclass
class _Paragraph:
    """A paragraph of prose joined into one line, with where it is in the source (1-based)."""

    text: str
    line: int
    column: int
    end_line: int


def draft_from_prose(source: SourceLines) -> Draft:
    """Reads plain prose: a short first line is the title; paragraphs become action beats."""
    paragraphs = _paragraphs(source)
    if not paragraphs:
        raise ScriptError("the script has no scene: nothing to film once notes and boneyard are removed")
    title, paragraphs = _title(paragraphs)
    return Draft(
        title=title, title_page=[], format=script_pb2.SCRIPT_FORMAT_PROSE, scenes=_scenes(paragraphs),
        warnings=[], extra_characters=_named_people(paragraph.text for paragraph in paragraphs),
    )


def _paragraphs(source: SourceLines) -> list[_Paragraph]:
    """Lines between blank lines; in text with no blank line at all, every line is a paragraph."""
    paragraphs: list[_Paragraph] = []
    current: list[str] = []
    start = 0
    column = 1
    previous_number = 0
    blank_separated = any(not line.strip() for line in source.lines)
    for raw, number in zip(source.lines, source.numbers):
        if not raw.strip():
            if current:
                paragraphs.append(_Paragraph(" ".join(current), start, column, previous_number))
                current = []
            continue
        if not current:
            start, column = number, len(raw) - len(raw.lstrip()) + 1
        current.append(raw.strip())
        previous_number = number
        if not blank_separated:
            paragraphs.append(_Paragraph(" ".join(current), start, column, previous_number))
            current = []
    if current:
        paragraphs.append(_Paragraph(" ".join(current), start, column, previous_number))
    return paragraphs


def _title(paragraphs: list[_Paragraph]) -> tuple[str, list[_Paragraph]]:
    """The title and the paragraphs to film.

    A short first paragraph with no closing punctuation is a title line and is not filmed;
    otherwise the title is the story's first words.
    """
    first_text = paragraphs[0].text
    if len(paragraphs) > 1 and len(first_text) <= 80 and not first_text.endswith((".", "!", "?", '"', "\u201d")):
        return first_text.strip("#*_ "), paragraphs[1:]
    return " ".join(first_text.split()[:6]).rstrip(".,;:!?"), paragraphs


def _scenes(paragraphs: list[_Paragraph]) -> list[DraftScene]:
    """Every paragraph as an action beat, in a new scene where it moves to another place or time."""
    scenes: list[DraftScene] = []
    for paragraph in paragraphs:
        place = _place(paragraph.text)
        light = _time(paragraph.text)
        scene = scenes[-1] if scenes else None
        if scene is None or _moves_on(paragraph.text, place, light, scene):
            scene = _scene(paragraph, place, light, scene)
            scenes.append(scene)
        elif light and not scene.time_of_day:
            # The scene's first mention of the light sets it for the whole scene.
            scene.time_of_day = light
        scene.beats.append(Beat(ACTION, paragraph.text, paragraph.line, paragraph.column, paragraph.end_line))
        scene.end_line = paragraph.end_line
    return scenes


def _moves_on(text: str, place: str, light: str, scene: DraftScene) -> bool:
    """Whether a paragraph leaves the scene: it names another place, jumps in time ("Later, ...")
    or changes the light the scene already has."""
    lowered = text.lower()
    time_jump = any(
        lowered.startswith(opener) and lowered[len(opener):len(opener) + 1] in " ," for opener in _TIME_OPENERS
    )
    return bool(
        (place and place != scene.location)
        or time_jump
        or (light and scene.time_of_day and light != scene.time_of_day)
    )


def _scene(paragraph: _Paragraph, place: str, light: str, previous: DraftScene | None) -> DraftScene:
    """The scene a paragraph opens; a place or light it does not name carries over from the scene before."""
    location = place or (previous.location if previous else "")
    time_of_day = light or (previous.time_of_day if previous else "")
    if location:
        setting = _setting(location)
    else:
        setting = previous.setting if previous else script_pb2.SETTING_UNSPECIFIED
    return DraftScene(
        heading=" - ".join(part for part in (location, time_of_day) if part),
        setting=setting,
        location=location,
        time_of_day=time_of_day,
        line=paragraph.line,
        column=paragraph.column,
        end_line=paragraph.end_line,
    )


# Capitalised words that are not names.
_NOT_NAMES = frozenset(
    "the a an and but or so then when while as at in on by to of for from with into after before later "
    "she he they it we i you her his their its our my your this that these those there here what who "
    "meanwhile morning evening night dawn dusk today tomorrow yesterday monday tuesday wednesday thursday "
    "friday saturday sunday january february march april may june july august september october november "
    "december god mr mrs ms dr one two three no yes not all every each some outside inside".split()
)


def _named_people(paragraphs) -> list[str]:
    """Capitalised words used at least twice (not just after a full stop): the story's people."""
    counts: dict[str, int] = {}
    mid_sentence: set[str] = set()
    order: list[str] = []
    for paragraph in paragraphs:
        previous = "."
        for raw in paragraph.split():
            word = raw.strip(".,;:!?\"'()\u201c\u201d\u2018\u2019")
            if word.endswith("'s") or word.endswith("\u2019s"):
                word = word[:-2]
            if len(word) > 1 and word[0].isupper() and word[1:].islower() and word.isalpha() and word.lower() not in _NOT_NAMES:
                if word not in counts:
                    order.append(word)
                counts[word] = counts.get(word, 0) + 1
                if not previous.endswith((".", "!", "?", '"')):
                    mid_sentence.add(word)
            previous = raw
    return [word for word in order if counts[word] >= 2 and word in mid_sentence][:8]
