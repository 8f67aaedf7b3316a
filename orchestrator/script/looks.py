"""A character's look in words: what the script says of their gender, age, hair, wardrobe, build and
skin, read from the words that introduce them ("MAREN (40s), a tall woman with long black hair in a
yellow raincoat, ...") and from the name itself ("MRS. PATEL", "OLD MAN", "LITTLE ANNIE").

Only words the script writes are kept, and only from the introduction's appositive (the phrases
between commas that follow the name) or, for hair, clothes and skin, which have nouns of their own,
the rest of its sentence up to the next person. Everything is table look-ups over a bounded number
of words, so reading stays linear in the script.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FEMALE, MALE = "f", "m"

_PUNCTUATION = ".,;:!?\"'()[]{}\u201c\u201d\u2018\u2019\u00ab\u00bb\u2014\u2013\u2026*_"

# Words in a cue name that say who someone is: "MRS. PATEL", "AUNT MAY", "FATHER BROWN". Decisive.
FEMALE_TITLES = frozenset(
    "mrs ms miss madam madame mme mlle dame lady aunt auntie aunty grandma granny gran nana grandmother "
    "sister queen princess duchess empress mother mom mum mama ma sra senora signora frau".split())
MALE_TITLES = frozenset(
    "mr sir lord uncle grandpa grandad granddad grandfather brother king prince duke emperor father dad "
    "papa pa sr senor signor herr monsieur fr".split())
# What a person is called: "an old man", "the girl", "her young nephew".
FEMALE_NOUNS = frozenset(
    "woman women girl lady mother daughter wife widow bride grandmother granddaughter niece aunt sister "
    "queen princess duchess empress waitress actress hostess stewardess seamstress nun girlfriend mum mom "
    "landlady policewoman businesswoman housewife schoolgirl matriarch heroine maid gal lass goddess "
    "grandma granny".split())
MALE_NOUNS = frozenset(
    "man men boy gentleman guy father son husband widower groom grandfather grandson nephew uncle brother "
    "king prince duke emperor waiter monk priest boyfriend dad landlord policeman businessman fisherman "
    "schoolboy patriarch hero lad fellow bloke chap grandpa".split())
CHILD_NOUNS = frozenset("girl boy child kid toddler baby infant schoolgirl schoolboy lad lass".split())
PERSON_NOUNS = FEMALE_NOUNS | MALE_NOUNS | frozenset("child kid toddler baby person stranger figure".split())
SHE = frozenset(("she", "her", "hers", "herself"))
HE = frozenset(("he", "him", "his", "himself"))
# Common English given names, as weaker evidence than anything the script says of the person.
# Names given to both (Sam, Alex, Jo, Chris, Robin, Jordan, ...) are left out.
FEMALE_NAMES = frozenset(
    "annie anna anne ann may mary maria marie sarah emma elena ellen eleanor maya lucy rose rosa grace jane "
    "alice clara eva eve helen kate katie laura lisa linda margaret maggie nora olivia ruth sophie sophia "
    "susan julia emily hannah nina zoe amy elizabeth beth jessica meg molly diana irene vera greta ingrid "
    "priya fatima aisha martha betty dorothy joan judy carol nancy karen sue ella isabel isabella "
    "chloe charlotte amelia mia lily ada edith agnes marta ines".split())
MALE_NAMES = frozenset(
    "al john james jim tom thomas peter paul david michael mike jack joe joseph bob bill frank george henry "
    "harry william robert richard charles edward arthur walter harold albert carl eric oscar leo hugo ivan "
    "jonas tomas marco luis carlos pedro ahmed omar raj hans karl theo ben dan daniel mark steve tony victor "
    "nick luke matt larry gary fred ted ray roy joel adam noah simon martin stan ernie".split())

# Look words.
_ARTICLES = frozenset(("a", "an", "the"))
_POSSESSIVES = frozenset(("her", "his", "their", "its", "my", "our", "your"))
_TRIGGERS = frozenset("with in wearing dressed and or of under over carrying holding".split())
GARMENTS = frozenset(
    "coat raincoat overcoat jacket sweater jumper cardigan shirt t-shirt blouse dress gown suit tuxedo uniform "
    "apron overalls dungarees jeans trousers pants skirt shorts scarf shawl hat cap beanie beret bonnet hood "
    "hoodie vest waistcoat robe bathrobe cloak cape oilskin parka anorak mac poncho fleece tracksuit boots "
    "shoes sneakers trainers sandals gloves glasses spectacles sunglasses tie kimono sari hijab headscarf "
    "turban blazer pyjamas pajamas nightgown tunic wetsuit veil jersey armour armor helmet mittens".split())
_HAIR_NOUNS = frozenset("hair beard moustache mustache stubble braids braid ponytail bun dreadlocks curls "
                        "mohawk fringe bangs locks".split())
_HEAD_WORDS = frozenset(("shaved", "shaven", "bald", "buzzed"))  # "shaved head" is hair
BUILD_WORDS = frozenset(
    "tall short stocky slight slim thin skinny lanky heavyset heavy-set burly broad-shouldered muscular "
    "petite plump stout wiry portly frail hunched stooped gaunt willowy athletic chubby fat overweight lean "
    "bony big large small tiny hulking towering giant scrawny brawny stooping".split())
SKIN_WORDS = frozenset("pale tanned sunburnt sunburned freckled weathered wrinkled ruddy leathery "
                       "sun-weathered weather-beaten wizened".split())
_AGE_WORDS = {
    "old": "old", "elderly": "elderly", "aged": "elderly", "ancient": "old", "aging": "old", "ageing": "old",
    "young": "young", "youthful": "young", "little": "little", "teenage": "teenage", "teenaged": "teenage",
    "adolescent": "teenage", "middle-aged": "middle-aged", "child": "child", "kid": "child",
    "toddler": "child", "baby": "child", "infant": "child",
}
_NUMBERS = {word: value for value, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_NUMBERS.update({word: 10 * (index + 2) for index, word in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split())})
_DECADES = {word[:-1] + "ies": value for word, value in _NUMBERS.items() if value >= 20 and word.endswith("y")}
_AGE_QUALIFIERS = ("early", "mid", "late")


def bare(word: str) -> str:
    """A word in lower case without the punctuation around it or a possessive 's."""
    word = word.strip(_PUNCTUATION).lower()
    if word.endswith(("'s", "\u2019s")):
        word = word[:-2]
    return word


