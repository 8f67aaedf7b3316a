"""The cut list on the frame grid, and what the planner refuses before any encoding."""

import pytest

from composer.timeline import plan_film
from filmstudio.errors import InvalidArgument
from filmstudio.v1 import composer_pb2, script_pb2
from tests.composer.media import cut, seconds


def request(durations, width=1280, height=720, fps=24, **cut_args):
    return composer_pb2.ComposeFilmRequest(
        cuts=[cut(f"s{i}", f"img/{i}.png", d, **cut_args) for i, d in enumerate(durations)],
        format=composer_pb2.OutputFormat(width=width, height=height, fps=fps), output_prefix="films/f")


def test_cut_boundaries_round_cumulatively_so_the_film_is_frame_exact():
    plan = plan_film(request([1.01, 1.01, 1.01, 1.01], fps=30))  # 30.3 frames each
    assert [s.frame_count for s in plan.shots] == [30, 31, 30, 30]
    assert plan.frame_count == round(4.04 * 30)
    assert [s.start_frame for s in plan.shots] == [0, 30, 61, 91]


@pytest.mark.parametrize("fps", [24, 25, 30])
def test_transitions_never_change_the_frame_count(fps):
    plain = plan_film(request([2.3, 1.7, 3.1], fps=fps))
    faded = plan_film(request([2.3, 1.7, 3.1], fps=fps, transition=script_pb2.TRANSITION_CROSSFADE))
    assert plain.frame_count == faded.frame_count == round(7.1 * fps)
    assert all(s.transition_frames == int(0.5 * fps + 0.5) for s in faded.shots)  # default crossfade, halves up


def test_a_transition_is_clamped_to_its_cut():
    plan = plan_film(request([0.2], transition=script_pb2.TRANSITION_FADE_TO_BLACK, transition_s=3.0))
    assert plan.shots[0].transition_frames == plan.shots[0].frame_count == 5


@pytest.mark.parametrize("durations, fmt, needle", [
    ([0.0], {}, "shot 's0': duration must be positive"),
    ([-1.0], {}, "shot 's0'"),
    ([200, 101], {}, "shot 's1': the cut list runs past the 300 s limit"),
    ([1], {"width": 3840, "height": 2160}, "over 1080p"),
    ([1], {"width": 1281, "height": 720}, "even"),
    ([1], {"fps": 60}, "fps must be 24, 25, 30"),
    ([0.01], {}, "shorter than one frame"),
])
def test_bad_requests_are_refused_naming_the_problem(durations, fmt, needle):
    with pytest.raises(InvalidArgument, match=needle.replace("(", r"\(")):
        plan_film(request(durations, **fmt))


def test_vertical_1080p_is_allowed_but_not_4k_vertical():
    assert plan_film(request([1], width=1080, height=1920)).width == 1080
    with pytest.raises(InvalidArgument):
        plan_film(request([1], width=2160, height=3840))


def test_subtitles_land_on_the_film_clock_and_never_overlap():
    req = request([2.0, 2.0])
    req.cuts[0].subtitles.add(text="one", offset=seconds(0.5), duration=seconds(3.0))
    req.cuts[1].subtitles.add(text="two", speaker="MAYA", offset=seconds(0.25))  # no duration: to the cut's end
    cues = plan_film(req).cues
    assert [(c.text, c.start_s, c.end_s) for c in cues] == [("one", 0.5, 2.25), ("two", 2.25, 4.0)]
