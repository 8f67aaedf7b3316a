"""A cast entry's look in words, read for the storyboard's figures (inference.figures): hair colour and
length, skin, build, wardrobe colours, age and gender.

Each attribute is read first from the Character field that owns it (`hair`, `skin`, `build`,
`wardrobe`, `age`, `gender`), then from the other fields, then from the free-text `description`.
What none of them says stays None, and the figure falls back to the character's seed. So a user who
edits one field ("long black hair" -> "shaved head") changes exactly that part of the drawing.

In a field, bare words count ("black" in `hair` is the hair's colour); in other text only a clause
that names the part does ("long black hair, a yellow raincoat": black is the hair, yellow the coat).
"""

from __future__ import annotations

import dataclasses
import re

from filmstudio.v1 import script_pb2
from inference.palette import RGB, mix
from inference.setpieces import COLOURS as _PIECE_COLOURS

# Colour words for clothes (the set pieces' colours and more).
CLOTH: dict[str, RGB] = {
    **_PIECE_COLOURS,
    "scarlet": (200, 30, 30), "maroon": (110, 25, 35), "burgundy": (110, 25, 45), "teal": (20, 120, 125),
    "turquoise": (40, 175, 175), "beige": (210, 190, 155), "tan": (190, 150, 100), "khaki": (180, 165, 115),
    "olive": (110, 115, 50), "charcoal": (55, 57, 62), "cream": (240, 230, 200), "ivory": (240, 235, 215),
    "mustard": (210, 165, 40), "lavender": (180, 160, 215), "violet": (130, 70, 180), "magenta": (200, 40, 140),
    "indigo": (50, 40, 120), "denim": (70, 100, 150), "camel": (190, 145, 90), "emerald": (20, 130, 80),
    "lilac": (195, 165, 210), "rust": (160, 75, 35), "plum": (100, 40, 80),
}
_SHADES = {"dark": 0.45, "deep": 0.35, "light": -0.45, "pale": -0.5, "bright": 0.0, "faded": -0.3}

HAIR_COLOURS: dict[str, RGB] = {
    "black": (22, 20, 22), "jet": (15, 14, 16), "dark": (45, 32, 25), "brunette": (75, 48, 30), "brown": (95, 62, 36),
    "chestnut": (110, 55, 30), "auburn": (140, 55, 30), "red": (165, 55, 25), "ginger": (190, 95, 40),
    "copper": (180, 90, 45), "strawberry": (210, 140, 90), "blonde": (220, 185, 110), "blond": (220, 185, 110),
    "fair": (215, 185, 125), "golden": (215, 165, 70), "sandy": (195, 160, 105), "platinum": (235, 230, 210),
    "grey": (165, 165, 168), "gray": (165, 165, 168), "greying": (120, 115, 112), "graying": (120, 115, 112),
    "silver": (195, 197, 202), "white": (232, 230, 225), "salt": (140, 138, 136), "pink": (235, 130, 170),
    "blue": (60, 100, 200), "green": (60, 150, 80), "purple": (120, 60, 160),
}
GREY_HAIR, WHITE_HAIR = HAIR_COLOURS["grey"], HAIR_COLOURS["white"]

SKINS: dict[str, RGB] = {
    "pale": (255, 228, 210), "fair": (250, 218, 192), "light": (245, 212, 185), "freckled": (248, 212, 185),
    "freckles": (248, 212, 185), "rosy": (245, 200, 180), "ruddy": (232, 172, 145), "olive": (205, 160, 115),
    "tan": (200, 148, 105), "tanned": (200, 148, 105), "golden": (215, 165, 115), "brown": (141, 96, 66),
    "dark": (96, 62, 42), "black": (80, 52, 36), "ebony": (70, 45, 32), "deep": (88, 58, 40),
}

# Hair words -> its length/shape: "none" (shaved, bald), "short", "long", "curly" (a halo), "bun" (tied up).
_HAIR_SHAPES = (("none", ("shaved head", "shaven head", "shaved", "bald", "hairless", "buzz cut", "skinhead")),
                ("curly", ("curly", "curls", "afro", "frizzy", "wild hair", "dreadlocks", "locs")),
                ("bun", ("bun", "ponytail", "pony tail", "tied back", "topknot")),
                ("long", ("long", "flowing", "shoulder-length", "braid", "braids", "plait", "mane")),
                ("short", ("short", "cropped", "crew cut", "pixie", "close-cropped", "buzzed", "crewcut")))