def title_gender(words: list[str]) -> str:
    """"f"/"m" when a name's words say it ("MRS. PATEL", "AUNT MAY", "OLD MAN"); "" otherwise."""
    for word in (bare(w) for w in words):
        if word in FEMALE_TITLES or word in FEMALE_NOUNS:
            return FEMALE
        if word in MALE_TITLES or word in MALE_NOUNS:
            return MALE
    return ""


def given_name_gender(words: list[str]) -> str:
    """"f"/"m" from the first common given name among a name's words ("LITTLE ANNIE", "BIG AL")."""
    for word in (bare(w) for w in words):
        if word in FEMALE_NAMES:
            return FEMALE
        if word in MALE_NAMES:
            return MALE
    return ""


def strip_titles(words: list[str]) -> list[str]:
    """A name without the titles and epithets before it: "MRS. PATEL" -> ["PATEL"]; a name that is
    nothing else ("OLD MAN") is kept whole."""
    start = 0
    while start < len(words) - 1 and (bare(words[start]) in FEMALE_TITLES or bare(words[start]) in MALE_TITLES
                                      or bare(words[start]) in _AGE_WORDS or bare(words[start]) in BUILD_WORDS):
        start += 1
    return words[start:]


def generic_name(words: list[str]) -> bool:
    """Whether a name only says what someone is ("OLD MAN", "YOUNG WOMAN", "GIRL"), not who."""
    return bool(words) and all(
        bare(w) in PERSON_NOUNS or bare(w) in _AGE_WORDS or bare(w) in BUILD_WORDS for w in words)


def number(word: str) -> int | None:
    """"40", "forty", "forty-five", "sixty" -> the number; None if it is none."""
    if word.isdigit() and len(word) <= 3:
        return int(word)
    tens, _, ones = word.partition("-")
    if tens in _NUMBERS and (not ones or (ones in _NUMBERS and _NUMBERS[ones] < 10 and _NUMBERS[tens] >= 20)):
        return _NUMBERS[tens] + (_NUMBERS[ones] if ones else 0)
    return None


def decade(word: str) -> str:
    """"40s", "forties", "mid-40s", "mid-forties", "late 20s" (joined) -> "40s", "mid-40s"; "" if not one."""
    qualifier = ""
    for prefix in _AGE_QUALIFIERS:
        if word.startswith(prefix + "-"):
            qualifier, word = prefix + "-", word[len(prefix) + 1:]
            break
    if word.endswith("s") and word[:-1].isdigit() and len(word) <= 4:
        return qualifier + word
    if word.endswith("'s") and word[:-2].isdigit():
        return qualifier + word[:-2] + "s"
    if word in _DECADES:
        return f"{qualifier}{_DECADES[word]}s"
    return ""


