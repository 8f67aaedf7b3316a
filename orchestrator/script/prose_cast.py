"""Who is who in prose: the people a story names, whether each is "she" or "he", and whom a pronoun
points at, at a given point of the story.

Genders are learnt from the text only: a sentence-initial or possessive pronoun ("She", "his") when
the sentences around it name exactly one person ("Anna lit the ovens. She ..."), a kinship word next
to the name ("her grandmother Elena", "Tomas, his brother"), and speech tags ("..., she said" about
the only candidate). Nothing is guessed here from the name itself (the bible weighs common given
names, as weaker evidence, when it decides a character's gender); a title that is part of the name
("Mrs Hale", "Aunt May") says it.

A title or epithet before a name is part of it: "Aunt May", "Little Annie", "Big Al" are one person
each, not "Aunt" and "Little".
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from orchestrator.script import looks

PUNCTUATION = ".,;:!?\"'()[]{}\u201c\u201d\u2018\u2019\u00ab\u00bb\u2014\u2013\u2026*_"
# Capitalised words that are not names.
NOT_NAMES = frozenset(
    "the a an and but or so then when while as at in on by to of for from with into after before later "
    "she he they it we i you her his their its our my your this that these those there here what who why "
    "how where which whose meanwhile morning evening night dawn dusk today tomorrow yesterday tonight "
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december god mr mrs ms dr miss sir madam one two three no yes not "
    "all every each some outside inside oh ah well hello hi okay ok please thank thanks sorry just now "
    "come go look wait stop let if back still even only perhaps maybe nothing everything someone somebody "
    "nobody everyone everybody something somewhere sometimes suddenly slowly quickly finally soon once "
    "again yet never always often later above below beyond behind beneath across around far near "
    "chapter part said asked".split()
)
# Verbs of a speech tag ("she said", "asked Anna").
SPEECH_VERBS = frozenset(
    "said says asked asks whispered whispers replied replies answered answers shouted shouts called calls "
    "cried cries murmured murmurs muttered mutters added adds continued began told tells yelled snapped "
    "sighed insisted explained agreed admitted repeated screamed breathed demanded warned promised "
    "laughed wondered exclaimed hissed pleaded offered suggested".split()
)
# Titles before a name: a speech tag's "said Mrs Hale", "said Aunt May", "said Little Annie".
TITLES = frozenset("mr mrs ms dr miss aunt auntie uncle grandma grandpa granny nana madam sir lady lord".split())
# Abbreviations that are titles in any case ("mrs Hale"); the others only capitalised ("Aunt May",
# not "her aunt May", which is kinship).
_ABBREVIATIONS = frozenset("mr mrs ms dr miss".split())
# Epithets that are part of a name when capitalised before one: "Little Annie", "Big Al".
EPITHETS = frozenset("little big old young".split())
HONORIFICS = TITLES | EPITHETS
# Words that are part of a name but never one alone ("Aunt" of "Aunt May").
_NEVER_ALONE = HONORIFICS
_SENTENCE_END = (".", "!", "?", "\u2026", ".\"", "!\"", "?\"", ".\u201d", "!\u201d", "?\u201d")
_OPENING_MARKS = "\"\u201c\u2018'\u00ab(["
_SHE = frozenset(("she", "herself", "hers"))
_HE = frozenset(("he", "his", "himself"))
_KIN_F = frozenset("mother grandmother sister aunt daughter wife girl woman niece queen lady mum mom gran "
                   "granny widow bride girlfriend".split())
_KIN_M = frozenset("father grandfather brother uncle son husband boy man nephew king lord dad grandpa "
                   "widower groom boyfriend".split())
# A pronoun looks back this many sentences for the one person it can mean, and a speech tag's
# pronoun at most this many people: both keep reading linear.
_WINDOW_SENTENCES = 3
_REACH = 20


def bare(word: str) -> str:
    """A word without the punctuation around it or a possessive 's."""
    word = word.strip(PUNCTUATION)
    if word.endswith(("'s", "\u2019s")):
        word = word[:-2]
    return word


def name_shaped(word: str) -> bool:
    """Capitalised, not all capitals, letters (and inner - or ') only, and not a common word."""
    return (
        len(word) > 1 and word[0].isupper() and any(c.islower() for c in word)
        and all(c.isalpha() or c in "-'\u2019" for c in word) and word.lower() not in NOT_NAMES
        and word.lower() not in _NEVER_ALONE
    )


def full_name(words: list[str], index: int) -> str:
    """The name at words[index] with the title before it, if any ("Mrs. Hale" -> "Mrs Hale",
    "Aunt May", "Little Annie")."""
    word = bare(words[index])
    return f"{title_before(words, index)} {word}".lstrip()


def title_before(words: list[str], index: int) -> str:
    """The title or epithet just before words[index] ("Mrs", "Aunt", "Little"), or ""."""
    if not index or words[index - 1].rstrip(".").endswith(_SENTENCE_END + (",", ";", ":")):
        return ""
    before = bare(words[index - 1]).rstrip(".")
    lower = before.lower()
    if lower in _ABBREVIATIONS or (before[:1].isupper() and lower in HONORIFICS):
        return before
    return ""


def titled(words: list[str], index: int) -> bool:
    """Whether words[index] is a name because a title comes before it, though it could be a common
    word ("Aunt May", "Miss June")."""
    word = bare(words[index])
    return (len(word) > 1 and word[0].isupper() and word.isalpha() and word.lower() not in EPITHETS
            and bare(words[index - 1]).rstrip(".").lower() in TITLES and bool(title_before(words, index)))