_HAIR_NOUNS = ("hair", "haired", "bald", "shaved head", "shaven head", "beard", "ponytail", "braids", "curls",
               "afro", "dreadlocks", "buzz cut", "crew cut", "bun", "locks", "mane")

_TALL = {"tall": 1.1, "towering": 1.15, "lanky": 1.1, "gangly": 1.08, "giant": 1.18, "short": 0.88,
         "tiny": 0.8, "petite": 0.9, "small": 0.92}
_WIDE = {"stocky": 0.4, "heavy": 0.41, "heavyset": 0.42, "burly": 0.42, "broad": 0.4, "big": 0.4, "fat": 0.43,
         "portly": 0.42, "plump": 0.4, "muscular": 0.38, "hulking": 0.44, "barrel-chested": 0.42, "stout": 0.41,
         "slight": 0.23, "slim": 0.24, "thin": 0.23, "skinny": 0.22, "wiry": 0.24, "slender": 0.24,
         "lean": 0.25, "gaunt": 0.22, "frail": 0.22, "willowy": 0.23, "petite": 0.23}

# Garments and what they are: "coat" long to the knees, "dress" a skirt to the calves, "top" to the
# hips, "legs" what the legs wear, "hat" on the head.
_GARMENTS = {
    "coat": ("raincoat", "coat", "overcoat", "trench coat", "trenchcoat", "parka", "anorak", "mac", "cloak",
             "cape", "greatcoat", "duster", "poncho", "lab coat", "robe"),
    "dress": ("dress", "gown", "sundress", "frock", "kimono", "sari", "habit"),
    "top": ("jacket", "blazer", "suit", "shirt", "t-shirt", "tee", "sweater", "jumper", "hoodie", "cardigan",
            "blouse", "uniform", "overalls", "apron", "vest", "waistcoat", "tunic", "top", "jersey",
            "fleece", "tank top", "scrubs", "leathers"),
    "legs": ("jeans", "trousers", "pants", "skirt", "shorts", "slacks", "leggings", "kilt", "chinos"),
    "hat": ("hat", "cap", "beanie", "fedora", "bowler", "beret", "helmet", "hood", "bonnet", "stetson", "turban",
            "headscarf", "top hat", "cowboy hat", "baseball cap", "trilby", "sou'wester", "hijab"),
}
_GARMENT_OF = {word: kind for kind, words in _GARMENTS.items() for word in words}
_DENIM = (65, 90, 140)  # jeans named without a colour are blue

_WORD = re.compile(r"[a-z]+(?:['-][a-z]+)*")
_CHILD = ("child", "kid", "little", "toddler", "baby", "infant", "schoolgirl", "schoolboy", "boy", "girl")
_OLD = {"elderly": 78, "old": 72, "aged": 74, "ancient": 85, "grey-haired": 68, "white-haired": 75,
        "old-timer": 75, "grandmother": 72, "grandfather": 72, "granny": 75, "grandpa": 74, "grandma": 74,
        "middle-aged": 48, "teen": 15, "teenage": 15, "teenager": 15, "adolescent": 15, "young": 24,
        "youthful": 24}
_FEMALE = ("woman", "women", "girl", "she", "her", "lady", "mrs", "ms", "miss", "mother", "aunt", "grandmother",
           "granny", "grandma", "sister", "daughter", "wife", "queen", "widow", "actress", "waitress", "nun")
_MALE = ("man", "men", "boy", "he", "his", "him", "gentleman", "mr", "father", "uncle", "grandfather", "grandpa",
         "brother", "son", "husband", "king", "widower", "actor", "waiter", "monk", "sir", "guy")