def age_in(words: list[str]) -> str:
    """The age a run of words states, the most precise first: "70-year-old" or "aged 70" or "of
    sixty" -> "70"/"60"; "in her 40s", "(mid-forties)" -> "40s"/"mid-40s"; "old", "teenage" -> the
    word; "" if none."""
    plain = [bare(w) for w in words]
    exact = decades = adjective = ""
    for index, word in enumerate(plain):
        before = plain[index - 1] if index else ""
        if word.endswith("-year-old") or word.endswith("-years-old"):
            value = number(word.partition("-year")[0])
            if value is not None:
                exact = exact or str(value)
            continue
        if word in ("year", "years") and index + 1 < len(plain) and plain[index + 1] == "old" and before:
            value = number(before)
            if value is not None:
                exact = exact or str(value)
            continue
        if before in _AGE_QUALIFIERS and decade(word):
            decades = decades or f"{before}-{decade(word)}"
            continue
        if decade(word):
            decades = decades or decade(word)
            continue
        value = number(word)
        if value is not None and (before in ("aged", "age", "of") or len(plain) == 1) and 0 < value < 120:
            exact = exact or str(value)
            continue
        if word in _AGE_WORDS and not (word == "aged" and index + 1 < len(plain)
                                       and number(plain[index + 1]) is not None):
            if not (word == "old" and before in ("years", "year")):
                adjective = adjective or _AGE_WORDS[word]
    return exact or decades or adjective


def years(age: str) -> int | None:
    """Roughly how old an age in words is: "70s" -> 75, "40" -> 40, "old" -> 72, "little" -> 8."""
    word = age.lower().strip()
    for prefix, shift in (("early-", -3), ("mid-", 0), ("late-", 3)):
        if word.startswith(prefix):
            found = years(word[len(prefix):])
            return None if found is None else found + shift
    if word.endswith("s") and word[:-1].isdigit():
        return int(word[:-1]) + 5
    if word.isdigit():
        return int(word)
    return {"old": 72, "elderly": 75, "young": 24, "little": 8, "child": 8, "teenage": 15,
            "middle-aged": 50}.get(word)


@dataclass
class Introduction:
    """What an introduction says of a character, in the script's words."""

    gender: str = ""  # from a person noun ("a woman", "her nephew"): strong evidence
    age: str = ""
    hair: list[str] = field(default_factory=list)
    wardrobe: list[str] = field(default_factory=list)
    build: list[str] = field(default_factory=list)
    skin: list[str] = field(default_factory=list)
    remark: str = ""  # the appositive's words that are none of the above ("a weathered keeper")
    child: bool = False  # called a girl, boy or child

    def merge(self, more: Introduction) -> None:
        """Adds what a following sentence says ("He was a stocky man with a shaved head.")."""
        self.gender = self.gender or more.gender
        self.age = self.age or more.age
        for mine, theirs in ((self.hair, more.hair), (self.wardrobe, more.wardrobe), (self.build, more.build),
                             (self.skin, more.skin)):
            mine += [phrase for phrase in theirs if phrase not in mine]
        self.remark = ", ".join(part for part in (self.remark, more.remark) if part)
        self.child = self.child or more.child


def read_introduction(before: list[str], after: list[str]) -> Introduction:
    """Reads the words before a name in its sentence (["An", "old"] of "An old MAN") and after it
    to the sentence's end or the next person (["(70s),", "a", "tall", "woman", ...])."""
    found = Introduction()
    _read_before(before, found)
    words = list(after)
    start, opened = 0, False
    if words and words[0] == ",":  # the comma was on the name: "MAREN, a tall woman"
        start, opened = 1, True
    if start < len(words) and words[start].startswith("("):
        end = next((i for i in range(start, min(len(words), start + 6)) if words[i].rstrip(",.;:").endswith(")")), -1)
        if end >= 0:
            found.age = age_in(words[start : end + 1]) or found.age
            opened = words[end].endswith(",")
            start = end + 1
    appositive = _appositive(words, start) if opened else start
    consumed = _looks(words, found)
    apposed = words[start:appositive]
    age = age_in(apposed)
    if age and (not found.age or found.age in _AGE_WORDS.values() and age not in _AGE_WORDS.values()):
        found.age = age
    for index in range(start, appositive):
        word = bare(words[index])
        if index in consumed:
            continue
        if word in FEMALE_NOUNS or word in MALE_NOUNS:
            found.gender = found.gender or (FEMALE if word in FEMALE_NOUNS else MALE)
            found.child = found.child or word in CHILD_NOUNS
            consumed.add(index)
        elif word in CHILD_NOUNS:
            found.child = True
            consumed.add(index)
        elif word in BUILD_WORDS:
            found.build.append(word)
            consumed.add(index)
        elif word in SKIN_WORDS:
            found.skin.append(word)
            consumed.add(index)
        elif word in ("person", "figure"):
            consumed.add(index)
        elif _is_age_word(words, index, apposed, start):
            consumed.add(index)
    found.remark = _remark(words[start:appositive], {i - start for i in consumed if start <= i < appositive})
    if found.child and found.age in ("", "young"):
        found.age = "child"
    return found


