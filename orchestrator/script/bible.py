"""The character bible, seeds and image prompts: everything that must look the same in every shot."""

from __future__ import annotations

from dataclasses import dataclass

from filmstudio import tensors
from filmstudio.seeds import stable_seed
from filmstudio.v1 import script_pb2
from orchestrator.script import looks
from orchestrator.script.draft import ACTION, DIALOGUE, Beat, Draft


@dataclass(frozen=True)
class Style:
    """A named look: words before and after the shot's own prompt, and what to keep out."""

    lead: str
    tail: str
    negative: str


# One look for each of filmstudio.settings.STYLES (a test checks they match).
STYLES: dict[str, Style] = {
    "cinematic": Style(
        "cinematic film still", "anamorphic lens, shallow depth of field, film grain, rich color grade",
        "cartoon, illustration",
    ),
    "noir": Style(
        "black and white film noir still", "hard low-key lighting, deep shadows, venetian blind light, 1940s",
        "color, saturated, cartoon",
    ),
    "anime": Style(
        "anime key visual", "cel shading, clean line art, vibrant colors, detailed background painting",
        "photorealistic, photograph, 3d render",
    ),
    "watercolor": Style(
        "watercolor illustration", "soft washes, visible paper texture, loose brushwork, muted palette",
        "photograph, photorealistic, 3d render, hard edges",
    ),
    "documentary": Style(
        "documentary photograph", "natural available light, handheld 35mm, candid, realistic",
        "cartoon, illustration, staged, glamour lighting",
    ),
}

BASE_NEGATIVE = "blurry, low quality, deformed, extra limbs, extra fingers, text, watermark, logo, caption"

_FRAMING_WORDS = {
    script_pb2.FRAMING_EXTREME_WIDE: "extreme wide shot",
    script_pb2.FRAMING_WIDE: "wide shot",
    script_pb2.FRAMING_MEDIUM: "medium shot",
    script_pb2.FRAMING_CLOSE_UP: "close-up",
    script_pb2.FRAMING_EXTREME_CLOSE_UP: "extreme close-up",
    script_pb2.FRAMING_OVER_THE_SHOULDER: "over-the-shoulder shot",
}
# What each light (script_pb2.TimeOfDay) is called in a prompt.
_LIGHT = {
    script_pb2.TIME_OF_DAY_DAY: "daylight", script_pb2.TIME_OF_DAY_NIGHT: "night, moonlight and practical lamps",
    script_pb2.TIME_OF_DAY_DAWN: "dawn, soft pink first light", script_pb2.TIME_OF_DAY_DUSK: "dusk, fading blue light",
    script_pb2.TIME_OF_DAY_MORNING: "morning light", script_pb2.TIME_OF_DAY_EVENING: "evening, warm low sun",
    script_pb2.TIME_OF_DAY_AFTERNOON: "afternoon light", script_pb2.TIME_OF_DAY_SUNSET: "sunset, golden light",
    script_pb2.TIME_OF_DAY_SUNRISE: "sunrise, golden light", script_pb2.TIME_OF_DAY_NOON: "harsh midday sun",
    script_pb2.TIME_OF_DAY_MIDNIGHT: "midnight darkness", script_pb2.TIME_OF_DAY_TWILIGHT: "twilight",
    script_pb2.TIME_OF_DAY_GOLDEN_HOUR: "golden hour light",
}
_SETTING_WORDS = {
    script_pb2.SETTING_INTERIOR: "interior",
    script_pb2.SETTING_EXTERIOR: "exterior",
    script_pb2.SETTING_INTERIOR_EXTERIOR: "interior and exterior",
}

# Looks for characters the script does not describe at all, picked by seed so they never change; they
# go into the cast sheet's fields like the script's own words, where a user can see and change them.
_AGES = ("20s", "30s", "40s", "50s", "60s")
_HAIR = ("short dark hair", "long black hair", "curly red hair", "grey hair", "cropped blond hair",
         "braided brown hair", "shaved head", "wavy auburn hair")
_CLOTHES = ("a navy wool coat", "a yellow raincoat", "a worn leather jacket", "a green knit sweater",
            "a white linen shirt", "a grey suit", "a red scarf and dark coat", "denim overalls")

