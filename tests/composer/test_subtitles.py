"""Subtitle sidecars and tracks: every line said is subtitled, dual dialogue's two speakers at once
(WebVTT left and right, SRT and the one-at-a-time tracks as one cue naming both)."""

from __future__ import annotations

import datetime

import pytest

from composer.subtitles import Caption, ass_event, to_srt, to_webvtt
from composer.timeline import plan_film
from filmstudio.errors import InvalidArgument
from filmstudio.settings import normalize
from filmstudio.v1 import composer_pb2, film_pb2
from orchestrator import takes
from orchestrator.db import ShotRecord
from orchestrator.script import parse_script
from tests.composer.media import cut, seconds

P = composer_pb2


def dual_request() -> composer_pb2.ComposeFilmRequest:
    talk = cut("s1", "img/1.png", 3.0)
    talk.subtitles.add(text="Get down!", speaker="BRICK", offset=seconds(0.3), duration=seconds(1.0),
                       position=P.SUBTITLE_POSITION_LEFT)
    talk.subtitles.add(text="Not now!", speaker="STEEL", offset=seconds(0.3), duration=seconds(1.2),
                       position=P.SUBTITLE_POSITION_RIGHT)
    talk.subtitles.add(text="Fine.", speaker="BRICK", offset=seconds(2.0), duration=seconds(0.6))
    return P.ComposeFilmRequest(cuts=[talk], format=P.OutputFormat(width=1280, height=720, fps=24),
                                output_prefix="films/f")


def test_lines_spoken_at_once_are_one_cue_holding_both():
    cues = plan_film(dual_request()).cues
    assert [c.text for c in cues] == ["BRICK: Get down!\nSTEEL: Not now!", "Fine."]
    pair = cues[0]
    assert [(s.text, s.speaker, s.position) for s in pair.sides] == [
        ("Get down!", "BRICK", P.SUBTITLE_POSITION_LEFT), ("Not now!", "STEEL", P.SUBTITLE_POSITION_RIGHT)]
    assert (pair.start_s, pair.end_s) == pytest.approx((0.3, 1.5))
    assert [s.end_s for s in pair.sides] == pytest.approx([1.3, 1.5])


def test_webvtt_stands_dual_speakers_left_and_right():
    vtt = to_webvtt(plan_film(dual_request()).cues)
    assert "1\n00:00:00.300 --> 00:00:01.300 position:25% size:45% align:center\n<v BRICK>Get down!\n" in vtt
    assert "2\n00:00:00.300 --> 00:00:01.500 position:75% size:45% align:center\n<v STEEL>Not now!\n" in vtt
    assert "3\n00:00:02.000 --> 00:00:02.600\n<v BRICK>Fine.\n" in vtt


def test_srt_and_the_mp4_track_keep_both_lines_in_one_cue():
    cues = plan_film(dual_request()).cues
    srt = to_srt(cues)
    assert "1\n00:00:00,300 --> 00:00:01,500\nBRICK: Get down!\nSTEEL: Not now!\n" in srt
    assert "2\n00:00:02,000 --> 00:00:02,600\nFine.\n" in srt
    assert ass_event(cues[0], 0) == b"0,0,Default,,0,0,0,,BRICK: Get down!\\NSTEEL: Not now!"
    assert Caption(cues[0], 320, 180).layers  # burned in: both lines in one caption


def test_an_unknown_subtitle_position_is_refused():
    request = dual_request()
    request.cuts[0].subtitles[0].position = 7
    with pytest.raises(InvalidArgument, match="shot 's1': subtitle 'Get down!' has an unknown position 7"):
        plan_film(request)


DUALS = """INT. BAR - NIGHT

Noise.

""" + "".join(f"""BRICK
Line {i} left.

STEEL ^
Line {i} right.

""" for i in range(5))


