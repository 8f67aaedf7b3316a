"""Shots that move: a rig animated (composer.animatic) and a generated clip retimed to its shot
(composer.footage), through compose_film with a real store; and the broken ones, refused by shot."""

from __future__ import annotations

import av
import numpy as np
import pytest

from composer import compose_film
from composer.footage import ClipShot, clip_speed
from filmstudio.clips import encode_clip, read_clip
from filmstudio.errors import FailedPrecondition, InvalidArgument
from filmstudio.rig import encode_rig
from filmstudio.v1 import composer_pb2, script_pb2
from inference.rig import render_rig
from tests.composer.media import cut, still_png

W, H, FPS = 320, 176, 24
FMT = composer_pb2.OutputFormat(width=W, height=H, fps=FPS)


def gradient_clip(frames: int, width: int = 256, height: int = 128, fps: int = 24) -> bytes:
    """A clip whose frame k is a flat grey of level 8k: which frame shows is read off the picture."""
    levels = np.arange(frames, dtype=np.uint8)[:, None, None, None] * 8
    return encode_clip(np.broadcast_to(levels, (frames, height, width, 3)).copy(), fps)


def frames_of(path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="gray") for f in container.decode(video=0)]


@pytest.mark.parametrize("clip_s,shot_s,speed", [(5.0, 3.0, 1.0), (3.0, 3.0, 1.0), (2.0, 3.0, 2 / 3),
                                                 (1.0, 3.0, 0.5), (0.5, 4.0, 0.5)])
def test_a_clip_plays_at_its_speed_when_long_and_slows_to_half_when_short(clip_s, shot_s, speed):
    assert clip_speed(clip_s, shot_s) == pytest.approx(speed)


def test_a_short_clip_is_slowed_then_held_on_its_last_frame():
    clip = read_clip(gradient_clip(9))
    shot = ClipShot(clip, W, H, FPS, 48)  # 2 s of shot for 9/24 s of clip: half speed, then held
    shown = [shot.source_frame(i) for i in range(48)]
    assert shown[:4] == [0, 0, 1, 1] and shown[-1] == 8 and shown == sorted(shown)
    assert shown.index(8) == 16  # 9 frames at half speed, then the last one held
    long = ClipShot(read_clip(gradient_clip(25)), W, H, FPS, 12)  # trimmed: frame i is frame i
    assert [long.source_frame(i) for i in range(12)] == list(range(12))


def test_a_clip_of_another_aspect_covers_the_frame():
    shot = ClipShot(read_clip(gradient_clip(9, 256, 256)), W, H, FPS, 9)
    planes = shot.frame(3)
    assert planes.size == (W, H) and abs(int(np.median(planes.y)) - (16 + 219 * 24 / 255)) <= 3


async def test_a_film_of_a_rig_and_a_clip(store, tmp_path):
    still = await store.put("assets/still.png", still_png(W, H))
    brief = script_pb2.ShotBrief(shot=script_pb2.Shot(id="s1", framing=script_pb2.FRAMING_MEDIUM),
                                 setting=script_pb2.SETTING_EXTERIOR, location="HARBOUR",
                                 characters=[script_pb2.Character(id="c1", name="MARA", seed=5)])
    rig = await store.put("assets/s1.rig", encode_rig(render_rig(brief, 3, W, H)))
    clip = await store.put("assets/s2.mkv", gradient_clip(25))
    cuts = [cut("s1", still, 1.0, script_pb2.CAMERA_MOVE_PAN_LEFT), cut("s2", still, 1.5)]
    cuts[0].rig_uri, cuts[1].clip_uri = rig, clip
    request = composer_pb2.ComposeFilmRequest(cuts=cuts, format=FMT, output_prefix=store.uri("films/m") + "/")
    result = await compose_film(request, store, lambda *_: None)
    frames = frames_of(store.local_path(result.video_uri))
    assert len(frames) == 60
    rig_frames, clip_frames = frames[:24], frames[24:]
    assert np.abs(rig_frames[0].astype(int) - rig_frames[-1]).mean() > 1  # the animatic moves
    levels = [int(np.median(f)) for f in clip_frames]
    # 25 clip frames (greys 8k) over 36 shot frames: slowed, never backwards, from black to the last grey.
    assert levels == sorted(levels) and levels[0] <= 20 and levels[-1] >= 16 + 219 * 192 / 255 - 4


@pytest.mark.parametrize("kind,data,message", [
    ("rig", b"PK\x03\x04 not a zip at all", "shot 's1': rig .* is"),
    ("clip", b"\x1aE\xdf\xa3 truncated", "shot 's1': clip .* is"),
    ("clip", b"", "shot 's1': clip .* is"),
])
async def test_a_broken_rig_or_clip_fails_its_shot_by_name_and_publishes_nothing(store, kind, data, message):
    still = await store.put("assets/still.png", still_png(W, H))
    broken = await store.put(f"assets/broken.{kind}", data)
    bad = cut("s1", still, 1.0)
    setattr(bad, f"{kind}_uri", broken)
    request = composer_pb2.ComposeFilmRequest(cuts=[bad], format=FMT, output_prefix=store.uri("films/broken"))
    with pytest.raises(FailedPrecondition, match=message):
        await compose_film(request, store, lambda *_: None)
    assert not store.local_path("films/broken").exists()


async def test_a_clip_damaged_inside_fails_its_shot_while_rendering_and_publishes_nothing(store):
    still = await store.put("assets/still.png", still_png(W, H))
    data = bytearray(gradient_clip(25))
    data[len(data) // 2] ^= 0xFF  # one byte of a frame's packet: its CRC tag no longer matches
    clip = await store.put("assets/damaged.mkv", bytes(data))
    bad = cut("s1", still, 1.0)
    bad.clip_uri = clip
    request = composer_pb2.ComposeFilmRequest(cuts=[bad], format=FMT, output_prefix=store.uri("films/damaged"))
    with pytest.raises(FailedPrecondition, match="shot 's1': clip .* is"):
        await compose_film(request, store, lambda *_: None)
    assert not store.local_path("films/damaged").exists()


def test_a_cut_moves_as_a_rig_or_a_clip_of_its_still_not_both():
    from composer.timeline import plan_film

    both = cut("s1", "mem://still.png", 1.0)
    both.rig_uri, both.clip_uri = "mem://a.rig", "mem://b.mkv"
    with pytest.raises(InvalidArgument, match="shot 's1': a cut moves as a rig or as a clip, not both"):
        plan_film(composer_pb2.ComposeFilmRequest(cuts=[both], format=FMT, output_prefix="mem://films/x"))
    card = composer_pb2.Cut(shot_id="c", card_text="THE END", duration=both.duration, clip_uri="mem://b.mkv")
    with pytest.raises(InvalidArgument, match="needs the still it moves"):
        plan_film(composer_pb2.ComposeFilmRequest(cuts=[card], format=FMT, output_prefix="mem://films/x"))