# How much each kind of evidence of a character's gender weighs. A title or person noun in the cue
# name itself ("MRS. PATEL", "OLD MAN") decides alone.
_NOUN_WEIGHT = 10.0  # the introduction calls them "a woman", "her young nephew"
_NAME_WEIGHT = 1.5  # a common given name ("ANNIE", "AL"): two pronouns the other way outweigh it
_PRONOUN_WEIGHT = 1.0  # each "she", "his shop" that can only mean them
# Words (lower case) after "her" that make it an object ("follows her up", "hands her a cup"), not
# a possessive ("her shop").
_AFTER_OBJECT_HER = frozenset(
    "up down in out on off to at with for from away back again and but or as a an the this that over into "
    "through by around close tight gently goodbye go aside alone home here there".split())
# The script's own words that are no look field live in the description after this mark, where
# describe() finds them again (see describe).
REMARK_MARK = "; "
_GENDERS = {looks.FEMALE: script_pb2.GENDER_FEMALE, looks.MALE: script_pb2.GENDER_MALE}
_HONORIFIC_ENDS = ("mr.", "mrs.", "ms.", "dr.", "st.", "mx.")
# "She was a tall woman...", "He wore a grey suit": a sentence that goes on with an introduction.
_GOES_ON = frozenset("was is wore wears had has looked looks".split())


def character_id(name: str) -> str:
    """"char-<slug>" from a cue name: lower case, letters and digits kept (any script), others to "-"."""
    slug = "".join(c if c.isalnum() else "-" for c in name.lower())
    slug = "-".join(part for part in slug.split("-") if part)
    return f"char-{slug or 'unnamed'}"


PUNCTUATION = ".,;:!?\"'()[]\u201c\u201d\u2018\u2019"
MAX_NAME_WORDS = 3


def name_grams(text: str, upper: bool) -> dict[str, int]:
    """Every run of 1-3 words in text (punctuation trimmed) -> its word index; upper-cases them if asked.

    Finding names through this table keeps the search linear in the text, however many names."""
    words = [word.strip(PUNCTUATION) for word in text.split()]
    if upper:
        words = [word.upper() for word in words]
    grams: dict[str, int] = {}
    for index in range(len(words)):
        for size in range(1, MAX_NAME_WORDS + 1):
            if index + size > len(words):
                break
            grams.setdefault(" ".join(words[index : index + size]), index)
    return grams


def _name_key(words: list[str]) -> str:
    """A name's words compared as one: upper case, punctuation and a possessive 's dropped ("Mrs.
    Patel's" and "MRS PATEL" are one name)."""
    return " ".join(looks.bare(word).upper() for word in words)


@dataclass
class _Evidence:
    """What the script says of one character, gathered while reading its action."""

    name_words: list[str]
    introduction: looks.Introduction | None = None
    line: int = 0
    column: int = 0
    female: float = 0.0
    male: float = 0.0

    def prior(self) -> str:
        """The gender the name and introduction say, before any pronoun: what a pronoun is checked against."""
        decided = looks.title_gender(self.name_words)
        if decided:
            return decided
        if self.introduction is not None and self.introduction.gender:
            return self.introduction.gender
        return looks.given_name_gender(self.name_words)

    def gender(self) -> str:
        """"f", "m" or "" from the evidence, strongest first."""
        decided = looks.title_gender(self.name_words)
        if decided:
            return decided
        female, male = self.female, self.male
        if self.introduction is not None and self.introduction.gender:
            female += _NOUN_WEIGHT * (self.introduction.gender == looks.FEMALE)
            male += _NOUN_WEIGHT * (self.introduction.gender == looks.MALE)
        given = looks.given_name_gender(self.name_words)
        female += _NAME_WEIGHT * (given == looks.FEMALE)
        male += _NAME_WEIGHT * (given == looks.MALE)
        return looks.FEMALE if female > male else looks.MALE if male > female else ""


@dataclass
class _Mention:
    """Someone a sentence names: a character (key) or another person ("" : "a woman", a capitalised
    extra), with the gender the words themselves give, if any."""

    index: int
    key: str
    gender: str = ""
    size: int = 1  # words of the name


