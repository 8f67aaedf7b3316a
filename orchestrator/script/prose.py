"""Plain prose as a film: paragraphs become shots, and a change of place or time starts a scene."""

from __future__ import annotations

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
# Words that set the light.
_TIME_WORDS = {
    "dawn": "DAWN", "sunrise": "DAWN", "morning": "MORNING", "noon": "DAY", "midday": "DAY",
    "afternoon": "AFTERNOON", "dusk": "DUSK", "sunset": "DUSK", "evening": "EVENING", "twilight": "DUSK",
    "night": "NIGHT", "midnight": "NIGHT", "tonight": "NIGHT", "moonlight": "NIGHT",
}
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
    first_sentence = paragraph.split(". ", 1)[0]
    for word in _words(first_sentence):
        if word in _TIME_WORDS:
            return _TIME_WORDS[word]
    return ""


def _setting(location: str) -> int:
    words = set(_words(location))
    if words & _INTERIOR:
        return script_pb2.SETTING_INTERIOR
    if words & _EXTERIOR:
        return script_pb2.SETTING_EXTERIOR
    return script_pb2.SETTING_UNSPECIFIED


def draft_from_prose(source: SourceLines) -> Draft:
    """Reads plain prose: a short first line is the title; paragraphs become action beats."""
    paragraphs: list[tuple[str, int, int, int]] = []  # text, line, column, end line
    current: list[str] = []
    start = 0
    column = 1
    previous_number = 0
    blank_separated = any(not line.strip() for line in source.lines)
    for raw, number in zip(source.lines, source.numbers):
        if not raw.strip():
            if current:
                paragraphs.append((" ".join(current), start, column, previous_number))
                current = []
            continue
        if not current:
            start, column = number, len(raw) - len(raw.lstrip()) + 1
        current.append(raw.strip())
        previous_number = number
        if not blank_separated:  # no blank lines at all: every line is a paragraph
            paragraphs.append((" ".join(current), start, column, previous_number))
            current = []
    if current:
        paragraphs.append((" ".join(current), start, column, previous_number))

    if not paragraphs:
        raise ScriptError("the script has no scene: nothing to film once notes and boneyard are removed")
    title = ""
    first_text = paragraphs[0][0]
    if len(paragraphs) > 1 and len(first_text) <= 80 and not first_text.endswith((".", "!", "?", '"', "\u201d")):
        title = first_text.strip("#*_ ")
        paragraphs = paragraphs[1:]
    elif not title:
        title = " ".join(first_text.split()[:6]).rstrip(".,;:!?")

    scenes: list[DraftScene] = []
    for text, line, column, end_line in paragraphs:
        place = _place(text)
        light = _time(text)
        lowered = text.lower()
        time_jump = any(lowered.startswith(opener) and lowered[len(opener):len(opener) + 1] in " ," for opener in _TIME_OPENERS)
        scene = scenes[-1] if scenes else None
        new_scene = (
            scene is None
            or (place and place != scene.location)
            or time_jump
            or (light and scene.time_of_day and light != scene.time_of_day)
        )
        if new_scene:
            location = place or (scene.location if scene and not place else "")
            time_of_day = light or (scene.time_of_day if scene else "")
            heading = " - ".join(part for part in (location, time_of_day) if part)
            scene = DraftScene(
                heading=heading,
                setting=_setting(location) if location else (scene.setting if scene else script_pb2.SETTING_UNSPECIFIED),
                location=location,
                time_of_day=time_of_day,
                line=line,
                column=column,
                end_line=end_line,
            )
            scenes.append(scene)
        elif light and not scene.time_of_day:
            scene.time_of_day = light
        scene.beats.append(Beat(ACTION, text, line, column, end_line))
        scene.end_line = end_line
    return Draft(
        title=title, title_page=[], format=script_pb2.SCRIPT_FORMAT_PROSE, scenes=scenes, warnings=[],
        extra_characters=_named_people(paragraph[0] for paragraph in paragraphs),
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
