"""No input crashes the reader or makes it slow: hypothesis for the shapes, big adversarial inputs
for the cost (an algorithm worse than linear would not finish these 1 MiB scripts)."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from filmstudio.settings import normalize
from filmstudio.errors import InvalidArgument
from filmstudio.v1 import film_pb2, script_pb2
from orchestrator.script import MAX_SCRIPT_BYTES, parse_script

# Pieces of Fountain syntax, so generated scripts hit real branches, not just "action".
FRAGMENTS = [
    "INT. ", "EXT. ", "I/E ", "EST ", ".", "!", "@", "#", "=", "===", "~", ">", "<", "^", "(", ")",
    "*", "**", "_", "\\", "[[", "]]", "/*", "*/", "CUT TO:", "FADE IN:", "BOB", "MAYA (V.O.)", "ÉLODIE",
    " - NIGHT", "#1A#", "Title:", "    ", "\t", "\n", "\n\n", "\r\n", "  \n", "word ", "Hello.", "\ufeff",
    "FADE OUT.", "> THE END <", " - CONTINUOUS", " - 1995", "(V.O.)",
]
scripts = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=80).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scripts, st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_any_text_parses_or_is_refused_as_invalid_argument(script, seed):
    try:
        graph = parse_script(script, normalize(film_pb2.FilmSettings(seed=seed))).scene_graph
    except InvalidArgument as error:
        assert str(error)
        return
    assert graph.scenes and all(scene.shots for scene in graph.scenes)
    assert graph.total_duration.ToMilliseconds() == sum(
        shot.duration.ToMilliseconds() for scene in graph.scenes for shot in scene.shots
    )
    again = parse_script(script, normalize(film_pb2.FilmSettings(seed=seed))).scene_graph
    assert again.SerializeToString(deterministic=True) == graph.SerializeToString(deterministic=True)
    assert script_pb2.SceneGraph.FromString(graph.SerializeToString()) == graph


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_parse_or_are_refused_as_invalid_argument(data):
    try:
        parse_script(data)
    except InvalidArgument:
        pass


MEGABYTE_SECONDS = 60


def _fill(unit: str) -> str:
    return unit * ((MAX_SCRIPT_BYTES - 64) // len(unit.encode()))


@pytest.mark.parametrize(
    "script",
    [
        _fill("*"), _fill("*a "), _fill("_"), _fill("\\*"), _fill("(") , _fill("#"), _fill("="), _fill(">"),
        _fill("INT. A\n"), _fill("===\n"), _fill("BOB\n"), _fill("BOB ^\nHi.\n\n"), _fill("~la\n"),
        _fill("[[x]]"), _fill("/*x*/"), _fill("/*"), _fill("Title: x\n"), _fill(" \n"), _fill("  \n"),
        "INT. A - DAY\n\n" + _fill("MAYA (V.O.)\nHi.\n\n"), "INT. A - DAY\n\n" + _fill("Grass grows. "),
        "INT. A - DAY\n\n" + _fill("Cow.\n\n"), _fill("NAME\nline\n\n"),
        _fill(">x<\n\n"), _fill("CUT TO:\nA\n\n"), "INT. A - DAY\n\n" + _fill("FADE OUT.\n\n"),
    ],
    ids=lambda s: repr(s[:14]),
)
def test_adversarial_megabyte_scripts_finish(script):
    assert len(script.encode()) <= MAX_SCRIPT_BYTES
    started = time.monotonic()
    try:
        parse_script(script, normalize(film_pb2.FilmSettings(target_duration={"seconds": 300})))
    except InvalidArgument as error:
        assert str(error)
    # Linear work is a few seconds here; quadratic is minutes (a megabyte of cards took six).
    assert time.monotonic() - started < MEGABYTE_SECONDS
