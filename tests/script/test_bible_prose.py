"""The character bible reads prose speakers' introductions: their words and their sex from how the
story names them, not a coin flip."""

from __future__ import annotations

from orchestrator.script import parse_script

STORY = """The Keeper

Maren, a tall woman of sixty with cropped grey hair and a yellow oilskin, climbed the tower at dusk.

"The lamp is out," Maren said.

Jonas, her young nephew in a red wool cap, followed her up. "I can fix it," he said.
"""


def test_prose_speakers_keep_the_story_s_description_and_sex():
    cast = {c.name: c for c in parse_script(STORY).scene_graph.characters}
    maren, jonas = cast["MAREN"], cast["JONAS"]
    assert "cropped grey hair" in maren.description and "a woman" in maren.description
    assert maren.voice.variant.startswith("f")
    # "her young nephew": what he is called outweighs the pronoun of the woman beside him.
    assert "red wool cap" in jonas.description and "a man" in jonas.description
    assert jonas.voice.variant.startswith("m")
