"""Prose fidelity: short stories in tests/script/fidelity/prose/ read as a reader would, checked
against the table of facts in expected.toml (title, scenes with place and light, who says which line)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from filmstudio.v1 import script_pb2
from orchestrator.script import parse_script

STORIES = Path(__file__).parent / "fidelity" / "prose"
EXPECTED = tomllib.loads((STORIES / "expected.toml").read_text())


def light(value: int) -> str:
    return "" if value == script_pb2.TIME_OF_DAY_UNSPECIFIED else script_pb2.TimeOfDay.Name(value).removeprefix("TIME_OF_DAY_")


def test_every_story_has_its_facts_and_every_table_its_story():
    assert sorted(path.stem for path in STORIES.glob("*.txt")) == sorted(EXPECTED)


@pytest.mark.parametrize("story", sorted(EXPECTED))
def test_story_reads_as_a_reader_would(story):
    facts = EXPECTED[story]
    parsed = parse_script((STORIES / f"{story}.txt").read_text())
    graph = parsed.scene_graph
    cues = {character.id: character.name for character in graph.characters}
    assert graph.title == facts["title"]
    assert [[scene.location, light(scene.light)] for scene in graph.scenes] == facts["scenes"]
    lines = [[cues[line.character_id], line.text] for scene in graph.scenes for shot in scene.shots
             for line in shot.dialogue]
    assert lines == facts["lines"]
    fills = graph.total_duration.ToMilliseconds() == 60000
    assert fills == facts["fills"] and fills != any("short of the" in warning for warning in parsed.warnings)
