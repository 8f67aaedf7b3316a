"""/openapi.json states what the servers enforce, from the rules' owners: film and shot ids
(filmstudio.names), ListFilms' page_size (filmstudio.settings), a non-empty script (REQUIRED)."""

from __future__ import annotations

import re

from filmstudio import names, settings
from gateway.openapi import document
from gateway.rules import build_api, load_descriptor_set

SPEC = document(build_api(load_descriptor_set()))


def _parameter(path: str, method: str, name: str) -> dict:
    return next(p for p in SPEC["paths"][path][method]["parameters"] if p["name"] == name)


def test_path_ids_follow_the_name_rules():
    film = _parameter("/v1/films/{film}", "get", "film")["schema"]["pattern"]
    regenerate = "/v1/films/{film}/shots/{shot}:regenerate"
    shot = _parameter(regenerate, "post", "shot")["schema"]["pattern"]
    assert film == f"^(?:{names.FILM_ID.pattern})$" == _parameter(regenerate, "post", "film")["schema"]["pattern"]
    assert shot == f"^(?:{names.SHOT_ID.pattern})$"
    assert re.fullmatch(film, "my-film-2") and not re.fullmatch(film, "My_Film") and not re.fullmatch(film, "a" * 64)
    assert re.fullmatch(shot, "sc01-sh02") and not re.fullmatch(shot, "a/b")
    film_id = _parameter("/v1/films", "post", "film_id")["schema"]["pattern"]
    assert re.fullmatch(film_id, "") and re.fullmatch(film_id, "my-film") and not re.fullmatch(film_id, "-x")


def test_page_size_is_bounded_as_the_server_reads_it():
    schema = _parameter("/v1/films", "get", "page_size")["schema"]
    assert schema["type"] == "integer" and schema["minimum"] == 0 and schema["maximum"] == 2**31 - 1
    # 0 is the default and more than the maximum reads as the maximum: neither is refused.
    assert settings.page_size(0) == settings.DEFAULT_PAGE_SIZE
    assert settings.page_size(settings.MAX_PAGE_SIZE + 1) == settings.MAX_PAGE_SIZE


def test_a_script_is_required_and_not_empty():
    schemas = SPEC["components"]["schemas"]
    for message in ("filmstudio.v1.Film", "filmstudio.v1.ParseScriptRequest"):
        assert schemas[message]["required"] == ["script"]
        assert schemas[message]["properties"]["script"]["minLength"] == 1
    request_id = _parameter("/v1/films", "post", "request_id")["schema"]
    assert request_id["maxLength"] == settings.MAX_REQUEST_ID