@dataclasses.dataclass(frozen=True)
class Look:
    """What a cast entry says a character looks like; None where it says nothing."""

    hair: RGB | None = None
    hair_shape: str | None = None  # "none", "short", "long", "curly" or "bun"
    skin: RGB | None = None
    freckles: bool | None = None
    width: float | None = None  # shoulder width relative to height
    height: float | None = None  # relative to the average adult
    coat: RGB | None = None  # what the body wears on top
    inner: RGB | None = None  # a shirt showing at the neck of a coat or jacket
    legs: RGB | None = None
    hat: RGB | None = None
    garment: str | None = None  # "coat", "dress" or "top": how far down the clothes come
    dressed: bool = False  # the text names clothes: no hat unless it names one
    age: float | None = None  # years
    gender: int = script_pb2.GENDER_UNSPECIFIED

    def over(self, other: Look) -> Look:
        """This look, with what it leaves unsaid taken from `other`."""
        fields = {}
        for f in dataclasses.fields(Look):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            fields[f.name] = mine if mine not in (None, False, script_pb2.GENDER_UNSPECIFIED) else theirs
        return Look(**fields)


_UNSET = {f.name: f.default for f in dataclasses.fields(Look)}


# Each Character field and the attributes it owns: a field that says anything owns its part outright,
# so an edited field is not patched with the (older) description's words.
_PARTS = {"hair": ("hair", "hair_shape"), "skin": ("skin", "freckles"), "build": ("width", "height"),
          "wardrobe": ("coat", "inner", "legs", "hat", "garment", "dressed"), "age": ("age",)}


def look_of(character: script_pb2.Character) -> Look:
    """The character's look: each part from its own field, else the other fields, else the description."""
    own = Look(
        **_hair(character.hair, bare=True), **_skin(character.skin, bare=True), **_build(character.build),
        **_wardrobe(character.wardrobe, bare=True), **_age(character.age, bare=True), gender=character.gender)
    others = read(" , ".join(getattr(character, part) for part in _PARTS))
    fallback = others.over(read(character.description))
    unset = {name: _UNSET[name] for part, names in _PARTS.items() if getattr(character, part).strip()
             for name in names}
    return own.over(dataclasses.replace(fallback, **unset))


def read(text: str) -> Look:
    """Whatever free text says of a look: clause by clause, each colour word given to the part it names."""
    parts: dict = {}
    for clause in re.split(r"[,;.()]|\band\b|\bwith\b|\bin\b|\bwearing\b", text.lower()):
        found = {**_hair(clause), **_skin(clause), **_build(clause), **_wardrobe(clause), **_age(clause)}
        for key, value in found.items():
            parts.setdefault(key, value)  # the first clause that says it wins
    return Look(**parts, gender=_gender(text))


def _words(text: str) -> list[str]:
    # "grey-haired", "dark-skinned": the part's word stands alone, so the clause names it.
    return _WORD.findall(re.sub(r"-(haired|skinned|headed)\b", r" \1", text.lower()))


def _phrases(words: list[str], vocabulary) -> list[tuple[int, str]]:
    """Where each vocabulary word or two-word phrase stands in `words`, the longer phrase first."""
    found, skip = [], -1
    for i in range(len(words)):
        if i <= skip:
            continue
        two = " ".join(words[i:i + 2])
        if len(words) > i + 1 and two in vocabulary:
            found.append((i, two))
            skip = i + 1
        elif words[i] in vocabulary:
            found.append((i, words[i]))
    return found


def _hair(text: str, bare: bool = False) -> dict:
    words = _words(text)
    if not words or not (bare or _phrases(words, _HAIR_NOUNS)):
        return {}
    out: dict = {}
    for shape, names in _HAIR_SHAPES:
        if _phrases(words, names):
            out["hair_shape"] = shape
            break
    if out.get("hair_shape") == "none":
        return out
    colours = [HAIR_COLOURS[w] for w in words if w in HAIR_COLOURS]
    if "salt" in words and "pepper" in words:
        colours = [HAIR_COLOURS["salt"]]
    if colours:
        out["hair"] = colours[0] if len(colours) == 1 or colours[0] != HAIR_COLOURS["dark"] else colours[1]
    return out