def _read_before(before: list[str], found: Introduction) -> None:
    """"A young woman, ANNA" or "her brother TOM": the phrase just before the name, when it ends in a
    person noun, says who they are."""
    phrase: list[str] = []
    for raw in reversed(before[-5:]):
        word = bare(raw)
        phrase.insert(0, word)
        if word in _ARTICLES or word in _POSSESSIVES:
            break
    if not phrase or phrase[-1] not in PERSON_NOUNS:
        return
    last = phrase[-1]
    if last in FEMALE_NOUNS or last in MALE_NOUNS:
        found.gender = FEMALE if last in FEMALE_NOUNS else MALE
    found.child = last in CHILD_NOUNS
    found.age = age_in(phrase) or found.age
    found.build += [w for w in phrase if w in BUILD_WORDS]
    found.skin += [w for w in phrase if w in SKIN_WORDS]


def _is_age_word(words: list[str], index: int, apposed: list[str], start: int) -> bool:
    """Whether words[index] is part of how the appositive states the age ("in her 40s", "aged 70")."""
    word = bare(words[index])
    following = bare(words[index + 1]) if index + 1 < len(words) else ""
    if word in _AGE_WORDS or word.endswith(("-year-old", "-years-old")) or decade(word):
        return True
    if word in ("year", "years", "old") and age_in(apposed):
        return True
    if number(word) is not None or word in _AGE_QUALIFIERS:
        return True
    return word in ("in", "aged", "of", "her", "his", "their") and (
        decade(following) or following in _AGE_QUALIFIERS or number(following) is not None)


def _appositive(words: list[str], start: int) -> int:
    """Where the appositive that starts at words[start] ends: the comma-separated phrases that
    describe rather than act ("a tall woman, long black hair," but not "climbs the stairs")."""
    index = end = start
    while index < len(words):
        if not _describes(bare(words[index])):
            break
        while index < len(words) and not words[index].endswith((",", ";", ".", "!", "?")):
            index += 1
        index += 1
        end = min(index, len(words))
        if words[end - 1].endswith((".", "!", "?", ";")):
            break
    return end


def _describes(first: str) -> bool:
    return (
        first in _ARTICLES or first in _POSSESSIVES or first in ("with", "in", "wearing", "dressed", "aged", "all")
        or first in BUILD_WORDS or first in SKIN_WORDS or first in _AGE_WORDS or first in _HAIR_NOUNS
        or first in _HEAD_WORDS or first in GARMENTS or first in PERSON_NOUNS or first in _COLOURS
        or first in _HAIR_STYLE or first.endswith(("-haired", "-skinned", "-year-old", "-eyed", "-shouldered"))
        or number(first) is not None or bool(decade(first)) or first in _AGE_QUALIFIERS
    )


_COLOURS = frozenset(
    "black white grey gray silver red blue green yellow orange pink purple brown blond blonde auburn ginger "
    "dark fair navy crimson scarlet golden beige tan khaki olive maroon violet".split())
_HAIR_STYLE = frozenset("long short cropped curly wavy straight braided shaved shaven bald thinning greying "
                        "graying messy tousled slicked cropped spiky frizzy thick".split())


def _looks(words: list[str], found: Introduction) -> set[int]:
    """Hair, clothes and skin phrases anywhere in the words ("long black hair", "a shaved head",
    "in a yellow raincoat", "pale skin", "grey-haired"); the indices they take."""
    consumed: set[int] = set()
    index = 0
    while index < len(words):
        word = bare(words[index])
        if word.endswith("-haired"):
            found.hair.append(word[: -len("-haired")].replace("-", " ") + " hair")
            consumed.add(index)
        elif word.endswith("-skinned"):
            found.skin.append(word[: -len("-skinned")].replace("-", " ") + " skin")
            consumed.add(index)
        elif word == "bearded":
            found.hair.append("a beard")
            consumed.add(index)
        elif word == "bald" and not (index + 1 < len(words) and bare(words[index + 1]) == "head"):
            found.hair.append("bald")
            consumed.add(index)
        elif word in _HAIR_NOUNS or (word == "head" and index and bare(words[index - 1]) in _HEAD_WORDS):
            index = _phrase(words, index, _HAIR_NOUNS, found.hair, consumed, keep_article=word not in ("hair",))
        elif word in GARMENTS:
            index = _phrase(words, index, GARMENTS, found.wardrobe, consumed, keep_article=True)
        elif word in ("skin", "complexion", "freckles"):
            index = _phrase(words, index, frozenset(), found.skin, consumed, keep_article=False)
        index += 1
    for hair in list(found.hair):
        if hair.startswith(("a shaved head", "a shaven head", "a bald head", "a buzzed head")):
            found.hair[found.hair.index(hair)] = hair[2:]
    return consumed