def _sentences(words: list[str]) -> list[tuple[int, int]]:
    """(start, end) word ranges of the sentences of an action ("Mrs." ends none)."""
    ranges, start = [], 0
    for index, word in enumerate(words):
        plain = word.rstrip("\"')\u201d\u2019")
        if plain.endswith((".", "!", "?", "\u2026")) and word.lower() not in _HONORIFIC_ENDS:
            ranges.append((start, index + 1))
            start = index + 1
    if start < len(words):
        ranges.append((start, len(words)))
    return ranges


class _Reader:
    """Reads the draft's action once: each character's introduction, and the pronouns that can only
    mean one of them."""

    def __init__(self, names: list[str], draft: Draft) -> None:
        self.fountain = draft.format != script_pb2.SCRIPT_FORMAT_PROSE
        self.evidence = {name.upper(): _Evidence(name.split()) for name in names}
        # What a character is called in the action: the whole name, and for "MRS. PATEL" or "BIG
        # AL" the name without its title ("Patel", "Al").
        self.aliases: dict[str, str] = {}
        for name in self.evidence:
            words = name.split()
            self.aliases.setdefault(_name_key(words), name)
            rest = looks.strip_titles(words)
            if rest != words and not looks.generic_name(rest):
                self.aliases.setdefault(_name_key(rest), name)
        self.draft = draft
        self.fresh = ""  # the character the last sentence introduced

    def read(self) -> dict[str, _Evidence]:
        for scene in self.draft.scenes:
            previous: list[_Mention] = []
            for beat in scene.beats:
                if beat.kind != ACTION:
                    self.fresh = ""
                if beat.kind == DIALOGUE:
                    speaker = beat.character.upper()
                    previous = [_Mention(0, speaker)] if speaker in self.evidence else []
                elif beat.kind == ACTION:
                    previous = self._action(beat, previous)
                else:
                    previous = []
        return self.evidence

    def _action(self, beat: Beat, previous: list[_Mention]) -> list[_Mention]:
        words = beat.text.split()
        for start, end in _sentences(words):
            mentions = self._mentions(words, start, end)
            fresh, self.fresh = self.fresh, ""
            if fresh:
                self._go_on(fresh, words, start, end, mentions, previous)
            for mention in mentions:
                if mention.key:
                    self._introduce(mention, words, start, end, mentions, beat)
            mentions = self._pronouns(words, start, end, mentions, previous)
            previous = mentions
        return previous

    def _mentions(self, words: list[str], start: int, end: int) -> list[_Mention]:
        """The people a sentence names, in order: characters by name (longest name first), other
        people by a person noun or, in Fountain, a capitalised extra ("a DELIVERY BOY")."""
        found: list[_Mention] = []
        index = start
        while index < end:
            word = words[index].lstrip(PUNCTUATION)
            size = 0
            if word[:1].isupper():
                for size in range(min(MAX_NAME_WORDS, end - index), 0, -1):
                    key = self.aliases.get(_name_key(words[index : index + size]))
                    if key is not None:
                        found.append(_Mention(index, key, size=size))
                        break
                else:
                    size = 0
            if size:
                index += size
                continue
            plain = looks.bare(word)
            if plain in looks.PERSON_NOUNS:
                gender = looks.FEMALE if plain in looks.FEMALE_NOUNS else looks.MALE if plain in looks.MALE_NOUNS else ""
                found.append(_Mention(index, "", gender))
            elif self.fountain and len(plain) > 1 and word.strip(PUNCTUATION).isupper() and plain.isalpha():
                found.append(_Mention(index, ""))
            index += 1
        return found

    def _introduce(self, mention: _Mention, words: list[str], start: int, end: int,
                   mentions: list[_Mention], beat: Beat) -> None:
        """The first mention of a character (in Fountain, in capitals) is their introduction: the
        words around it say their look."""
        evidence = self.evidence[mention.key]
        if evidence.introduction is not None:
            return
        size = mention.size
        named = [w.strip(PUNCTUATION) for w in words[mention.index : mention.index + size]]
        if self.fountain and not all(w.isupper() for w in named if w):
            return
        later = [m.index for m in mentions if m.index > mention.index and m.key and m.key != mention.key]
        earlier = [m.index + 1 for m in mentions if m.index < mention.index and m.key]
        stop = min(later, default=end)
        after = words[mention.index + size : stop]
        last = words[mention.index + size - 1]
        if last.endswith(","):
            after = [","] + after
        before = words[max(earlier, default=start) : mention.index]
        evidence.introduction = looks.read_introduction(before, after)
        evidence.line, evidence.column = beat.line, beat.column
        self.fresh = mention.key

    def _go_on(self, key: str, words: list[str], start: int, end: int, mentions: list[_Mention],
               previous: list[_Mention]) -> None:
        """Reads a sentence that goes on with the introduction of the one person the sentence before
        named: "Big Al leaned on the counter. He was a stocky man with a shaved head." """
        if end - start < 3 or looks.bare(words[start + 1]) not in _GOES_ON:
            return
        pronoun = looks.bare(words[start])
        gender = {"she": looks.FEMALE, "he": looks.MALE}.get(pronoun)
        introduction = self.evidence[key].introduction
        if not gender or introduction is None or {m.key for m in previous} != {key}:
            return
        known = self.evidence[key].prior()
        if known and known != gender:
            return
        stop = min((m.index for m in mentions if m.key and m.key != key), default=end)
        introduction.merge(looks.read_introduction([], [","] + words[start + 2 : stop]))

    def _pronouns(self, words: list[str], start: int, end: int, mentions: list[_Mention],
                  previous: list[_Mention]) -> list[_Mention]:
        """Counts each "she", "his" of the sentence for the one person it can mean: the people
        named before it in the sentence (or, opening it, in the sentence before) whose gender does
        not rule it out. A pronoun that could mean two people counts for neither. Returns the
        sentence's people, the pronouns that were understood among them."""
        people = list(mentions)
        for index in range(start, end):
            word = looks.bare(words[index])
            if word not in looks.SHE and word not in looks.HE:
                continue
            if word == "him" or (word == "her" and self._object_her(words, index, end)):
                continue  # an object is seldom the one the sentence is about
            gender = looks.FEMALE if word in looks.SHE else looks.MALE
            if word in ("her", "his") and self._relation(words, index, end):
                continue  # "her nephew": the pronoun is someone else's
            before = [m for m in people if m.index < index] or previous
            fits = {m.key for m in before if self._fits(m, gender)}
            if len(fits) != 1:
                continue
            key = next(iter(fits))
            if key:
                evidence = self.evidence[key]
                if gender == looks.FEMALE:
                    evidence.female += _PRONOUN_WEIGHT
                else:
                    evidence.male += _PRONOUN_WEIGHT
            people.append(_Mention(index, key, gender))
            people.sort(key=lambda m: m.index)
        return people

    def _fits(self, mention: _Mention, gender: str) -> bool:
        known = mention.gender or (self.evidence[mention.key].prior() if mention.key else "")
        return not known or known == gender

    @staticmethod
    def _object_her(words: list[str], index: int, end: int) -> bool:
        if index + 1 >= end or words[index].endswith((",", ".", ";", ":", "!", "?")):
            return True
        return looks.bare(words[index + 1]) in _AFTER_OBJECT_HER

    @staticmethod
    def _relation(words: list[str], index: int, end: int) -> bool:
        following = [looks.bare(w) for w in words[index + 1 : min(end, index + 3)]]
        return any(w in looks.PERSON_NOUNS for w in following)