def _record(shot: takes.script_pb2.Shot) -> ShotRecord:
    return ShotRecord(film_id="f1", shot_id=shot.id, position=0, state=film_pb2.SHOT_STATE_SUCCEEDED, take=1,
                      seed_override=None, prompt_override=None, image_key=f"img/{shot.id}.png",
                      audio_key=f"voice/{shot.id}.wav", line_seconds=tuple(1.0 for _ in shot.dialogue),
                      cached=False, error="", lease_owner=None, lease_expires_at=None,
                      updated_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))


def test_every_line_of_a_dual_dialogue_script_is_subtitled():
    """Script to sidecars: five ^ pairs are ten lines, and all ten are in the WebVTT and the SRT."""
    settings = normalize(film_pb2.FilmSettings())
    graph = parse_script(DUALS, settings).scene_graph
    records = {shot.id: _record(shot) for _, shot in takes.shots_in_order(graph)}
    request = takes.cut_list("f1", "Duals", settings, graph, records, lambda key: f"mem://{key}")
    cues = plan_film(request).cues
    said = [f"Line {i} {side}." for i in range(5) for side in ("left", "right")]
    vtt, srt = to_webvtt(cues), to_srt(cues)
    assert [line for line in said if line not in vtt] == []
    assert [line for line in said if line not in srt] == []
    assert vtt.count(" position:25% ") == vtt.count(" position:75% ") == 5
    assert [len(c.sides) for c in cues] == [2] * 5


def test_srt_speaker_names_are_an_option_and_never_doubled():
    """Off (the default): today's SRT, where only dual dialogue names its speakers. On: every cue with a
    speaker is led by the name, once: dual dialogue's lines keep the one name each they had, and words
    that already begin with the name get no second one."""
    request = dual_request()
    request.cuts[0].subtitles.add(text="Brick: I said fine.", speaker="BRICK", offset=seconds(2.7),
                                  duration=seconds(0.2))
    request.cuts[0].subtitles.add(text="Wind howls.", offset=seconds(2.9), duration=seconds(0.1))  # no speaker
    plain = plan_film(request)
    assert plain.srt_speaker_names is False
    assert to_srt(plain.cues) == to_srt(plain.cues, speaker_names=False)
    srt = to_srt(plain.cues)
    assert "\nFine.\n" in srt and "BRICK: Fine." not in srt

    request.format.srt_speaker_names = True
    named = plan_film(request)
    assert named.srt_speaker_names is True
    srt = to_srt(named.cues, named.srt_speaker_names)
    assert srt.strip().split("\n\n") == [
        "1\n00:00:00,300 --> 00:00:01,500\nBRICK: Get down!\nSTEEL: Not now!",
        "2\n00:00:02,000 --> 00:00:02,600\nBRICK: Fine.",
        "3\n00:00:02,700 --> 00:00:02,900\nBrick: I said fine.",
        "4\n00:00:02,900 --> 00:00:03,000\nWind howls."]
    assert srt.count("BRICK:") == 2 and srt.count("STEEL:") == 1
    # The WebVTT names every speaker as a voice span whatever the option says.
    for plan in (plain, named):
        vtt = to_webvtt(plan.cues)
        assert "<v BRICK>Get down!" in vtt and "<v STEEL>Not now!" in vtt and "<v BRICK>Fine." in vtt
        assert "BRICK: " not in vtt and "\nWind howls.\n" in vtt


def test_a_many_line_cue_is_led_by_its_speaker_once():
    talk = cut("s1", "img/1.png", 2.0)
    talk.subtitles.add(text="I kept this light\nforty years.", speaker="MAYA", duration=seconds(1.5))
    request = P.ComposeFilmRequest(cuts=[talk], output_prefix="films/f",
                                   format=P.OutputFormat(width=320, height=180, fps=24, srt_speaker_names=True))
    plan = plan_film(request)
    assert "\nMAYA: I kept this light\nforty years.\n" in to_srt(plan.cues, plan.srt_speaker_names)
