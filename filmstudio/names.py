"""Resource names (aip.dev/122): `films/{film}`, `films/{film}/shots/{shot}` and
`films/{film}/characters/{character}`, parsed and formatted
here and nowhere else. Ids are checked when a name is parsed, so everything past the API edge can
trust a film or shot id it is handed."""

from __future__ import annotations

import re

from filmstudio.errors import InvalidArgument

# A film id: 1-63 lowercase letters, digits and hyphens, starting with a letter, not ending in '-'.
FILM_ID = re.compile(r"[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?")
# A shot id as the planner makes them ("sc01-sh02"), with room for ids written by hand.
SHOT_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
# A character id as the bible makes them ("char-maya": letters and digits of any script, and hyphens).
CHARACTER_ID = re.compile(r"char-[\w-]{1,120}")
# A user id: what a verified token's subject may be.
MAX_USER_ID = 128


def film_name(film_id: str) -> str:
    return f"films/{film_id}"


def shot_name(film_id: str, shot_id: str) -> str:
    return f"films/{film_id}/shots/{shot_id}"


def character_name(film_id: str, character_id: str) -> str:
    return f"films/{film_id}/characters/{character_id}"


def check_film_id(film_id: str, field: str = "film_id") -> str:
    """The id itself, or InvalidArgument naming `field` and what an id may be."""
    if not FILM_ID.fullmatch(film_id):
        raise InvalidArgument(f"{field} {film_id!r}: use 1-63 lowercase letters, digits and hyphens, "
                              "starting with a letter and not ending with a hyphen")
    return film_id


def parse_film_name(name: str) -> str:
    """The film id of `films/{film}`; InvalidArgument naming the name otherwise."""
    collection, _, film_id = name.partition("/")
    if collection != "films" or not FILM_ID.fullmatch(film_id):
        raise InvalidArgument(f"bad film name {name!r}: expected films/{{film}} with a film id of 1-63 "
                              "lowercase letters, digits and hyphens, starting with a letter")
    return film_id


def parse_shot_name(name: str) -> tuple[str, str]:
    """(film id, shot id) of `films/{film}/shots/{shot}`; InvalidArgument naming the name otherwise."""
    parts = name.split("/")
    if len(parts) != 4 or parts[0] != "films" or parts[2] != "shots" or not FILM_ID.fullmatch(parts[1]) \
            or not SHOT_ID.fullmatch(parts[3]):
        raise InvalidArgument(f"bad shot name {name!r}: expected films/{{film}}/shots/{{shot}}")
    return parts[1], parts[3]


def parse_character_name(name: str) -> tuple[str, str]:
    """(film id, character id) of `films/{film}/characters/{character}`; InvalidArgument otherwise."""
    parts = name.split("/")
    if len(parts) != 4 or parts[0] != "films" or parts[2] != "characters" or not FILM_ID.fullmatch(parts[1]) \
            or not CHARACTER_ID.fullmatch(parts[3]):
        raise InvalidArgument(f"bad character name {name!r}: expected films/{{film}}/characters/{{character}}, "
                              "the character being a Character.id such as 'char-maya'")
    return parts[1], parts[3]


def check_user_id(user: str) -> str:
    """A user id the database can key films by: 1-128 characters, no '/' (it is part of `users/{user}`)."""
    if not user or len(user) > MAX_USER_ID or "/" in user:
        raise InvalidArgument(f"user {user!r}: expected a user id of 1-{MAX_USER_ID} characters without '/'")
    return user
