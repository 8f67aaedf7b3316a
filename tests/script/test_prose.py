"""Prose as a film: quoted speech spoken by its speaker, a title and places from the story, scenes
from its shifts of place and time, and a plan that fills the length asked for."""

from __future__ import annotations

import pytest
from google.protobuf.duration_pb2 import Duration
from hypothesis import HealthCheck, given, settings, strategies as st

from filmstudio import settings as film_settings
from filmstudio.errors import InvalidArgument
from filmstudio.v1 import film_pb2, script_pb2
from orchestrator.script import MAX_SCRIPT_BYTES, parse_script
from orchestrator.script.draft import ACTION, DIALOGUE
from orchestrator.script.parse import read_draft


def graph(text: str, seconds: int = 60) -> script_pb2.SceneGraph:
    normal = film_settings.normalize(film_pb2.FilmSettings(target_duration=Duration(seconds=seconds)))
    return parse_script(text, normal).scene_graph


def spoken(text: str) -> list[tuple[str, str]]:
    """(cue, what is said) for every speech in the draft, in order."""
    return [(beat.character, speech.text) for scene in read_draft(text).scenes for beat in scene.beats
            if beat.kind == DIALOGUE for speech in beat.speeches]


def beats(text: str) -> list[tuple[str, str]]:
    return [(beat.kind, beat.character or beat.text) for scene in read_draft(text).scenes for beat in scene.beats]


# Finding 1: quoted speech becomes dialogue, spoken by whoever says it.

@pytest.mark.parametrize("line", [
    '"Not yet," said Rosa.', '"Not yet," Rosa said.', '"Not yet," Rosa whispered.', 'Rosa said, "Not yet."',
    'Rosa turned to the window. "Not yet."', '"Not yet." Rosa turned to the window.',
    '\u201cNot yet,\u201d said Rosa.', '\u2018Not yet,\u2019 said Rosa.', "'Not yet,' said Rosa.",
])
def test_a_tagged_or_narrated_quotation_is_its_speakers_line(line):
    story = f"Rosa kept the lamp at the inn. Rosa never slept.\n\n{line}\n"
    assert spoken(story) == [("ROSA", "Not yet.")]


def test_pronouns_are_the_last_named_person_of_that_gender():
    story = ("Anna mended nets on the pier. She hummed as she worked.\n\n"
             "Her brother Tomas came down with his dog.\n\n"
             '"Any fish?" he asked.\n\n"None," she said. "The sea is empty."\n')
    assert spoken(story) == [("TOMAS", "Any fish?"), ("ANNA", "None."), ("ANNA", "The sea is empty.")]


def test_a_pronoun_after_two_people_spoke_is_no_evidence_about_either():
    story = ('Her brother Dev stacked the crates.\n\nPriya sold oranges. Priya sang. Priya counted coins.\n\n'
             '"Two for a pound," Priya called.\n\n"Too dear," the old man said.\n\nHe laughed and paid.\n\n'
             '"Told you," he said.\n')
    assert spoken(story)[-1] == ("DEV", "Told you.")


def test_untagged_replies_alternate_in_a_conversation():
    story = ('Ines and Marek sat in the kitchen.\n\n"Tea?" asked Ines.\n\n"Please."\n\n"Milk?"\n\n'
             '"No milk," said Marek. "Never milk."\n')
    assert spoken(story) == [("INES", "Tea?"), ("MAREK", "Please."), ("INES", "Milk?"),
                             ("MAREK", "No milk."), ("MAREK", "Never milk.")]


def test_narration_around_speech_stays_action_in_story_order():
    story = 'Ines poured the tea. "Drink it," she told him, "before it gets cold." Marek drank.\n'
    assert beats(story) == [(ACTION, "Ines poured the tea."), (DIALOGUE, "INES"), (ACTION, "Marek drank.")]
    assert spoken(story) == [("INES", "Drink it, before it gets cold.")]


def test_what_a_tag_adds_is_the_line_s_direction_or_the_speaker_s_next_action():
    story = 'Ines waited.\n\n"Go," Ines said quietly.\n\n"Stay," said Ines, and closed the door.\n'
    (scene,) = read_draft(story).scenes
    directions = [speech.parenthetical for beat in scene.beats for speech in beat.speeches]
    assert directions == ["quietly", ""]
    assert scene.beats[-1].kind == ACTION and scene.beats[-1].text == "Ines closed the door."


