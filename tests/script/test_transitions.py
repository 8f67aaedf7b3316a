"""Opening and closing transitions: FADE IN: rises from black, a closing FADE OUT. ends the film on black."""

from __future__ import annotations

import pytest

from filmstudio.v1 import script_pb2
from orchestrator.script import parse_script

T = script_pb2


def all_shots(script: str) -> list[script_pb2.Shot]:
    return [shot for scene in parse_script(script).scene_graph.scenes for shot in scene.shots]


@pytest.mark.parametrize("opening", ["FADE IN:\n\n", "> FADE IN:\n\n", ""])
def test_the_first_shot_rises_from_black(opening):
    first = all_shots(f"{opening}EXT. BEACH - DAY\n\nWaves.\n")[0]
    assert (first.description, first.transition_in) == ("Waves.", T.TRANSITION_FADE_FROM_BLACK)


@pytest.mark.parametrize("closing", ["FADE OUT.", "> FADE OUT.", "FADE TO BLACK.", "FADE TO BLACK:"])
def test_a_closing_fade_ends_the_film_on_black(closing):
    *_, last_picture, black = all_shots(f"EXT. BEACH - DAY\n\nWaves.\n\nMAYA\nGood night.\n\n{closing}\n")
    assert last_picture.dialogue[0].text == "Good night."
    assert (black.black, black.transition_in, black.duration.ToMilliseconds()) == (True, T.TRANSITION_FADE_TO_BLACK, 1500)
    assert (black.card_text, black.prompt, list(black.character_ids), len(black.dialogue)) == ("", "", [], 0)
    assert black.description == closing.lstrip("> ") and black.span.line == 8


def test_a_fade_out_before_an_end_card_fades_into_the_card_and_ends_there():
    *_, card = all_shots("EXT. BEACH - DAY\n\nWaves.\n\nFADE OUT.\n\n>THE END<\n")
    assert (card.card_text, card.transition_in, card.black) == ("THE END", T.TRANSITION_FADE_TO_BLACK, False)


def test_a_fade_out_between_scenes_is_the_next_scene_s_way_in():
    shots = all_shots("EXT. BEACH - DAY\n\nWaves.\n\nFADE OUT.\n\nINT. HUT - NIGHT\n\nDark.\n")
    assert [(s.description, s.transition_in, s.black) for s in shots] == [
        ("Waves.", T.TRANSITION_FADE_FROM_BLACK, False), ("Dark.", T.TRANSITION_FADE_TO_BLACK, False)]


@pytest.mark.parametrize("closing", ["CUT TO:", "DISSOLVE TO:", "Maya leaves."])
def test_a_film_that_does_not_close_on_a_fade_ends_on_its_last_picture(closing):
    assert not any(shot.black for shot in all_shots(f"EXT. BEACH - DAY\n\nWaves.\n\n{closing}\n"))