def build_bible(draft: Draft, film_seed: int) -> list[script_pb2.Character]:
    """One Character per speaker (in order of first cue): gender, age, hair, wardrobe, build and skin
    as the script says them, described, voiced and seeded."""
    characters: list[script_pb2.Character] = []
    seen: set[str] = set()
    first_cues = [
        (beat.character, beat.line, beat.column)
        for scene in draft.scenes for beat in scene.beats if beat.kind == DIALOGUE
    ]
    first_cues += [(name, 0, 0) for name in draft.extra_characters]
    evidence = _Reader(list(dict.fromkeys(cue for cue, _, _ in first_cues)), draft).read()
    for cue, cue_line, cue_column in first_cues:
        key = character_id(cue)
        if key in seen:
            continue
        seen.add(key)
        found = evidence[cue.upper()]
        seed = stable_seed(film_seed, "character", key)
        character = script_pb2.Character(id=key, name=cue, seed=seed,
                                         gender=_GENDERS.get(found.gender(), script_pb2.GENDER_UNSPECIFIED))
        remark = _fill_look(character, found)
        character.description = describe(character, remark)
        character.voice.CopyFrom(voice_for(character.gender, seed, age=character.age))
        span_line, span_column = (found.line, found.column) if found.line else (cue_line, cue_column)
        character.span.CopyFrom(script_pb2.SourceSpan(line=span_line, column=span_column, end_line=span_line))
        characters.append(character)
    return characters