def test_speech_no_one_can_be_found_for_is_the_narrator_s_voice_over_the_picture():
    parsed = graph('The lights went out across the town.\n\n"Who is there?"\n')
    (shot,) = [s for scene in parsed.scenes for s in scene.shots]
    assert [(line.character_id, line.extension, line.text) for line in shot.dialogue] == [
        ("char-narrator", "V.O.", "Who is there?")]
    assert shot.character_ids == []  # heard, not seen: nobody is invented to say it


def test_quoted_words_that_are_not_speech_stay_in_the_action():
    story = 'Oskar painted the name "Marta" on the boat and the word "home" under it.\n'
    assert beats(story) == [(ACTION, story.strip())]


def test_an_unnamed_speaker_is_cast_as_the_story_calls_them():
    assert spoken('Rain fell on the market.\n\n"Fresh fish!" the old man shouted.\n') == [("OLD MAN", "Fresh fish!")]


def test_a_prose_film_has_voices_and_lines_to_subtitle():
    parsed = graph('Lena waited at the station. Lena was cold.\n\n"The train is late," said Lena.\n')
    lines = [line for scene in parsed.scenes for shot in scene.shots for line in shot.dialogue]
    assert [(line.character_id, line.text) for line in lines] == [("char-lena", "The train is late.")]
    assert [c.name for c in parsed.characters] == ["LENA"]


# Finding 2: a title and places from the story, not its first words.

def test_a_title_line_is_the_title():
    assert graph("The Long Winter\n\nSnow covered the village. Nobody went out.\n").title == "The Long Winter"


@pytest.mark.parametrize("first", ["The Long Winter.", "The snow came early that year and covered every roof in the village"])
def test_a_first_line_that_is_a_sentence_is_filmed_not_a_title(first):
    parsed = graph(f"{first}\n\nNobody went out.\n")
    assert parsed.title != first and first.rstrip(".") in parsed.scenes[0].shots[0].description


def test_a_heading_less_story_is_named_after_its_most_named_person_or_place():
    elena = ("At the harbour their grandmother Elena waited for the boats.\n\n"
             "Elena counted them as they came in. Elena always counted.\n")
    parsed = graph(elena)
    assert parsed.title == "Elena" and parsed.scenes[0].location == "HARBOUR"
    harbour = "At the harbour, gulls fought over scraps.\n\nAt the harbour, the tide went out.\n"
    assert graph(harbour).title == "The Harbour"


@pytest.mark.parametrize("opening, location", [
    ("At the old harbour, the boats rocked.", "OLD HARBOUR"),
    ("In the bakery Ana lit the ovens.", "BAKERY"),
    ("That evening, in the kitchen, the soup boiled.", "KITCHEN"),
    ("Ana waited in the kitchen until dark.", "KITCHEN"),
    ("Tomas pushed open the bakery door.", "BAKERY"),
    ("In the Red Lion, the fire was lit.", "RED LION"),
    ("In the morning, Ana baked.", ""),
    ("In the end, Ana sold the bakery.", ""),
    ("At Ana's side, Tomas slept.", ""),
])
def test_locations_come_from_place_phrases_never_from_names(opening, location):
    story = f"Ana and Tomas ran a business. Ana baked and Tomas fished.\n\n{opening}\n"
    assert graph(story).scenes[-1].location == location


# Finding 3: shifts of place and time start scenes, with their light.

def test_place_and_time_shifts_start_scenes_with_their_light():
    story = ("In the garden, Mira planted beans.\n\n"
             "That night, the rain came.\n\n"
             "The next morning, the beans had drowned.\n\n"
             "Back at the house, Mira laughed about it.\n\n"
             "At dusk, she went out again.\n")
    scenes = graph(story).scenes
    assert [(s.location, s.light) for s in scenes] == [
        ("GARDEN", script_pb2.TIME_OF_DAY_UNSPECIFIED),
        ("GARDEN", script_pb2.TIME_OF_DAY_NIGHT),
        ("GARDEN", script_pb2.TIME_OF_DAY_MORNING),
        ("HOUSE", script_pb2.TIME_OF_DAY_MORNING),
        ("HOUSE", script_pb2.TIME_OF_DAY_DUSK),
    ]
    assert [s.setting for s in scenes][2:4] == [script_pb2.SETTING_EXTERIOR, script_pb2.SETTING_INTERIOR]


