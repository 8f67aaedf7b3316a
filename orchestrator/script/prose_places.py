"""Where and when a paragraph of prose is: the place its phrases name and the time its opening moves to.

A place is a phrase, never a guess from capitals: a clause of the first sentence that opens with a
preposition ("At the old harbour, ...", "Back at the house", "That night, in the kitchen, ...") or a
known place word in that sentence ("Ana waited in the kitchen", "pushed open the bakery door"). The
phrase stops at a known place word, at punctuation and before a name of the story's people, so "At
the harbour their grandmother Elena waited" is the HARBOUR. Light words are read by filmstudio.light.
"""

from __future__ import annotations

from filmstudio import light
from filmstudio.v1 import script_pb2
from orchestrator.script.prose_cast import NOT_NAMES, bare

# Opening words that move the story to another time.
TIME_OPENERS = (
    "later", "meanwhile", "that night", "that evening", "that morning", "that afternoon", "the next",
    "next morning", "next day", "the following", "hours later", "days later", "years later",
    "weeks later", "months later", "by morning", "by evening", "by night", "by noon", "by dawn",
    "at dawn", "at dusk", "at night", "at noon", "at midnight", "in the morning", "in the evening",
    "in the afternoon", "in the night", "afterwards", "when night", "when morning", "the day after",
    "early the", "late that", "morning", "night", "evening", "dawn", "dusk",
)
INTERIOR = frozenset(
    "kitchen bakery room bedroom bathroom hall hallway office house home flat apartment cafe café bar shop "
    "store church chapel library classroom school hospital station attic cellar basement studio corridor "
    "lobby restaurant cabin tower lighthouse barn garage theatre theater museum hotel pub inn tavern "
    "cottage farmhouse parlour parlor study workshop shed greenhouse factory warehouse prison cell ward "
    "inside".split()
)
EXTERIOR = frozenset(
    "street road beach shore sea harbour harbor garden park forest wood woods field fields mountain hill "
    "river lake bridge square yard market coast cliff cliffs desert village town city rooftop roof "
    "meadow dock docks pier quay wharf jetty lane alley path orchard graveyard cemetery churchyard "
    "courtyard platform island valley moor marsh bay porch farm outside".split()
)
_PREPOSITIONS = frozenset("at in inside outside on into onto near behind beside under across".split())
_LEADS = frozenset("back down up out over".split())
# Prepositions a known place word may follow mid-sentence, and words before them that mean the
# place is looked at, not stood in ("she stared at the sea").
_MID_PREPOSITIONS = frozenset("at in inside into on to".split())
# Nouns that stay with the place word before them ("the sea wall", "the harbour steps").
_PLACE_PARTS = frozenset("wall front side edge steps".split())
_LOOKING = frozenset("looked look looks stared stare gazed gaze glanced peered pointed waved smiled wrote "
                     "listened talked spoke".split())
_DETERMINERS = frozenset("the a an her his their my our your its this that".split())
# Nouns after "in the", "at the" that are not places ("In the end, ...").
_NOT_PLACES = frozenset(
    "way end meantime moment silence dark darkness distance past future fact truth case beginning middle "
    "time hurry rush meanwhile light shadows quiet".split()
)
_PHRASE_WORDS = 3
_OPENING_WORDS = 5
_FIRST_SENTENCE_CHARS = 600  # a first sentence is read this far


def first_sentence(text: str) -> str:
    head = text[:_FIRST_SENTENCE_CHARS]
    ends = [i for i in (head.find(". "), head.find("! "), head.find("? ")) if i >= 0]
    return head[:min(ends) + 1] if ends else head


_OPENER_SET = frozenset(TIME_OPENERS)
_OPENER_WORDS = max(len(opener.split()) for opener in TIME_OPENERS)


