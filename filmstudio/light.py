"""Time of day: the words a script uses for light, read into the scene graph's TimeOfDay once.

The one table of light words. Headings ("INT. GARAGE - NIGHT - 1995"), prose ("at dusk") and a bare
prompt are all read with it; everything after that (prompts, the storyboard's palettes) works from
the enum.
"""

from __future__ import annotations

import re

from filmstudio.v1 import script_pb2

T = script_pb2

# Words (upper case) and the light they name. Longer phrases first: "LATE NIGHT" before "NIGHT".
WORDS: dict[str, int] = {
    "EARLY MORNING": T.TIME_OF_DAY_DAWN, "LATE NIGHT": T.TIME_OF_DAY_NIGHT, "MAGIC HOUR": T.TIME_OF_DAY_GOLDEN_HOUR,
    "GOLDEN HOUR": T.TIME_OF_DAY_GOLDEN_HOUR, "FIRST LIGHT": T.TIME_OF_DAY_DAWN,
    "DAY": T.TIME_OF_DAY_DAY, "DAYTIME": T.TIME_OF_DAY_DAY, "NIGHT": T.TIME_OF_DAY_NIGHT,
    "NIGHTTIME": T.TIME_OF_DAY_NIGHT, "TONIGHT": T.TIME_OF_DAY_NIGHT, "MOONLIGHT": T.TIME_OF_DAY_NIGHT,
    "DAWN": T.TIME_OF_DAY_DAWN, "DAYBREAK": T.TIME_OF_DAY_DAWN, "SUNRISE": T.TIME_OF_DAY_SUNRISE,
    "MORNING": T.TIME_OF_DAY_MORNING, "NOON": T.TIME_OF_DAY_NOON, "MIDDAY": T.TIME_OF_DAY_NOON,
    "AFTERNOON": T.TIME_OF_DAY_AFTERNOON, "SUNSET": T.TIME_OF_DAY_SUNSET, "SUNDOWN": T.TIME_OF_DAY_SUNSET,
    "DUSK": T.TIME_OF_DAY_DUSK, "TWILIGHT": T.TIME_OF_DAY_TWILIGHT, "EVENING": T.TIME_OF_DAY_EVENING,
    "MIDNIGHT": T.TIME_OF_DAY_MIDNIGHT,
}
# Words that say the light has not changed since the scene before.
CONTINUITY = ("CONTINUOUS", "LATER", "MOMENTS LATER", "SAME", "SAME TIME", "SIMULTANEOUS", "CONT'D")

_WORD = re.compile(r"\b(" + "|".join(sorted((re.escape(w) for w in WORDS), key=len, reverse=True)) + r")\b")


def is_time_of_day(text: str) -> bool:
    """Whether a heading part names a time: a light ("NIGHT", "LATE NIGHT"), a continuity ("LATER",
    "MOMENTS LATER") or a day or night named otherwise ("THURSDAY", "SUNDAY MORNING", "TONIGHT")."""
    upper = " ".join(text.upper().split())
    return upper in WORDS or upper in CONTINUITY or upper.endswith(("LATER", "NIGHT", "DAY", "MORNING"))


def is_continuity(text: str) -> bool:
    upper = " ".join(text.upper().split())
    return upper in CONTINUITY or upper.endswith("LATER")


def light_in(text: str) -> int:
    """The first light word in the text (any case), or TIME_OF_DAY_UNSPECIFIED."""
    match = _WORD.search(text.upper())
    return WORDS[match.group(1)] if match else T.TIME_OF_DAY_UNSPECIFIED


def name(light: int) -> str:
    """"NIGHT" for TIME_OF_DAY_NIGHT, "GOLDEN HOUR" for TIME_OF_DAY_GOLDEN_HOUR; "" for unspecified."""
    if light == T.TIME_OF_DAY_UNSPECIFIED:
        return ""
    return T.TimeOfDay.Name(light).removeprefix("TIME_OF_DAY_").replace("_", " ")