def _phrase(words: list[str], index: int, nouns: frozenset[str], into: list[str], consumed: set[int],
            keep_article: bool) -> int:
    """The noun phrase ending at words[index] (and any further nouns of its kind: "oilskin coat"):
    its modifiers back to an article, possessive or trigger word, at most four. Returns its last index."""
    last = index
    while last + 1 < len(words) and bare(words[last + 1]) in nouns and not words[last].endswith(","):
        last += 1
    first = index
    while first > 0 and index - first < 4:
        previous = words[first - 1]
        word = bare(previous)
        if (previous.endswith((",", ".", ";", ":", "!", "?")) or word in _TRIGGERS or word in _POSSESSIVES
                or word in _ARTICLES or word in SHE or word in HE or not word or word in PERSON_NOUNS
                or word in BUILD_WORDS and word not in _HAIR_STYLE or (first - 1) in consumed):
            break
        first -= 1
    article = ""
    if first > 0:
        word = bare(words[first - 1])
        if word in _ARTICLES and word != "the":
            article = word
            consumed.add(first - 1)
        elif word in _POSSESSIVES or word == "the":
            article = "" if bare(words[last]).endswith("s") and bare(words[last]) not in ("dress", "glasses") else "a"
            if bare(words[last]) in ("glasses", "sunglasses", "spectacles", "trousers", "jeans", "pants",
                                     "overalls", "shorts", "pyjamas", "pajamas", "dungarees"):
                article = ""
    phrase = " ".join(bare(w) for w in words[first : last + 1])
    if keep_article and article:
        phrase = f"{with_article(phrase) if article in ('a', 'an') else phrase}"
    consumed.update(range(first, last + 1))
    if phrase not in into:
        into.append(phrase)
    return last


def with_article(phrase: str) -> str:
    """"a" or "an" before a phrase, by its first sound as far as spelling tells: "an old man", "an
    80-year-old", "a yellow raincoat"."""
    first = phrase.split()[0] if phrase.split() else ""
    vowel = first[:1] in "aeiou" and first[:1] != "" and not first.startswith(("uni", "use", "one"))
    vowel = vowel or first.startswith(("8", "11-", "18-", "11 ", "18 ", "hour", "honest"))
    vowel = vowel or first in ("11", "18")
    return f"{'an' if vowel else 'a'} {phrase}"


def _remark(words: list[str], consumed: set[int]) -> str:
    """The appositive's words that are no look field, tidied: "a weathered keeper in a yellow
    oilskin coat" with the coat and "weathered" taken -> "a keeper"."""
    kept: list[str] = []
    for index, raw in enumerate(words):
        if index in consumed:
            # A phrase taken out leaves a gap ("a limp" after "long black hair and") where a word
            # taken out ("a weathered keeper") does not.
            if index + 1 in consumed and kept and kept[-1] != ",":
                kept.append(",")
            continue
        word = raw.strip(_PUNCTUATION)
        if word:
            kept.append(word if not word.isupper() or len(word) == 1 else word.lower())
        if raw.endswith((",", ";")) and kept and kept[-1] != ",":
            kept.append(",")
    pieces: list[str] = []
    for piece in " ".join(kept).split(","):
        tokens = piece.split()
        # Words left dangling once their phrase is taken: "with", "and", "in a", "wearing".
        while tokens and tokens[-1].lower() in _TRIGGERS | _ARTICLES | _POSSESSIVES | {"wearing", "dressed"}:
            tokens.pop()
        while tokens and tokens[0].lower() in _TRIGGERS | {"wearing", "dressed"}:
            tokens.pop(0)
        if tokens and tokens[0].lower() in _ARTICLES | _POSSESSIVES and len(tokens) == 1:
            tokens = []
        if tokens and tokens[0].lower() in ("a", "an") and len(tokens) > 1:
            tokens = with_article(" ".join(tokens[1:])).split()
        if tokens and any(t.isalpha() for t in tokens):
            pieces.append(" ".join(tokens))
    return ", ".join(pieces)