def _skin(text: str, bare: bool = False) -> dict:
    words = _words(text)
    said = bare or any(w in ("skin", "skinned", "complexion", "freckled", "freckles", "pale", "tanned")
                       for w in words)
    if not said:
        return {}
    out: dict = {}
    freckled = "freckled" in words or "freckles" in words
    if freckled:
        out["freckles"] = True
    tones = [w for w in words if w in SKINS]
    tones = [w for w in tones if w not in ("freckled", "freckles")] or tones  # "pale, freckled": pale
    if tones:
        out["skin"] = SKINS[tones[0]]
    return out


def _build(text: str) -> dict:
    words = _words(text)
    out: dict = {}
    if _phrases(words, _HAIR_NOUNS):
        return out  # "short black hair" is not a short person
    heights = [_TALL[w] for w in words if w in _TALL]
    widths = [_WIDE[w] for w in words if w in _WIDE]
    if heights:
        out["height"] = heights[0]
    if widths:
        out["width"] = widths[0]
    return out


def _cloth(words: list[str], at: int) -> RGB | None:
    """The colour named in the three words before a garment ("a dark navy wool coat"), shaded."""
    for j in range(at - 1, max(-1, at - 4), -1):
        if words[j] in CLOTH:
            colour = CLOTH[words[j]]
            shade = _SHADES.get(words[j - 1]) if j > 0 else None
            if shade:
                colour = mix(colour, (0, 0, 0) if shade > 0 else (255, 255, 255), abs(shade))
            return colour
        if words[j] in _GARMENT_OF:
            return None
    return None


def _wardrobe(text: str, bare: bool = False) -> dict:
    words = _words(text)
    garments = _phrases(words, _GARMENT_OF)
    if not garments:
        if bare:  # "yellow" alone in the wardrobe field: the clothes are yellow
            colours = [CLOTH[w] for w in words if w in CLOTH]
            return {"coat": colours[0], "dressed": True} if colours else {}
        return {}
    out: dict = {"dressed": True}
    rank = {"coat": 0, "dress": 1, "top": 2}
    for at, name in garments:
        kind = _GARMENT_OF[name]
        colour = _cloth(words, at)
        if name == "jeans" and colour is None:
            colour = _DENIM
        if kind == "hat":
            out.setdefault("hat", colour or (60, 50, 45))
        elif kind == "legs":
            if colour:
                out.setdefault("legs", colour)
        elif "garment" not in out or rank[kind] < rank[out["garment"]]:
            if "coat" in out and colour:
                out["inner"] = out["coat"]  # a coat over the shirt named first: the shirt shows at the neck
            out["garment"] = kind
            if colour:
                out["coat"] = colour
        elif colour:
            out.setdefault("inner", colour)
    return out


def _age(text: str, bare: bool = False) -> dict:
    text = text.lower()
    number = re.search(r"\b(\d{1,3})\s*(s\b|'s\b|-year|\s*years?\b|\s*yo\b)", text)
    if number is None and (bare or re.search(r"\b(aged?|age)\s+\d", text)):
        number = re.search(r"\b(\d{1,3})\b()", text)
    if number:
        years = float(number.group(1))
        if number.group(2) in ("s", "'s"):  # "70s": the middle of the decade
            years += 5
        if years < 110:
            return {"age": years}
    words = _words(text)
    if re.search(r"\b(early|mid|late)\s+(twenties|thirties|forties|fifties|sixties|seventies|eighties)\b", text) \
            or re.search(r"\b(twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b", text):
        decade = re.search(r"(twen|thir|for|fif|six|seven|eigh|nine)ties", text).group(1)
        tens = {"twen": 20, "thir": 30, "for": 40, "fif": 50, "six": 60, "seven": 70, "eigh": 80, "nine": 90}
        return {"age": tens[decade] + 5.0}
    for word in words:
        if word in _OLD:
            return {"age": float(_OLD[word])}
    if any(w in _CHILD for w in words):
        return {"age": 9.0}
    return {}


def _gender(text: str) -> int:
    words = set(_words(text))
    female, male = bool(words & set(_FEMALE)), bool(words & set(_MALE))
    if female != male:
        return script_pb2.GENDER_FEMALE if female else script_pb2.GENDER_MALE
    return script_pb2.GENDER_UNSPECIFIED