def test_a_light_named_in_passing_is_no_shift_of_time():
    story = ("At dawn, Ana walked down to the harbour.\n\n"
             "She remembered the night her father sailed. The evening light had been like this.\n")
    (scene,) = graph(story).scenes
    assert (scene.location, scene.light, scene.heading) == ("HARBOUR", script_pb2.TIME_OF_DAY_DAWN, "HARBOUR - DAWN")


def test_speech_naming_a_time_does_not_move_the_scene():
    story = 'In the kitchen, Ana kneaded dough.\n\n"Tonight we close early," Ana said.\n'
    (scene,) = graph(story).scenes
    assert scene.location == "KITCHEN" and scene.light == script_pb2.TIME_OF_DAY_UNSPECIFIED


# Finding 4: a plan that fills the length asked for, with a seed of its own for every shot.

STORY = (
    "In the bakery, Ana lit the ovens before dawn. Flour hung in the warm air. The loaves rose under linen.\n\n"
    "At the harbour, the boats were coming home. Tomas tied up his boat. He carried the fish up the hill.\n\n"
    "That night, the two of them sat on the sea wall. The lighthouse blinked across the water.\n"
)


def test_a_short_story_fills_sixty_seconds_with_a_shot_a_sentence():
    parsed = graph(STORY, 60)
    plan = [shot for scene in parsed.scenes for shot in scene.shots]
    assert parsed.total_duration.ToMilliseconds() == 60000
    assert len(plan) == 8 and len({shot.seed for shot in plan}) == 8
    assert len({shot.description for shot in plan}) == 8


def test_a_short_film_joins_a_paragraph_s_sentences_again():
    plan = [shot for scene in graph(STORY, 10).scenes for shot in scene.shots]
    assert len(plan) == 3 and plan[0].description.startswith("In the bakery") and plan[0].description.endswith("linen.")


def test_a_story_that_truly_cannot_fill_the_length_says_so():
    parsed = parse_script("Snow fell on the village.\n")
    assert any("short of the 60 s target" in warning for warning in parsed.warnings)


# Fuzz: no prose crashes the reader or makes it slow (see tests/script/test_fuzz.py for the why).

PROSE_FRAGMENTS = [
    '"', "\u201c", "\u201d", "\u2018", "\u2019", "'", "\u00ab", "\u00bb", ",", ".", "!", "?", " ", "\n", "\n\n",
    "said ", "she ", "he ", "they ", "asked ", "Anna ", "Tomas ", "Mrs ", "Hale ", "the old man ", "and ",
    "At the harbour, ", "In the ", "Back at the house, ", "That night, ", "The next morning, ", "Later, ",
    "her brother ", "Not yet", "told him ", "\u2026", "\u2014", "word ",
]
prose_texts = st.lists(st.sampled_from(PROSE_FRAGMENTS) | st.text(max_size=6), max_size=60).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prose_texts)
def test_any_prose_reads_or_is_refused_as_invalid_argument(text):
    try:
        parsed = parse_script(text).scene_graph
    except InvalidArgument as error:
        assert str(error)
        return
    lines = [line for scene in parsed.scenes for shot in scene.shots for line in shot.dialogue]
    assert all(line.text.strip() for line in lines)
    assert parse_script(text).scene_graph == parsed


def _fill(unit: str) -> str:
    return unit * ((MAX_SCRIPT_BYTES - 64) // len(unit.encode()))


@pytest.mark.parametrize("unit", [
    '"Hi," she said, "and', "\u201cNo \u2018a ", "'a,' said Ab. Ab Ac she ", "\u2018" + "a " * 500,
    "At the harbour, Ab said Mrs Hale. ", "a.\n", "Ab Ac Ad Ae Af she he. ",
], ids=lambda unit: repr(unit[:12]))
def test_megabyte_prose_finishes(unit):
    text = _fill(unit)
    assert len(text.encode()) <= MAX_SCRIPT_BYTES
    try:
        parse_script(text, film_settings.normalize(film_pb2.FilmSettings(target_duration=Duration(seconds=300))))
    except InvalidArgument as error:
        assert str(error)
