"""The pieces between a rendered picture and the encoder: blends, burned captions, the AAC thread."""

import concurrent.futures
import hashlib
import threading
import time

import av
import numpy as np
import pytest

from composer.encode import FilmWriter, planes_to_frame
from composer.motion import Planes, plane_rows
from composer.subtitles import Caption
from composer.timeline import Cue
from composer.transitions import mix


def grey_planes(width, height, level):
    return Planes(np.full((height, width), level, np.uint8), np.full((height // 2, width // 2), 128, np.uint8),
                  np.full((height // 2, width // 2), 128, np.uint8))


def test_a_blend_lands_between_its_ends_and_keeps_equal_pixels_equal():
    a, b = grey_planes(64, 36, 40), grey_planes(64, 36, 240)
    quarter = mix(a, b, 0.25)
    assert np.all(quarter.y == 90)  # 40 + 0.25 * 200
    assert np.all(quarter.u == 128) and np.all(quarter.v == 128)  # equal in both: unchanged
    assert mix(a, b, 0.0) is a and mix(a, b, 1.0) is b


def test_a_burned_caption_covers_its_text_and_leaves_every_other_pixel_alone():
    caption = Caption(Cue(0.0, 1.0, "Where were you last night?", "", ""), 640, 360)
    frame = planes_to_frame(grey_planes(640, 360, 90))
    caption.burn(frame)
    luma = plane_rows(frame.planes[0])[:360, :640].copy()  # Y as stored
    text_y, uncovered_y, x, y = caption.layers[0]
    box = luma[y:y + text_y.shape[0], x:x + text_y.shape[1]]
    covered, bare = uncovered_y == 0, uncovered_y == 255
    assert covered.any() and bare.any()
    assert np.all(box[covered] == text_y[covered] // 255)  # full coverage: the caption's own value
    assert np.all(box[bare] == 90)  # no coverage: the picture, exactly
    outside = luma.copy()
    outside[y:y + box.shape[0], x:x + box.shape[1]] = 90
    assert np.all(outside == 90)  # nothing drawn outside the box
    assert box.max() > 200 and box.min() < 40  # white text with a dark outline


def frames(count, width=64, height=36):
    for i in range(count):
        yield planes_to_frame(grey_planes(width, height, 16 + i % 200))


def test_the_soundtrack_may_finish_mastering_after_the_first_frames(tmp_path):
    mastering = concurrent.futures.Future()
    writer = FilmWriter(tmp_path / "f.mp4", 64, 36, 24, mastering, [])
    for frame in frames(12):
        writer.write(frame)
    mastering.set_result(np.zeros((2, 48_000), np.float32))  # one second, as many samples as 24 frames
    for frame in frames(12):
        writer.write(frame)
    writer.close()
    with av.open(str(tmp_path / "f.mp4")) as film:
        audio = film.streams.audio[0]
        assert sum(f.samples for f in film.decode(audio)) >= 48_000


def test_a_soundtrack_that_failed_fails_close_with_its_own_error(tmp_path):
    mastering = concurrent.futures.Future()
    mastering.set_exception(ValueError("the mix went wrong"))
    writer = FilmWriter(tmp_path / "f.mp4", 64, 36, 24, mastering, [])
    for frame in frames(4):
        writer.write(frame)
    with pytest.raises(ValueError, match="the mix went wrong"):
        writer.close()


def test_abandoning_does_not_wait_for_a_soundtrack_still_mastering(tmp_path):
    never = concurrent.futures.Future()
    writer = FilmWriter(tmp_path / "f.mp4", 64, 36, 24, never, [])
    for frame in frames(4):
        writer.write(frame)
    began = time.monotonic()
    writer.abandon()
    assert time.monotonic() - began < 1.0  # behaviour bound: it does not block on the mastering
    assert not any(t.name == "composer-aac" for t in threading.enumerate())


def written_film(path, mastered_after):
    """The digest of a 14 s film whose soundtrack finishes mastering after `mastered_after` frames (0: it is
    ready before the first frame; None: it is handed over as an array, the AAC thread as fast as it goes)."""
    fps, count = 24, 14 * 24  # more than the muxer's own 10 s interleaving window
    track = (np.random.default_rng(3).standard_normal((2, count * 48_000 // fps)) * 0.1).astype(np.float32)
    cues = [Cue(0.5, 2.0, "Where were you?", "MAYA", "s1"), Cue(9.0, 11.5, "Out.", "", "s2")]
    mastering = concurrent.futures.Future()
    writer = FilmWriter(path, 128, 72, fps, track if mastered_after is None else mastering, cues)
    # 128x72: at 64x36 x264 itself, on a loaded machine, now and then codes a B-frame differently.
    for i, frame in enumerate(frames(count, 128, 72)):
        if i == mastered_after:
            mastering.set_result(track)
        writer.write(frame)
    if not mastering.done():
        mastering.set_result(track)
    writer.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_same_film_gives_the_same_bytes_however_the_aac_thread_keeps_up(tmp_path):
    # Which AAC packets exist when a frame is muxed depends on thread timing; the file must not.
    films = {when: written_film(tmp_path / f"{when}.mp4", when) for when in (None, 0, 150, 14 * 24)}
    assert len(set(films.values())) == 1, films
