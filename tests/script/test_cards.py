"""Title cards (centered text) and lyrics: words shown on their own, or sung by the block's own speaker."""

from __future__ import annotations

from google.protobuf.duration_pb2 import Duration

from filmstudio.settings import normalize
from filmstudio.v1 import film_pb2, script_pb2
from orchestrator.script import format_shot_list, parse_script
from orchestrator.script.planned import card_seconds

T = script_pb2


def all_shots(graph: script_pb2.SceneGraph) -> list[script_pb2.Shot]:
    return [shot for scene in graph.scenes for shot in scene.shots]


def test_centered_text_is_a_title_card_with_no_picture_and_nobody_in_it():
    graph = parse_script("INT. HUT - NIGHT\n\nMAYA sits.\n\nMAYA\nGood night.\n\n>THE END<\n").scene_graph
    card = all_shots(graph)[-1]
    assert (card.card_text, card.description, list(card.character_ids)) == ("THE END", "THE END", [])
    assert (card.prompt, card.negative_prompt, len(card.dialogue)) == ("", "", 0)
    assert 3000 <= card.duration.ToMilliseconds() <= 6000
    assert all(not shot.card_text for shot in all_shots(graph)[:-1])


def test_a_card_keeps_its_line_breaks_and_is_held_to_be_read_whatever_the_target():
    script = "EXT. FIELD - DAY\n\nGrass.\n\n> BRICK BRADDOCK <\n> & DICK STEEL IN <\n"
    for target in (10, 60):
        settings = normalize(film_pb2.FilmSettings(target_duration=Duration(seconds=target)))
        card = all_shots(parse_script(script, settings).scene_graph)[-1]
        assert card.card_text == "BRICK BRADDOCK\n& DICK STEEL IN"
        assert card.duration.ToMilliseconds() == round(card_seconds(card.card_text) * 1000) == 3300


def test_a_fade_out_before_the_end_card_takes_the_film_down_to_black_and_up_into_the_card():
    graph = parse_script("INT. HUT - NIGHT\n\nShe sleeps.\n\nFADE OUT.\n\n>THE END<\n").scene_graph
    card = all_shots(graph)[-1]
    assert (card.card_text, card.transition_in) == ("THE END", T.TRANSITION_FADE_TO_BLACK)


def test_an_opening_title_comes_before_the_first_picture():
    graph = parse_script(">A FILM BY NOBODY<\n\nFADE IN:\n\nEXT. BEACH - DAY\n\nWaves.\n").scene_graph
    title, beach = all_shots(graph)
    assert (title.card_text, title.transition_in) == ("A FILM BY NOBODY", T.TRANSITION_FADE_FROM_BLACK)
    assert (beach.description, beach.transition_in) == ("Waves.", T.TRANSITION_FADE_FROM_BLACK)
    assert title.scene_id == beach.scene_id == "s01"


def test_a_card_after_a_heading_comes_before_the_scene_s_picture():
    graph = parse_script("INT. HUT - NIGHT\n\nDark.\n\nEXT. BEACH - DAY\n\n>SIX MONTHS LATER<\n\nWaves.\n").scene_graph
    assert [(s.card_text, s.description) for s in graph.scenes[1].shots] == [
        ("SIX MONTHS LATER", "SIX MONTHS LATER"), ("", "Waves.")]


def test_a_voice_over_a_card_is_heard_over_it_and_holds_it():
    graph = parse_script("INT. HUT - NIGHT\n\nDark.\n\n>1995<\n\nMAYA (V.O.)\n" + "word " * 30 + "\n").scene_graph
    card = all_shots(graph)[-1]
    assert card.card_text == "1995" and card.dialogue[0].character_id == "char-maya"
    line = card.dialogue[0]
    assert card.duration.ToMilliseconds() >= line.offset.ToMilliseconds() + line.duration.ToMilliseconds()


def test_lyrics_in_a_dialogue_block_are_sung_by_its_speaker():
    graph = parse_script("INT. HUT - NIGHT\n\nMAYA\nListen.\n~Row, row, row your boat\n").scene_graph
    lines = all_shots(graph)[-1].dialogue
    assert [(l.character_id, l.text, l.lyric) for l in lines] == [
        ("char-maya", "Listen.", False), ("char-maya", "Row, row, row your boat", True)]


def test_lyrics_with_no_cue_are_sung_by_nobody_but_shown_with_a_warning():
    parsed = parse_script("INT. HUT - NIGHT\n\nMAYA\nListen.\n\nTheo leaves.\n\n~Gently down the stream\n")
    shots = all_shots(parsed.scene_graph)
    assert [l.text for s in shots for l in s.dialogue] == ["Listen."]
    assert (shots[-1].card_text, list(shots[-1].character_ids)) == ("Gently down the stream", [])
    assert any(w.startswith("line 8: lyrics with no character cue") for w in parsed.warnings)


def test_the_shot_list_names_cards_and_black_for_what_they_are():
    graph = parse_script("INT. HUT - NIGHT\n\nShe sleeps.\n\n>1995<\n\nShe wakes.\n\nFADE OUT.\n").scene_graph
    text = format_shot_list(graph)
    assert "s01-sh02" in text and "title card, in: cut\n      1995\n" in text
    assert "black, in: fade to black\n      FADE OUT.\n" in text


def test_dual_dialogue_over_a_card_is_heard_over_it_and_frames_nobody():
    card = all_shots(parse_script("INT. HUT - NIGHT\n\nDark.\n\n>1995<\n\nRADIO (V.O.)\nCome in.\n\n"
                                  "MAYA ^\nI hear you.\n").scene_graph)[-1]
    assert (card.card_text, list(card.character_ids)) == ("1995", [])
    assert [l.character_id for l in card.dialogue] == ["char-radio", "char-maya"]
    assert card.dialogue[0].offset == card.dialogue[1].offset
