"""The cast the script implies: gender from what the script says (a title in the name, what the
introduction calls them, the pronouns that can only mean them, a common given name), honestly
unspecified otherwise; age, hair, wardrobe, build and skin in the script's words; a description made
from those fields without repeating itself; and a voice that matches (an old man never speaks at
235 Hz)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from filmstudio.v1 import script_pb2
from orchestrator.script import parse_script
from orchestrator.script.bible import REMARK_MARK, describe, voice_for

FEMALE, MALE, UNSPECIFIED = script_pb2.GENDER_FEMALE, script_pb2.GENDER_MALE, script_pb2.GENDER_UNSPECIFIED


def cast(script: str) -> dict[str, script_pb2.Character]:
    return {c.name: c for c in parse_script(script).scene_graph.characters}


def fountain(action: str, *speakers: str) -> str:
    """A one-scene screenplay: the action, then a line for each speaker."""
    lines = "\n\n".join(f"{name}\nHello there." for name in speakers)
    return f"INT. CORNER SHOP - DAY\n\n{action}\n\n{lines}\n"


SHOP = fountain(
    "MRS. PATEL (50s) counts the till. AUNT MAY waits by the bread. LITTLE ANNIE tugs at her sleeve.\n\n"
    "MR. SMITH (40) taps the counter. BIG AL fills the doorway.",
    "MRS. PATEL", "AUNT MAY", "LITTLE ANNIE", "MR. SMITH", "BIG AL",
)


def test_titles_and_given_names_in_the_cue_say_the_gender():
    people = cast(SHOP)
    assert {name: c.gender for name, c in people.items()} == {
        "MRS. PATEL": FEMALE, "AUNT MAY": FEMALE, "LITTLE ANNIE": FEMALE, "MR. SMITH": MALE, "BIG AL": MALE}
    assert (people["MRS. PATEL"].age, people["MR. SMITH"].age, people["LITTLE ANNIE"].age) == ("50s", "40", "little")
    assert people["LITTLE ANNIE"].description.startswith("Little Annie, a little girl")
    assert people["MR. SMITH"].description.startswith("Mr. Smith, a 40-year-old man")
    assert people["BIG AL"].build == "big"


def test_a_title_outweighs_a_pronoun_about_someone_else():
    # "him" and "her own reflection" are about others than the one the title names: neither outweighs it.
    people = cast(fountain("MR. SMITH waits. AUNT MAY turns to him and smiles at her own reflection.",
                           "MR. SMITH", "AUNT MAY"))
    assert (people["MR. SMITH"].gender, people["AUNT MAY"].gender) == (MALE, FEMALE)


def test_an_old_man_of_the_action_is_a_man_and_speaks_low():
    people = cast(fountain("HAROLD (70s), an old man in a flat cap, feeds the pigeons. A woman walks past.",
                           "HAROLD"))
    harold = people["HAROLD"]
    assert (harold.gender, harold.age, harold.wardrobe) == (MALE, "70s", "a flat cap")
    assert harold.description == "Harold, a man in his 70s, a flat cap"
    assert harold.voice.variant.startswith("m") and harold.voice.pitch < 50


def test_a_generic_cue_is_described_by_what_it_says():
    old = cast(fountain("An OLD MAN (70s) sits on the bench.", "OLD MAN"))["OLD MAN"]
    assert (old.gender, old.age) == (MALE, "70s")
    assert old.description == "a man in his 70s"  # no "Old Man, a man": the name says nothing more


def test_her_shop_makes_a_woman():
    devi = cast(fountain("DEVI pulls up the shutter of her shop and sweeps the step.", "DEVI"))["DEVI"]
    assert devi.gender == FEMALE and devi.voice.variant.startswith("f")


def test_a_pronoun_that_could_mean_two_people_counts_for_neither():
    people = cast(fountain("KIT and ROBIN carry the boxes. She drops one.", "KIT", "ROBIN"))
    assert people["KIT"].gender == people["ROBIN"].gender == UNSPECIFIED


def test_long_black_hair_and_a_tall_woman_described_once():
    maren = cast(fountain("MAREN (40s), a tall woman with long black hair, waits in a yellow raincoat.",
                          "MAREN"))["MAREN"]
    assert (maren.gender, maren.age, maren.build, maren.hair, maren.wardrobe) == (
        FEMALE, "40s", "tall", "long black hair", "a yellow raincoat")
    assert maren.description == "Maren, a tall woman in her 40s, long black hair, a yellow raincoat"


def test_shaved_head_and_yellow_raincoat():
    jo = cast(fountain("JO (30s), stocky, shaved head, yellow raincoat, wipes the counter.", "JO"))["JO"]
    assert (jo.hair, jo.wardrobe, jo.build, jo.age, jo.gender) == (
        "shaved head", "yellow raincoat", "stocky", "30s", UNSPECIFIED)
    assert jo.description == "Jo, a stocky person in their 30s, shaved head, yellow raincoat"


def test_years_old_and_the_rest_of_the_introduction():
    people = cast(fountain(
        "RUTH, a 40-year-old accountant in a navy coat, checks her watch.\n\n"
        "OSCAR, a 70-year-old, grey-haired and wearing a worn leather jacket, sits down.",
        "RUTH", "OSCAR"))
    ruth, oscar = people["RUTH"], people["OSCAR"]
    assert (ruth.age, ruth.wardrobe, ruth.gender) == ("40", "a navy coat", FEMALE)
    assert ruth.description == f"Ruth, a 40-year-old woman, a navy coat{REMARK_MARK}an accountant"
    assert (oscar.age, oscar.hair, oscar.wardrobe, oscar.gender) == ("70", "grey hair", "a worn leather jacket", MALE)


def test_a_character_never_described_is_unspecified_with_an_invented_look_in_its_fields():
    nobody = cast(fountain("The door opens.", "KIT"))["KIT"]
    assert nobody.gender == UNSPECIFIED
    assert nobody.age and nobody.hair and nobody.wardrobe  # invented by seed, shown and changeable
    assert nobody.description == f"Kit, a person in their {nobody.age}, {nobody.hair}, {nobody.wardrobe}"
    assert nobody.description == cast(fountain("The door opens.", "KIT"))["KIT"].description  # by seed


def test_prose_reads_titles_epithets_and_the_sentence_that_goes_on():
    story = """The Shop

