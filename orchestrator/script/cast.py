"""Cast overrides: what a user says about a character, laid over what the script says.

A film's cast is the bible inferred from the script (orchestrator.script.bible) with the user's
overrides applied: at CreateFilm (Film.cast, before the shots are planned, so every prompt carries
them) and later through UpdateCharacter. Everything here is pure and checks what it is handed, so a
bad override is refused with INVALID_ARGUMENT naming its field before anything is stored."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from filmstudio import tensors
from filmstudio.errors import InvalidArgument
from filmstudio.v1 import script_pb2
from orchestrator.script import bible

# The espeak-ng variants a voice may use (every espeak-ng install has them).
VOICE_VARIANTS = ("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5")
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{1,8})*")
MAX_TEXT = 400  # characters of a look field or description
# The look fields: changing one rewrites the description (unless the override gives one too).
LOOK_FIELDS = ("gender", "age", "hair", "wardrobe", "build", "skin")
# What an override may set; the rest of a Character (id, name, span, portrait) is the studio's.
SETTABLE = ("description", *LOOK_FIELDS, "voice", "seed", "reference_scale")


def find(characters: Sequence[script_pb2.Character], wanted: str) -> script_pb2.Character | None:
    """The character called `wanted`: its id ("char-maya"), or its name in any case ("Maya", "MAYA")."""
    folded = wanted.strip().casefold()
    for character in characters:
        if character.id == wanted or character.name.casefold() == folded:
            return character
    return None


def check_voice(voice: script_pb2.Voice, field: str) -> None:
    """InvalidArgument naming the voice field that no espeak-ng voice has."""
    if voice.variant and voice.variant not in VOICE_VARIANTS:
        raise InvalidArgument(f"{field}.variant {voice.variant!r} is not a voice; use one of {', '.join(VOICE_VARIANTS)}")
    if voice.language and not _LANGUAGE.fullmatch(voice.language):
        raise InvalidArgument(f"{field}.language {voice.language!r} is not an espeak-ng language such as 'en-us'")
    if not tensors.MIN_PITCH <= voice.pitch <= tensors.MAX_PITCH:
        raise InvalidArgument(f"{field}.pitch {voice.pitch} must be between {tensors.MIN_PITCH} and {tensors.MAX_PITCH}")
    if voice.words_per_minute and not (
            tensors.MIN_WORDS_PER_MINUTE <= voice.words_per_minute <= tensors.MAX_WORDS_PER_MINUTE):
        raise InvalidArgument(f"{field}.words_per_minute {voice.words_per_minute} must be between "
                              f"{tensors.MIN_WORDS_PER_MINUTE} and {tensors.MAX_WORDS_PER_MINUTE}")


def given_fields(override: script_pb2.Character) -> list[str]:
    """The settable fields an override gives (proto3: a field is given when it is not its default)."""
    return [name for name in SETTABLE if _is_set(override, name)]


def _is_set(message: script_pb2.Character, name: str) -> bool:
    if name == "voice":
        return message.HasField("voice")
    return getattr(message, name) != message.DESCRIPTOR.fields_by_name[name].default_value


def apply(character: script_pb2.Character, override: script_pb2.Character, fields: Iterable[str],
          field: str) -> script_pb2.Character:
    """A copy of `character` with `fields` of `override` set, checked; `field` names the override in
    messages ("film.cast[0]"). A look change without a description of its own rewrites the description."""
    fields = list(fields)
    for name in fields:
        if name not in SETTABLE:
            raise InvalidArgument(f"{field}: {name!r} cannot be set; settable fields: {', '.join(SETTABLE)}")
    out = script_pb2.Character()
    out.CopyFrom(character)
    for name in fields:
        if name == "voice":
            voice = script_pb2.Voice()
            voice.CopyFrom(character.voice)
            voice.MergeFrom(override.voice)  # sets the parts it gives (proto3: not 0 or "")
            check_voice(voice, f"{field}.voice")
            out.voice.CopyFrom(voice)
        elif name == "reference_scale":
            if not 0.0 <= override.reference_scale <= tensors.MAX_REFERENCE_SCALE:
                raise InvalidArgument(f"{field}.reference_scale {override.reference_scale:g} must be between 0 and "
                                      f"{tensors.MAX_REFERENCE_SCALE:g}")
            out.reference_scale = override.reference_scale
        elif name == "gender":
            if override.gender not in script_pb2.Gender.values():
                raise InvalidArgument(f"{field}.gender {override.gender} is not a Gender")
            out.gender = override.gender
        else:
            value = getattr(override, name)
            if isinstance(value, str):
                value = " ".join(value.split())
                if len(value) > MAX_TEXT:
                    raise InvalidArgument(f"{field}.{name} is {len(value)} characters; at most {MAX_TEXT}")
            setattr(out, name, value)
    if "gender" in fields and "voice" not in fields:
        out.voice.CopyFrom(bible.voice_for(out.gender, out.seed, out.voice.language, out.age))
    if any(name in LOOK_FIELDS for name in fields) and "description" not in fields:
        out.description = bible.describe(out)
    return out


def apply_overrides(characters: Sequence[script_pb2.Character], overrides: Sequence[script_pb2.Character],
                    field: str = "film.cast") -> list[script_pb2.Character]:
    """The cast with each override applied to the character it names (by Character.id, or by name in
    any case). InvalidArgument naming the override for a character not in the script, two overrides
    of one character, or a field out of range."""
    cast = list(characters)
    claimed: dict[str, int] = {}
    for index, override in enumerate(overrides):
        where = f"{field}[{index}]"
        wanted = override.id or override.name
        if not wanted.strip():
            raise InvalidArgument(f"{where}: name the character (name or id)")
        character = find(cast, wanted)
        if character is None:
            known = ", ".join(c.name for c in cast) or "none"
            raise InvalidArgument(f"{where}: no character {wanted!r} in the script; its characters: {known}")
        if character.id in claimed:
            raise InvalidArgument(f"{where}: {wanted!r} is the character {field}[{claimed[character.id]}] "
                                  f"overrides already ({character.name}); give one entry per character")
        claimed[character.id] = index
        position = next(i for i, c in enumerate(cast) if c.id == character.id)
        cast[position] = apply(character, override, given_fields(override), where)
    return cast
