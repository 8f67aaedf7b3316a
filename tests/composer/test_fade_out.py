"""A film that closes on "FADE OUT." ends on a black cut: the last picture fades down into it."""

import datetime

import av
import pytest

from composer import compose_film
from composer.timeline import plan_film
from filmstudio.errors import InvalidArgument
from filmstudio.settings import normalize
from filmstudio.v1 import composer_pb2, film_pb2, script_pb2
from orchestrator import takes
from orchestrator.db import ShotRecord
from orchestrator.script import parse_script
from tests.composer.media import cut, still_png

FPS = 24


def fade_out_request(prefix: str, still_uri: str) -> composer_pb2.ComposeFilmRequest:
    black = cut("s1-sh02", "", 1.5, transition=script_pb2.TRANSITION_FADE_TO_BLACK)
    black.black = True
    return composer_pb2.ComposeFilmRequest(
        cuts=[cut("s1-sh01", still_uri, 1.0), black], output_prefix=prefix,
        format=composer_pb2.OutputFormat(width=320, height=180, fps=FPS))


def luma_means(path) -> list[float]:
    with av.open(str(path)) as container:
        return [float(frame.to_ndarray()[:180].mean()) for frame in container.decode(video=0)]


async def test_the_last_picture_fades_down_into_black(store):
    still = await store.put("assets/still.png", still_png(320, 180, seed=2))
    result = await compose_film(fade_out_request(store.uri("films/f1") + "/", still), store, lambda *_: None)
    luma = luma_means(store.local_path(result.video_uri))
    assert len(luma) == result.frame_count == round(2.5 * FPS)
    picture, black = luma[FPS - 1], 16.0
    assert picture > black + 40
    fade = luma[FPS:FPS + FPS // 2]  # the default fade to black's first half: the picture going down
    assert all(later <= earlier + 1 for earlier, later in zip(fade, fade[1:]))
    assert black + 5 < fade[0] < picture
    assert luma[-FPS:] == pytest.approx([black] * FPS, abs=1.5)  # then a second of black


def test_a_black_cut_needs_no_image_and_may_not_have_one():
    request = fade_out_request("films/f", "img/1.png")
    plan = plan_film(request)
    assert [(s.image_uri, s.black) for s in plan.shots] == [("img/1.png", False), ("", True)]
    request.cuts[1].image_uri = "img/2.png"
    with pytest.raises(InvalidArgument, match="shot 's1-sh02': a black cut has no image"):
        plan_film(request)
    request.cuts[1].black = False
    request.cuts[1].image_uri = ""
    with pytest.raises(InvalidArgument, match="shot 's1-sh02': image_uri is empty"):
        plan_film(request)


def test_a_script_that_closes_on_fade_out_is_cut_to_end_on_black():
    """Script to cut list to frame plan: the black is a shot with nothing to image, and a black cut."""
    settings = normalize(film_pb2.FilmSettings())
    graph = parse_script("EXT. BEACH - DAY\n\nWaves.\n\nFADE OUT.\n", settings).scene_graph
    shots = [shot for _, shot in takes.shots_in_order(graph)]
    assert [takes.needs_image(shot) for shot in shots] == [True, False]
    records = {shot.id: ShotRecord(
        film_id="f1", shot_id=shot.id, position=0, state=film_pb2.SHOT_STATE_SUCCEEDED, take=1, seed_override=None,
        prompt_override=None, image_key=f"img/{shot.id}.png" if takes.needs_image(shot) else "", audio_key=None,
        line_seconds=(), cached=False, error="", lease_owner=None, lease_expires_at=None,
        updated_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)) for shot in shots}
    request = takes.cut_list("f1", "Beach", settings, graph, records, lambda key: f"mem://{key}")
    last = request.cuts[-1]
    assert (last.black, last.image_uri, last.transition_in) == (True, "", script_pb2.TRANSITION_FADE_TO_BLACK)
    assert plan_film(request).shots[-1].black