Mrs. Patel unlocked her shop at seven. She swept the step.

Aunt May came in with the bread. "The bus," said Aunt May.

Big Al leaned on the counter. He was a stocky man with a shaved head. "Coffee," Big Al said.

Little Annie ran in after him. "Me too!" said Little Annie.

Maren, a tall woman with long black hair, stood in the doorway. "Close it," said Maren.
"""
    people = cast(story)
    assert {name: c.gender for name, c in people.items() if name != "NARRATOR"} == {
        "AUNT MAY": FEMALE, "BIG AL": MALE, "LITTLE ANNIE": FEMALE, "MAREN": FEMALE, "Mrs Patel": FEMALE}
    al = people["BIG AL"]
    assert (al.build, al.hair) == ("big, stocky", "shaved head")
    assert people["MAREN"].hair == "long black hair"


def test_describe_follows_a_changed_field_and_keeps_the_script_s_other_words():
    ruth = cast(fountain("RUTH, a 40-year-old accountant in a navy coat, checks her watch.", "RUTH"))["RUTH"]
    ruth.hair = "short red hair"
    ruth.gender = MALE
    assert describe(ruth) == f"Ruth, a 40-year-old man, short red hair, a navy coat{REMARK_MARK}an accountant"
    ruth.description = "A pirate with one eye"  # the user's own words, no script words kept
    ruth.wardrobe = "a long coat"
    assert describe(ruth) == "Ruth, a 40-year-old man, short red hair, a long coat"


@pytest.mark.parametrize("age", ["", "70s", "8"])
def test_voices_by_gender_stay_in_their_ranges(age):
    for seed in range(0, 2**31, 2**31 // 64):
        female = voice_for(FEMALE, seed, age=age)
        male = voice_for(MALE, seed, age=age)
        neutral = voice_for(UNSPECIFIED, seed, age=age)
        assert female.variant.startswith("f") and male.variant.startswith("m")
        child = age == "8"
        assert male.pitch <= (63 if child else 43) and female.pitch >= 45
        assert neutral.variant in ("m1", "m2", "m3", "m5", "m7") and neutral.pitch >= 62 or (
            neutral.variant in ("f1", "f2", "f4") and neutral.pitch <= (51 if child else 31))
        assert 0 <= female.pitch <= 99 and 130 <= male.words_per_minute <= 185


def _fundamental_hz(samples: np.ndarray, rate: int) -> float:
    """The median pitch of the voiced frames, by autocorrelation (60-400 Hz)."""
    x = samples.astype(np.float64)
    frame, lowest, highest = int(0.04 * rate), int(rate / 400), int(rate / 60)
    loud = np.sqrt(np.mean(x ** 2)) * 0.5
    found = []
    for start in range(0, x.size - frame - highest, frame // 2):
        window = x[start : start + frame + highest] - x[start : start + frame + highest].mean()
        if np.sqrt(np.mean(window ** 2)) < loud:
            continue
        head = window[:frame]
        lags = np.arange(lowest, highest)
        scores = [np.dot(head, window[lag : lag + frame])
                  / (np.linalg.norm(head) * np.linalg.norm(window[lag : lag + frame]) + 1e-9) for lag in lags]
        best = int(np.argmax(scores))
        if scores[best] > 0.6:
            found.append(rate / lags[best])
    return float(np.median(found))


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_the_rendered_voices_sound_their_gender():
    from filmstudio.tensors import SAMPLE_RATE
    from inference.voice import speak

    line = "The lamp is out, and nobody is coming to fix it tonight."
    harold = cast(fountain("HAROLD (70s), an old man in a flat cap, feeds the pigeons.", "HAROLD"))["HAROLD"]
    devi = cast(fountain("DEVI pulls up the shutter of her shop.", "DEVI"))["DEVI"]
    kit = cast(fountain("The door opens.", "KIT"))["KIT"]
    man, woman, anyone = (_fundamental_hz(speak(line, c.voice), SAMPLE_RATE) for c in (harold, devi, kit))
    assert man < 125 < 165 < woman, (man, woman)
    assert 105 < anyone < 185, anyone


def test_a_name_with_a_full_stop_is_found_in_the_action_and_framed():
    script = ("INT. CORNER SHOP - DAY\n\nMRS. PATEL (50s), in a green sari, pulls up the shutter of her shop.\n\n"
              "BIG AL leans on the counter.\n\nBIG AL\nThe usual, Mrs. Patel.\n\nMRS. PATEL\nYou are late, Al.\n")
    shots = [shot for scene in parse_script(script).scene_graph.scenes for shot in scene.shots]
    assert shots[0].character_ids == ["char-mrs-patel"]
    assert "Patel" in shots[0].prompt and "green sari" in shots[0].prompt
