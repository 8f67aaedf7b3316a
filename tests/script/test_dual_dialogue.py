"""Dual dialogue (^): both speakers framed once in one shot, their lines spoken at the same time."""

from __future__ import annotations

from orchestrator.script import parse_script


def only_scene(script: str):
    (scene,) = parse_script(script).scene_graph.scenes
    return scene


def test_a_speaker_answered_in_dual_dialogue_is_framed_once():
    # ALICE answers BOB over his shoulder, then BOB talks over her: he is in that shot already.
    scene = only_scene("INT. BAR - NIGHT\n\nBOB\nHi.\n\nALICE\nHello.\n\nBOB ^\nHey!\n")
    pair = scene.shots[-1]
    assert [line.character_id for line in pair.dialogue] == ["char-alice", "char-bob"]
    assert list(pair.character_ids) == ["char-alice", "char-bob"]
    assert pair.prompt.count("Bob, a ") == 1


def test_no_shot_lists_a_character_twice():
    script = ("INT. BAR - NIGHT\n\nBOB and ALICE sit.\n\nBOB\nHi.\n\nALICE\nHello.\n\nBOB ^\nHey!\n\n"
              "ALICE\nWell.\n\nBOB ^\nWell what?\n\nALICE\n(laughs)\nNothing.\n\nBOB ^\nGood.\n")
    for shot in only_scene(script).shots:
        assert len(shot.character_ids) == len(set(shot.character_ids)), shot.id


def test_both_halves_are_spoken_at_once():
    pair = only_scene("INT. BAR - NIGHT\n\nBRICK\n(shouting)\nGet down!\n(beat)\nNow!\n\nSTEEL ^\nNot now!\n").shots[-1]
    brick_last, steel = pair.dialogue[-2], pair.dialogue[-1]
    assert (brick_last.text, steel.text) == ("Now!", "Not now!")
    assert brick_last.offset == steel.offset and brick_last.dual and steel.dual


def test_a_dual_voice_off_the_picture_is_heard_at_once_but_not_framed():
    pair = only_scene("INT. BAR - NIGHT\n\nBRICK\nGet down!\n\nRADIO (V.O.) ^\nThis is control.\n").shots[-1]
    assert [line.character_id for line in pair.dialogue] == ["char-brick", "char-radio"]
    assert pair.dialogue[0].offset == pair.dialogue[1].offset
    assert list(pair.character_ids) == ["char-brick"]