def _fill_look(character: script_pb2.Character, found: _Evidence) -> str:
    """Sets the look fields from the script (the name's own words too: "OLD MAN", "BIG AL"); for a
    character it does not describe at all, from an invented look. Returns the leftover words."""
    name_words = found.name_words
    introduction = found.introduction or looks.Introduction()
    age = introduction.age or looks.age_in([w for w in name_words if looks.bare(w) not in looks.PERSON_NOUNS])
    build = [w for w in (looks.bare(w) for w in name_words) if w in looks.BUILD_WORDS and w not in ("little",)]
    build += [w for w in introduction.build if w not in build]
    character.age = age
    character.hair = ", ".join(introduction.hair)
    character.wardrobe = " and ".join(introduction.wardrobe)
    character.build = ", ".join(build)
    character.skin = ", ".join(introduction.skin)
    if introduction.child and not character.age:
        character.age = "child"
    described = any((character.age, character.hair, character.wardrobe, character.build, character.skin,
                     introduction.remark, introduction.gender))
    if not described and not looks.generic_name(name_words):
        seed = character.seed
        character.age = _AGES[seed % len(_AGES)]
        character.hair = _HAIR[(seed >> 4) % len(_HAIR)]
        character.wardrobe = _CLOTHES[(seed >> 8) % len(_CLOTHES)]
    return introduction.remark


def describe(character: script_pb2.Character, remark: str | None = None) -> str:
    """The character's description for prompts, from its fields: "Maren, a tall woman in her 40s,
    long black hair, a yellow raincoat".

    The script's words that are none of the fields ("a keeper", "an engineer with a laptop bag")
    follow REMARK_MARK at the end of the description. `remark` gives them; None takes them from the
    character's current description, so describing again after a user changes a field (hair, say)
    rewrites every field's words and keeps the script's others. A description the user wrote without
    the mark has no such words: describing it again is the fields alone."""
    if remark is None:
        remark = character.description.rpartition(REMARK_MARK)[2] if REMARK_MARK in character.description else ""
    gender = {script_pb2.GENDER_FEMALE: looks.FEMALE, script_pb2.GENDER_MALE: looks.MALE}.get(character.gender, "")
    name_words = character.name.split()
    parts = [] if looks.generic_name(name_words) or not name_words else [
        character.name.title() if character.name.isupper() else character.name]
    parts.append(_identity(gender, _tidy(character.age), _tidy(character.build)))
    builds = [part.strip() for part in _tidy(character.build).split(",") if part.strip()]
    if any(len(part.split()) > 1 for part in builds):
        parts.append(_tidy(character.build))  # "broad shoulders": words of its own, not an adjective
    parts += [_tidy(character.hair), _tidy(character.wardrobe)]
    skins = [part.strip() for part in _tidy(character.skin).split(",") if part.strip()]
    parts.append(", ".join(f"{part} skin" if part in looks.SKIN_WORDS else part for part in skins))
    description = ", ".join(part for part in parts if part)
    remark = _tidy(remark)
    return f"{description}{REMARK_MARK}{remark}" if remark else description


def _tidy(text: str) -> str:
    """A field's words on one line, with no REMARK_MARK of their own."""
    return " ".join(text.replace(REMARK_MARK, ", ").split()).strip(" ,;")


