"""The character bible, seeds and image prompts: everything that must look the same in every shot."""

from __future__ import annotations

from dataclasses import dataclass

from filmstudio.seeds import stable_seed
from filmstudio.v1 import script_pb2
from orchestrator.script.draft import ACTION, DIALOGUE, Draft


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

# Looks for characters the script does not describe; picked by seed so they never change.
_AGES = ("in their twenties", "in their thirties", "in their forties", "in their fifties", "in their sixties")
_HAIR = ("short dark hair", "long black hair", "curly red hair", "grey hair", "cropped blond hair",
         "braided brown hair", "shaved head", "wavy auburn hair")
_CLOTHES = ("a navy wool coat", "a yellow raincoat", "a worn leather jacket", "a green knit sweater",
            "a white linen shirt", "a grey suit", "a red scarf and dark coat", "denim overalls")

_MALE_WORDS = frozenset(("he", "him", "his", "himself", "man", "boy", "father", "brother", "son", "mr."))
_FEMALE_WORDS = frozenset(("she", "her", "hers", "herself", "woman", "girl", "mother", "sister", "daughter", "mrs.", "ms."))
# What a person is called outweighs the pronouns around: "her young nephew" is a man.
_MALE_NOUNS = frozenset(("man", "boy", "father", "brother", "son", "nephew", "uncle", "husband", "grandfather",
                         "grandson", "king", "prince", "sir", "gentleman", "mr.", "mr"))
_FEMALE_NOUNS = frozenset(("woman", "girl", "mother", "sister", "daughter", "niece", "aunt", "wife", "grandmother",
                           "granddaughter", "queen", "princess", "lady", "mrs.", "mrs", "ms.", "ms"))


def character_id(name: str) -> str:
    """"char-<slug>" from a cue name: lower case, letters and digits kept (any script), others to "-"."""
    slug = "".join(c if c.isalnum() else "-" for c in name.lower())
    slug = "-".join(part for part in slug.split("-") if part)
    return f"char-{slug or 'unnamed'}"


def _words(text: str) -> list[str]:
    return [w.strip(".,;:!?\"'()") for w in text.lower().split()]


_PUNCTUATION = ".,;:!?\"'()[]\u201c\u201d\u2018\u2019"
MAX_NAME_WORDS = 3


def name_grams(text: str, upper: bool) -> dict[str, int]:
    """Every run of 1-3 words in text (punctuation trimmed) -> its word index; upper-cases them if asked.

    Finding names through this table keeps the search linear in the text, however many names."""
    words = [word.strip(_PUNCTUATION) for word in text.split()]
    if upper:
        words = [word.upper() for word in words]
    grams: dict[str, int] = {}
    for index in range(len(words)):
        for size in range(1, MAX_NAME_WORDS + 1):
            if index + size > len(words):
                break
            grams.setdefault(" ".join(words[index : index + size]), index)
    return grams


def _introductions(names: list[str], draft: Draft) -> dict[str, tuple[str, str, int, int]]:
    """For each name, upper-cased: (description, pronoun sex "m"/"f"/"", line, column) from the first
    action naming it.

    Fountain introduces a character in capitals ("MAYA (60s), a keeper..."); prose by name, and its
    cues are the names upper-cased ("MAREN" for "Maren")."""
    prose = draft.format == script_pb2.SCRIPT_FORMAT_PROSE
    wanted = {name.upper(): name.upper() for name in names}
    found: dict[str, tuple[str, str, int, int]] = {}
    for scene in draft.scenes:
        for beat in scene.beats:
            if beat.kind != ACTION or len(found) == len(wanted):
                continue
            words = beat.text.split()
            grams = name_grams(beat.text, upper=False)
            for gram, index in sorted(grams.items(), key=lambda item: item[1]):
                name = wanted.get(gram.upper() if prose else gram)
                if name is None or name in found:
                    continue
                size = gram.count(" ") + 1
                after = " ".join(words[index + size :])
                end = after.find(". ")
                sentence = after if end < 0 else after[: end + 1]
                description = " ".join(sentence.strip(" ,").split()[:24]).rstrip(".")
                near = [w.strip(_PUNCTUATION).lower() for w in words[index : index + 40]]
                male = sum(w in _MALE_WORDS for w in near) + 3 * sum(w in _MALE_NOUNS for w in near[:8])
                female = sum(w in _FEMALE_WORDS for w in near) + 3 * sum(w in _FEMALE_NOUNS for w in near[:8])
                sex = "f" if female > male else "m" if male > female else ""
                found[name] = (description, sex, beat.line, beat.column)
    return found


def build_bible(draft: Draft, film_seed: int) -> list[script_pb2.Character]:
    """One Character per speaker (in order of first cue), described, voiced and seeded."""
    characters: list[script_pb2.Character] = []
    seen: set[str] = set()
    first_cues = [
        (beat.character, beat.line, beat.column)
        for scene in draft.scenes for beat in scene.beats if beat.kind == DIALOGUE
    ]
    first_cues += [(name, 0, 0) for name in draft.extra_characters]
    introductions = _introductions(list(dict.fromkeys(cue for cue, _, _ in first_cues)), draft)
    for cue, cue_line, cue_column in first_cues:
        key = character_id(cue)
        if key in seen:
            continue
        seen.add(key)
        description, sex, line, column = introductions.get(cue.upper(), ("", "", 0, 0))
        seed = stable_seed(film_seed, "character", key)
        if not sex:
            sex = "fm"[seed % 2]
        person = {"f": "a woman", "m": "a man"}[sex]
        name = cue.title() if cue.isupper() else cue
        if description.startswith("(") and ")" in description:
            age, _, rest = description[1:].partition(")")  # "(60s), a keeper" -> "aged 60s, a keeper"
            description = f"aged {age.strip()}{rest}"
        if description:
            # The script's own words win; invented details could contradict them.
            full = f"{name}, {person}, {description}"
        else:
            full = (
                f"{name}, {person} {_AGES[seed % len(_AGES)]}, {_HAIR[(seed >> 4) % len(_HAIR)]}, "
                f"wearing {_CLOTHES[(seed >> 8) % len(_CLOTHES)]}"
            )
        variants = ("f1", "f2", "f3", "f4", "f5") if sex == "f" else ("m1", "m2", "m3", "m4", "m5", "m7")
        voice = script_pb2.Voice(
            language="en-us",
            variant=variants[(seed >> 16) % len(variants)],
            pitch=(52 + (seed >> 12) % 24) if sex == "f" else (28 + (seed >> 12) % 24),
            words_per_minute=145 + (seed >> 20) % 41,  # 145-185
        )
        span_line, span_column = (line, column) if line else (cue_line, cue_column)
        characters.append(script_pb2.Character(
            id=key, name=cue, description=full, voice=voice, seed=seed,
            span=script_pb2.SourceSpan(line=span_line, column=span_column, end_line=span_line),
        ))
    return characters


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


def negative_prompt(style: Style) -> str:
    return f"{BASE_NEGATIVE}, {style.negative}"
