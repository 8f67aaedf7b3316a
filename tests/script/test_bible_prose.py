"""The character bible reads prose speakers' introductions: their words and their gender from how the
story names them, not a coin flip."""

from __future__ import annotations

from filmstudio.v1 import script_pb2
from orchestrator.script import parse_script

STORY = """The Keeper

Maren, a tall woman of sixty with cropped grey hair and a yellow oilskin, climbed the tower at dusk.

"The lamp is out," Maren said.

Jonas, her young nephew in a red wool cap, followed her up. "I can fix it," he said.
"""


def test_prose_speakers_keep_the_story_s_description_and_gender():
    cast = {c.name: c for c in parse_script(STORY).scene_graph.characters}
    maren, jonas = cast["MAREN"], cast["JONAS"]
    assert (maren.gender, maren.age, maren.hair, maren.wardrobe, maren.build) == (
        script_pb2.GENDER_FEMALE, "60", "cropped grey hair", "a yellow oilskin", "tall")
    assert maren.description == "Maren, a tall 60-year-old woman, cropped grey hair, a yellow oilskin"
    assert maren.voice.variant.startswith("f")
    # "her young nephew": what he is called outweighs the pronoun of the woman beside him, and the
    # "her" he follows up is hers, not his.
    assert (jonas.gender, jonas.age, jonas.wardrobe) == (script_pb2.GENDER_MALE, "young", "a red wool cap")
    assert jonas.description == "Jonas, a young man, a red wool cap"
    assert jonas.voice.variant.startswith("m")