def _identity(gender: str, age: str, build: str) -> str:
    """"a tall woman in her 40s", "an old man", "a 70-year-old man", "a little girl", "a person in
    their 30s": the age in the script's form, the noun from gender and age."""
    years = looks.years(age) if age else None
    child = years is not None and years < 18
    noun = {looks.FEMALE: ("woman", "girl"), looks.MALE: ("man", "boy")}.get(gender, ("person", "child"))[child]
    their = {looks.FEMALE: "her", looks.MALE: "his"}.get(gender, "their")
    adjectives = [part.strip() for part in build.split(",") if part.strip() and len(part.split()) == 1]
    clause = aged = ""
    word = age.lower()
    if not age or word == "child":
        pass
    elif looks.decade(word.replace(" ", "-")):
        clause = f"in {their} {age}"
    elif word.isdigit():
        aged = f"{age}-year-old"
    elif word in ("old", "elderly", "young", "little", "teenage", "middle-aged"):
        aged = word
    else:
        clause = f"aged {age}"
    phrase = looks.with_article(" ".join(part for part in (", ".join(adjectives), aged, noun) if part))
    return f"{phrase} {clause}" if clause else phrase


def voice_for(gender: int, seed: int, language: str = "en-us", age: str = "") -> script_pb2.Voice:
    """The character's voice, by seed within its gender's range: women f variants at a higher pitch
    (about 175-240 Hz), men m variants at a lower one (about 80-105 Hz); a character of unstated
    gender a voice between them (about 115-170 Hz), of either family. A child speaks higher and
    someone of 70 or more a little slower."""
    years = looks.years(age) if age else None
    if gender == script_pb2.GENDER_FEMALE:
        variants, pitch = ("f1", "f2", "f3", "f4", "f5"), 45 + (seed >> 12) % 22
    elif gender == script_pb2.GENDER_MALE:
        variants, pitch = ("m1", "m2", "m3", "m4", "m5", "m7"), 22 + (seed >> 12) % 22
    elif (seed >> 24) % 2:
        variants, pitch = ("m1", "m2", "m3", "m5", "m7"), 62 + (seed >> 12) % 16
    else:
        variants, pitch = ("f1", "f2", "f4"), 18 + (seed >> 12) % 14
    if years is not None and years < 13:
        pitch = min(tensors.MAX_PITCH, pitch + 20)
    rate = 145 + (seed >> 20) % 41  # 145-185
    if years is not None and years >= 70:
        rate -= 15
    return script_pb2.Voice(language=language or "en-us", variant=variants[(seed >> 16) % len(variants)],
                            pitch=pitch, words_per_minute=rate)


def shot_seed(film_seed: int, location: str, character_ids: list[str], description: str) -> int:
    """The image seed for a shot, from the film's seed, the place, the people in frame and what the
    shot is (its description): two shots of one place and cast still differ (two close-ups of Maya,
    a paragraph cut into several shots), while a shot keeps its seed when other shots change."""
    return stable_seed(film_seed, "shot", location.upper(), ",".join(sorted(character_ids)),
                       " ".join(description.split()))


def build_prompt(
    style: Style,
    framing: int,
    description: str,
    setting: int,
    location: str,
    time_of_day: str,
    light: int,
    characters: list[script_pb2.Character],
) -> str:
    """Style, framing, action, characters, place and light, in the order image models weigh them.
    `light` is the scene's script_pb2.TimeOfDay, `time_of_day` its time as written."""
    action = " ".join(description.split()[:40])
    parts = [style.lead, _FRAMING_WORDS.get(framing, "shot")]
    if action:
        parts[-1] += f": {action.rstrip('.')}"
    parts.extend(character.description for character in characters)
    place = " ".join(part for part in (_SETTING_WORDS.get(setting, ""), location.lower()) if part)
    if place:
        parts.append(place)
    # The light's words; a time the table does not know ("THURSDAY") as the script writes it.
    lit = _LIGHT.get(light, time_of_day.lower())
    if lit:
        parts.append(lit)
    parts.append(style.tail)
    return ", ".join(parts)


def reframe(prompt: str, old: int, new: int) -> str:
    """A planned prompt with its framing words changed from `old`'s to `new`'s (build_prompt writes
    them after the style's lead); a prompt without them (the user's own) is returned as it is."""
    head, found, tail = prompt.partition(f", {_FRAMING_WORDS.get(old, 'shot')}")
    return f"{head}, {_FRAMING_WORDS.get(new, 'shot')}{tail}" if found else prompt


def negative_prompt(style: Style) -> str:
    return f"{BASE_NEGATIVE}, {style.negative}"