def sentence_starts(words: list[str]) -> list[bool]:
    """For each word, whether it begins a sentence (or a quotation)."""
    starts = []
    previous = "."
    for raw in words:
        starts.append(previous.endswith(_SENTENCE_END) or raw[:1] in _OPENING_MARKS)
        previous = raw
    return starts


def named_people(paragraphs: list[str]) -> list[str]:
    """The story's people, in order of first mention: name-shaped words used twice, once where a
    common word could not stand (mid-sentence, or with a possessive 's); or three times anywhere;
    or once beside a speech verb, a kinship word or an honorific ("said Marta", "her brother
    Tomas", "Mrs Hale")."""
    counts: dict[str, int] = {}
    sure: set[str] = set()
    introduced: set[str] = set()
    for paragraph in paragraphs:
        words = paragraph.split()
        for index, (raw, starts) in enumerate(zip(words, sentence_starts(words))):
            word = bare(raw)
            if not (name_shaped(word) or titled(words, index)):
                continue
            introduces = _introduced(words, index)
            word = full_name(words, index)
            counts[word] = counts.get(word, 0) + 1
            if not starts or word != raw.strip(PUNCTUATION):
                sure.add(word)
            if introduces:
                introduced.add(word)
    return [word for word, count in counts.items()
            if word in introduced or count >= 3 or (word in sure and count >= 2)]


def _introduced(words: list[str], index: int) -> bool:
    """Whether the words around a name-shaped word make it a person's name."""
    before = bare(words[index - 1]).lower().rstrip(".") if index else ""
    after = bare(words[index + 1]).lower() if index + 1 < len(words) else ""
    return (before in SPEECH_VERBS or after in SPEECH_VERBS or (before in TITLES and bool(title_before(words, index)))
            or before in _KIN_F or before in _KIN_M or before == "named")


@dataclass
class Cast:
    """The people met so far in reading order, with what is known of their pronouns."""

    names: set[str]
    mentions: dict[str, int] = field(default_factory=dict)  # name -> times named in narration
    votes: dict[str, list[int]] = field(default_factory=dict)  # name -> [she, he] evidence
    recent: dict[str, None] = field(default_factory=dict)  # names, the last-mentioned last
    window: deque = field(default_factory=lambda: deque(maxlen=_WINDOW_SENTENCES))
    maybe: str = ""  # the last name-shaped word that opened a sentence, though not a known name

    def gender(self, name: str) -> str:
        """"f", "m" or "" (not known from the text)."""
        she, he = self.votes.get(name, (0, 0))
        return "f" if she > he else "m" if he > she else ""

    def learn(self, name: str, gender: str) -> None:
        tally = self.votes.setdefault(name, [0, 0])
        tally[0 if gender == "f" else 1] += 1

    def mention(self, name: str) -> None:
        self.names.add(name)
        honorific = looks.title_gender(name.split()[:1]) if " " in name else ""
        if honorific:
            self.learn(name, honorific)
        self.mentions[name] = self.mentions.get(name, 0) + 1
        self.recent.pop(name, None)
        self.recent[name] = None

    def heard(self, speaker: str) -> None:
        """A line of speech is a sentence about its speaker: "He laughed" after two people spoke
        is no evidence about either."""
        self.window.append({speaker})

    def resolve(self, pronoun: str, learn: bool = True) -> str:
        """Whom a pronoun means: the last-named person of its gender, else the last-named one whose
        gender is not known (who, if `learn`, is then known to be it); "" if none."""
        wanted = {"she": "f", "he": "m"}.get(pronoun.lower(), "")
        unknown = ""
        for reach, name in enumerate(reversed(self.recent)):
            if reach >= _REACH:
                break
            gender = self.gender(name)
            if wanted and gender == wanted:
                return name
            if not gender and not unknown:
                unknown = name
        if not unknown and self.maybe and learn:
            # Nobody known fits: the last sentence-opening word that could be a name ("Ines poured
            # the tea. 'Drink it,' she said") is taken to be one.
            unknown, self.maybe = self.maybe, ""
            self.mention(unknown)
        if unknown and wanted and learn:
            self.learn(unknown, wanted)
        return unknown

    def read(self, narration: str) -> list[str]:
        """Takes in a stretch of narration: its names (returned in order, each a mention) and the
        evidence it gives of genders."""
        words = narration.split()
        found: list[str] = []
        sentence: set[str] = set()
        for index, (raw, starts) in enumerate(zip(words, sentence_starts(words))):
            if starts and index:
                self.window.append(sentence)
                sentence = set()
            word = full_name(words, index)
            if word in self.names:
                self.mention(word)
                found.append(word)
                if len(sentence) < 2:  # one person or more than one is all a pronoun asks
                    sentence.add(word)
                self._kin(words, index, word)
            elif word.lower() in _SHE or word.lower() in _HE:
                self._pronoun(word.lower(), sentence)
            elif starts and name_shaped(word):
                self.maybe = word
        self.window.append(sentence)
        return found

    def _pronoun(self, pronoun: str, sentence: set[str]) -> None:
        """A pronoun counts for the one person the last few sentences name, if there is only one."""
        candidates = set(sentence).union(*self.window)
        if len(candidates) == 1:
            self.learn(next(iter(candidates)), "f" if pronoun in _SHE else "m")

    def _kin(self, words: list[str], index: int, name: str) -> None:
        """Kinship words next to a name: "her grandmother Elena", "Tomas, her brother"."""
        near = [bare(w).lower() for w in words[max(0, index - 1):index]]
        if words[index].endswith(","):
            near += [bare(w).lower() for w in words[index + 1:index + 4]]
        for word in near:
            if word in _KIN_F or word in _KIN_M:
                self.learn(name, "f" if word in _KIN_F else "m")
                return
