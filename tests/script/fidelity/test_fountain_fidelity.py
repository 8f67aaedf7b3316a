"""Fidelity: each small Fountain script here, written for these tests, against a table of what a reader
of it knows to be true: its scenes (place and light), who speaks each line and who is in frame for it,
its title cards, how its scenes come in, whether it ends on black, and what it warns about.

The facts leave out what fitting the film to its length decides (how many shots the action makes,
their lengths), so they hold whatever the target.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from filmstudio.v1 import script_pb2
from orchestrator.script import parse_script

T = script_pb2
HERE = Path(__file__).parent
SCRIPTS = sorted(path.name for path in HERE.glob("*.fountain"))

DAY, NIGHT, DAWN, MORNING, NONE = (T.TIME_OF_DAY_DAY, T.TIME_OF_DAY_NIGHT, T.TIME_OF_DAY_DAWN,
                                   T.TIME_OF_DAY_MORNING, T.TIME_OF_DAY_UNSPECIFIED)
CUT, CROSSFADE, FROM_BLACK, TO_BLACK = (T.TRANSITION_CUT, T.TRANSITION_CROSSFADE, T.TRANSITION_FADE_FROM_BLACK,
                                        T.TRANSITION_FADE_TO_BLACK)


@dataclasses.dataclass(frozen=True)
class Line:
    """One line as a viewer meets it: who says it, what, sung or not, spoken at once with the line
    before it (dual dialogue), and who is in frame while it is said."""

    speaker: str
    text: str
    framed: tuple[str, ...]
    sung: bool = False
    at_once: bool = False


@dataclasses.dataclass(frozen=True)
class Facts:
    scenes: tuple[tuple[str, int], ...]  # (location, light)
    openings: tuple[int, ...]  # how each scene's first shot comes in
    lines: tuple[Line, ...] = ()
    cards: tuple[tuple[str, int], ...] = ()  # (words, how the card comes in)
    ends_black: bool = False
    warnings: tuple[str, ...] = ()  # how each warning starts (fitting's "the plan runs" left out)


BRICK, STEEL, MAYA, THEO, ANA, TOMAS = "char-brick", "char-steel", "char-maya", "char-theo", "char-ana", "char-tomas"
JO, RADIO, CALLER, MCCLANE = "char-jo", "char-radio", "char-caller", "char-mcclane"

EXPECTED = {
    "dual.fountain": Facts(
        scenes=(("BAR", NIGHT),), openings=(FROM_BLACK,),
        lines=(
            Line(BRICK, "You came.", (BRICK,)),
            Line(STEEL, "I said I would.", (STEEL, BRICK)),  # answering over Brick's shoulder...
            Line(BRICK, "Then sit down.", (STEEL, BRICK), at_once=True),  # ...who talks over him: framed once
            Line(STEEL, "Both of us, then.", (STEEL, BRICK)),
            Line(BRICK, "Both of us.", (STEEL, BRICK), at_once=True),
        )),
    "headings.fountain": Facts(
        scenes=(("ROAD", DAY), ("GARAGE", NIGHT), ("HALL", NIGHT), ("YARD", NIGHT), ("CAR", NIGHT), ("LAB", DAY)),
        openings=(FROM_BLACK, CUT, CUT, CUT, CUT, CUT),
        lines=(Line(MAYA, "Drive.", (MAYA,)),)),
    "cards.fountain": Facts(
        scenes=(("LIGHTHOUSE", DAWN), ("LAMP ROOM", NIGHT)), openings=(FROM_BLACK, CUT),
        lines=(Line(THEO, "Is anyone here?", (THEO,)),),
        cards=(("A FILM BY NOBODY", FROM_BLACK), ("SIX MONTHS LATER", CUT), ("THE END", TO_BLACK))),
    "lyrics.fountain": Facts(
        scenes=(("KITCHEN", MORNING),), openings=(FROM_BLACK,),
        lines=(
            Line(ANA, "Every morning.", (ANA,)),
            Line(ANA, "Rise and shine, the bread is mine", (ANA,), sung=True),  # in her block: hers
            Line(TOMAS, "You always sing that.", (TOMAS, ANA)),
        ),
        cards=(("Rise and shine, the bread is mine", CUT),),  # no cue: sung by nobody, shown
        warnings=("line 15: lyrics with no character cue are shown as a title card",)),
    "fragment.fountain": Facts(
        scenes=(("", NONE),), openings=(FROM_BLACK,),
        lines=(
            Line(TOMAS, "Where were you last night?", (TOMAS,)),
            Line(ANA, "Out.", (ANA, TOMAS)),
            Line(TOMAS, "Out where?", (TOMAS,)),
        ),
        warnings=("line 1: the script has no scene heading",)),
    "voices.fountain": Facts(
        scenes=(("COLD OPEN", NONE), ("STUDIO", NIGHT), ("STREET", NIGHT)), openings=(FROM_BLACK, CUT, CROSSFADE),
        lines=(
            Line(RADIO, "This is the night desk.", ()),  # a voice over the picture, nobody in frame
            Line(JO, "Good evening.", (JO,)),
            Line(CALLER, "Is this thing on?", (JO,)),  # off screen: heard over Jo
            Line(JO, "Loud and clear.", (JO,)),
            Line(MCCLANE, "Yippee ki-yay.", (MCCLANE, JO)),
        ),
        ends_black=True),
}


def facts(script: str) -> Facts:
    parsed = parse_script(script)
    scenes = parsed.scene_graph.scenes
    shots = [shot for scene in scenes for shot in scene.shots]
    lines: list[Line] = []
    for shot in shots:
        for index, line in enumerate(shot.dialogue):
            at_once = index > 0 and line.dual and line.offset == shot.dialogue[index - 1].offset
            lines.append(Line(line.character_id, line.text, tuple(shot.character_ids), line.lyric, at_once))
    return Facts(
        scenes=tuple((scene.location, scene.light) for scene in scenes),
        openings=tuple(scene.shots[0].transition_in for scene in scenes),
        lines=tuple(lines),
        cards=tuple((shot.card_text, shot.transition_in) for shot in shots if shot.card_text),
        ends_black=shots[-1].black,
        warnings=tuple(warning for warning in parsed.warnings if not warning.startswith("the plan runs")),
    )


@pytest.mark.parametrize("name", SCRIPTS)
def test_the_film_keeps_what_the_script_says(name):
    expected = EXPECTED[name]
    got = facts((HERE / name).read_text(encoding="utf-8"))
    assert dataclasses.replace(got, warnings=()) == dataclasses.replace(expected, warnings=())
    assert len(got.warnings) == len(expected.warnings)
    assert all(w.startswith(e) for w, e in zip(got.warnings, expected.warnings))


@pytest.mark.parametrize("name", SCRIPTS)
def test_no_shot_frames_anyone_twice_or_anyone_unknown(name):
    graph = parse_script((HERE / name).read_text(encoding="utf-8")).scene_graph
    cast = {character.id for character in graph.characters}
    for shot in (shot for scene in graph.scenes for shot in scene.shots):
        assert len(set(shot.character_ids)) == len(shot.character_ids) and set(shot.character_ids) <= cast, shot.id
        if shot.card_text or shot.black:
            assert (list(shot.character_ids), shot.prompt) == ([], ""), shot.id


def test_every_script_here_has_its_facts():
    assert sorted(EXPECTED) == SCRIPTS