def time_jump(narration: str) -> bool:
    """Whether the paragraph opens by moving in time ("Later, ...", "The next morning ...")."""
    words = narration[:80].lower().split()[:_OPENER_WORDS + 1]
    for count in range(1, min(len(words), _OPENER_WORDS) + 1):
        last = words[count - 1]
        phrase = " ".join(words[:count - 1] + [last.rstrip(",")])
        if phrase in _OPENER_SET:
            return True
        if last.endswith(","):
            return False
    return False


def opening_light(narration: str) -> str:
    """The light the paragraph opens on ("At dusk, ...", "That night ...", "When night fell, ..."),
    as a heading writes it; "" if none. The opening is a short first clause, else the first few
    words: "She remembered the night her father sailed" is no change of light."""
    sentence = first_sentence(narration.lstrip())
    clause = sentence.split(",", 1)[0].split()
    opening = clause if len(clause) <= _OPENING_WORDS else sentence.split()[:3]
    return light.name(light.light_in(" ".join(opening)))


def sentence_light(narration: str) -> str:
    """The light the paragraph's first sentence names anywhere in it; "" if none."""
    return light.name(light.light_in(first_sentence(narration.lstrip())))


def place(narration: str, people: set[str]) -> str:
    """The place the paragraph's first sentence names, upper case ("OLD HARBOUR"), or ""."""
    words = first_sentence(narration.lstrip()).split()
    clause_starts = [0] + [i + 1 for i, word in enumerate(words[:-1]) if word.endswith(",")]
    for start in clause_starts:
        found = _clause_place(words, start, people)
        if found:
            return found
    return _known_place(words, people)


def _clause_place(words: list[str], start: int, people: set[str]) -> str:
    """A place phrase opening a clause: [back] preposition [the] words."""
    index = start
    if index < len(words) and bare(words[index]).lower() in _LEADS:
        index += 1
        if index < len(words) and bare(words[index]).lower() == "home":
            return "HOME"
    if index >= len(words) or bare(words[index]).lower() not in _PREPOSITIONS:
        return ""
    index += 1
    if index < len(words) and bare(words[index]).lower() in _DETERMINERS:
        index += 1
    phrase: list[str] = []
    ended = False
    for raw in words[index:index + _PHRASE_WORDS]:
        word = bare(raw)
        lowered = word.lower()
        if not word or lowered in _DETERMINERS or lowered in NOT_NAMES or word in people:
            break
        phrase.append(word)
        if lowered in INTERIOR or lowered in EXTERIOR:
            return " ".join(phrase).upper()
        if raw[-1:] in ",.;:!?":
            ended = True
            break
    if not ended or not phrase or phrase[-1].lower() in _NOT_PLACES:
        return ""
    text = " ".join(phrase).upper()
    return "" if light.light_in(text) else text


def _known_place(words: list[str], people: set[str]) -> str:
    """A known place word mid-sentence: after "in/at/into the" (not "stared at the sea"), or before
    "door" ("pushed open the bakery door")."""
    for index, raw in enumerate(words):
        lowered = bare(raw).lower()
        if lowered not in INTERIOR and lowered not in EXTERIOR:
            continue
        after = bare(words[index + 1]).lower() if index + 1 < len(words) else ""
        if after in ("door", "doorway") and not raw.endswith((",", ".")):
            return lowered.upper()
        back = index - 1
        if back >= 0 and bare(words[back]).lower() in _DETERMINERS:
            back -= 1
        if back >= 1 and bare(words[back]).lower() in _MID_PREPOSITIONS and \
                bare(words[back - 1]).lower() not in _LOOKING:
            part = after if after in _PLACE_PARTS and not raw.endswith((",", ".")) else ""
            return f"{lowered} {part}".strip().upper()
    return ""


def setting(location: str) -> int:
    words = {word.strip(".,;:!?\"'").lower() for word in location.split()}
    if words & INTERIOR:
        return script_pb2.SETTING_INTERIOR
    if words & EXTERIOR:
        return script_pb2.SETTING_EXTERIOR
    return script_pb2.SETTING_UNSPECIFIED
