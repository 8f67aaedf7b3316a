"""The Fountain parser, element by element, against the spec (fountain.io/syntax)."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.script import fountain
from orchestrator.script.fountain import parse_fountain, strip_emphasis
from orchestrator.script.source import decode_script, strip_comments

DATA = Path(__file__).parent / "data"


def parse(text: str | bytes) -> fountain.FountainDocument:
    return parse_fountain(strip_comments(decode_script(text)))


def kinds(document: fountain.FountainDocument) -> list[str]:
    return [element.kind for element in document.elements]


@pytest.fixture(scope="module")
def spec() -> fountain.FountainDocument:
    return parse((DATA / "spec.fountain").read_bytes())


def test_title_page_keys_and_indented_values(spec):
    page = dict(spec.title_page)
    assert list(page)[:3] == ["Title", "Credit", "Author"]
    assert page["Title"] == "BRICK & STEEL\nFULL RETIRED"
    assert page["Contact"].splitlines() == ["Next Level Productions", "1588 Mission Dr.", "Solvang, CA 93463"]


def test_fade_in_alone_is_not_a_title_page():
    document = parse("FADE IN:\n\nINT. ROOM - DAY\n\nShe waits.\n")
    assert document.title_page == []
    assert kinds(document)[:2] == ["action", "heading"]


@pytest.mark.parametrize("lead_in, kind", [("FADE IN:", "transition"), ("SMASH CUT TO:", "transition")])
def test_a_transition_run_into_the_next_line_is_no_character_cue(lead_in, kind):
    document = parse(f"INT. ROOM - DAY\n\nShe waits.\n\n{lead_in}\nEXT. BEACH - DAY\n\nWaves.\n")
    assert [(e.kind, e.text) for e in document.elements[2:4]] == [(kind, lead_in), ("heading", "EXT. BEACH - DAY")]
    assert document.warnings == ["line 5: a transition should be followed by a blank line; reading the lines "
                                 "after it on their own"]
    assert kinds(parse("MAYA\nCUT TO: the chase.\n")) == ["dialogue"]  # a cue is still a cue


def test_scene_headings_all_prefixes_forced_and_numbers(spec):
    headings = [e for e in spec.elements if e.kind == fountain.HEADING]
    assert [h.text for h in headings] == [
        "EXT. BRICK'S PATIO - DAY", "OPENING TITLES", "EXT. WOODEN SHACK - DAY", "INT. GARAGE - NIGHT",
        "I/E CAR - MOVING - DUSK",
    ]
    assert [h.scene_number for h in headings] == ["", "1", "", "12A", ""]
    assert [h.interior_exterior for h in headings] == ["EXT", "", "EXT", "INT", "INT/EXT"]
    for text, expected in [("INT./EXT. CAR - DAY", "INT/EXT"), ("est. city - dawn", "EXT"), ("EXT.BEACH", "EXT")]:
        (heading,) = [e for e in parse(f"{text}\n\nAction.\n").elements if e.kind == "heading"]
        assert heading.interior_exterior == expected


def test_not_headings():
    document = parse("INTERIOR DESIGN is her passion.\n\n...and then.\n\nEXTRA\nHello.\n")
    assert kinds(document) == ["action", "action", "dialogue"]


def test_dialogue_cues_extensions_parentheticals(spec):
    dialogue = [e for e in spec.elements if e.kind == fountain.DIALOGUE]
    names = [d.character for d in dialogue]
    assert names[:5] == ["STEEL", "BRICK", "STEEL", "BRICK", "STEEL"]
    cheers = dialogue[4]
    assert cheers.speeches[0].parenthetical == "raising his beer" and cheers.text == "Cheers!"
    off = next(d for d in dialogue if d.extension == "O.S.")
    assert off.character == "STEEL" and off.text == "Hey, you! Cognito!"
    garage = next(d for d in dialogue if d.line > 60 and d.character == "BRICK")
    assert [(s.parenthetical, s.text) for s in garage.speeches] == [("to Steel", "You go."), ("beat", "I'll stay.")]


def test_forced_and_non_ascii_cues(spec):
    by_name = {d.character: d for d in spec.elements if d.kind == fountain.DIALOGUE}
    assert by_name["McCLANE"].forced and by_name["McCLANE"].text == "Yippee ki-yay."
    assert by_name["ÉLODIE"].text == "Bonjour, tout le monde."


def test_dual_dialogue_marks_both_blocks(spec):
    dialogue = [e for e in spec.elements if e.kind == fountain.DIALOGUE]
    pair = [d for d in dialogue if d.dual]
    assert [(d.character, d.text) for d in pair] == [("BRICK", "Get down!"), ("STEEL", "Not now!")]


def test_transitions_centered_lyrics_sections_synopses(spec):
    transitions = [e.text for e in spec.elements if e.kind == fountain.TRANSITION]
    assert transitions == ["SMASH CUT TO:", "CUT TO:"]
    centered = [e.text for e in spec.elements if e.kind == fountain.CENTERED]
    assert centered == ["BRICK BRADDOCK\n& DICK STEEL IN", "BRICK & STEEL\nFULL RETIRED"]
    (lyrics,) = [e for e in spec.elements if e.kind == fountain.LYRICS]
    assert lyrics.text == "Sing a song of sixpence\nA pocket full of rye"
    assert [e.text for e in spec.elements if e.kind == fountain.SECTION] == ["ACT TWO"]
    assert [e.text for e in spec.elements if e.kind == fountain.SYNOPSIS] == ["Elodie says hello."]


def test_forced_action_page_break_and_tabs():
    document = parse("!INT. NOT A HEADING\n\n===\n\n\tIndented action.\n\nSTEVE!\n")
    assert kinds(document) == ["action", "page_break", "action", "action"]
    assert document.elements[0].text == "INT. NOT A HEADING"
    assert document.elements[2].text == "    Indented action."


@pytest.mark.parametrize(
    "raw, plain",
    [
        ("*italic* **bold** ***both*** _under_", "italic bold both under"),
        ("**bold *nested* bold**", "bold nested bold"),
        (r"\*not\* emphasis", "*not* emphasis"),
        ("a lone * star and 5 * 3", "a lone * star and 5 * 3"),
        ("snake_case", "snake_case"),
    ],
)
def test_emphasis(raw, plain):
    assert strip_emphasis(raw) == plain


def test_notes_and_boneyard_removed_with_line_numbers_kept():
    document = parse("INT. A - DAY\n\nShe [[a note]] runs.\n\n/* cut\nthis\nscene */\n\nBOB\nHi [[multi\nline]] there.\n")
    assert [e.text for e in document.elements if e.kind == "action"] == ["She  runs."]
    bob = document.elements[-1]
    assert bob.text == "Hi  there." and bob.line == 9


def test_crlf_bom_trailing_spaces_and_spans():
    data = b"\xef\xbb\xbf" + (DATA / "crlf.fountain").read_bytes()
    document = parse(data)
    assert dict(document.title_page) == {"Title": "Windows"}
    assert kinds(document) == ["heading", "action", "dialogue", "dialogue"]
    action = document.elements[1]
    assert action.text.strip() == "The clock ticks." and (action.line, action.column) == (5, 2)
    assert document.elements[3].extension == "V.O."


def test_two_space_line_keeps_dialogue_together():
    document = parse("INT. A - DAY\n\nBOB\nFirst verse.\n  \nSecond verse.\n")
    assert kinds(document) == ["heading", "dialogue"]
    assert document.elements[1].text == "First verse. Second verse."


def test_heading_without_blank_line_after_is_heading_plus_action_with_warning():
    document = parse("INT. KITCHEN - NIGHT\nShe cooks.\n")
    assert kinds(document) == ["heading", "action"]
    assert document.warnings and document.warnings[0].startswith("line 1:")
