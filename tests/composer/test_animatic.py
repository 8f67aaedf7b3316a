"""The living animatic (composer.animatic): a rig's layers moved by their depth, figures that breathe,
blink and speak, deterministically."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from composer.animatic import Animatic
from composer.motion import rgb_to_planes
from filmstudio.rig import Layer, Patch, Rig, Sprite
from filmstudio.v1 import script_pb2

W, H = 320, 184
MARGIN = (26, 16)
CANVAS = (W + 2 * MARGIN[0], H + 2 * MARGIN[1])
RATE = 24000


def stripes(size: tuple[int, int], colour: tuple[int, int, int], seed: int) -> Image.Image:
    """White vertical bars of random widths and gaps: any horizontal move shows, by how much unmistakably."""
    image = Image.new("RGBA", size, (*colour, 255))
    draw = ImageDraw.Draw(image)
    rng = np.random.default_rng(seed)
    x = 0
    while x < size[0]:
        width = int(rng.integers(2, 9))
        draw.rectangle((x, 0, x + width - 1, size[1]), fill=(255, 255, 255, 255))
        x += width + int(rng.integers(3, 15))
    return image


def figure(size=(40, 80), colour=(200, 60, 60)) -> Image.Image:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((4, 0, size[0] - 5, size[1] - 1), fill=(*colour, 255))
    return image


def face(colour) -> Patch:
    return Patch(Image.new("RGBA", (12, 6), (*colour, 255)), (14, 20))


EYES_SHUT = (20, 20, 20)
MOUTH_OPEN = (0, 0, 120)


def make_rig(figures: bool = True) -> Rig:
    faces = {("closed", "closed", "front"): Patch(Image.new("RGBA", (12, 4), (*EYES_SHUT, 255)), (14, 10))}
    for eyes in ("open", "closed"):
        for mouth, colour in (("half", (0, 0, 60)), ("open", MOUTH_OPEN)):
            faces[(eyes, mouth, "front")] = face(colour)
    # Tall in the rig's account (800 px), so that they breathe by a pixel or two here.
    maya = Sprite("MAYA", figure(), 1.0, (140, 70), (160.0, 150.0), 800.0, 40, faces)
    theo = Sprite("THEO", figure(colour=(60, 160, 60)), 1.0, (240, 70), (260.0, 150.0), 800.0, 40, dict(faces))
    # The backdrop's bars and the near layer's bars, in two rows of the canvas.
    backdrop = stripes(CANVAS, (20, 20, 160), 1)
    near = stripes((CANVAS[0], 24), (160, 20, 20), 2)
    return Rig((W, H), MARGIN, (Layer("backdrop", backdrop, 0.35), Layer("near set", near, 0.75, (0, 170)),
                                *((maya, theo) if figures else ())))


def luma(planes) -> np.ndarray:
    return planes.y.astype(np.float32)


def shift_between(a: np.ndarray, b: np.ndarray, rows: slice) -> int:
    """How many px the bars in `rows` moved from a to b (the best-matching horizontal shift)."""
    ra, rb = a[rows].mean(axis=0), b[rows].mean(axis=0)
    errors = {s: np.abs(ra[40 + s:W - 40 + s] - rb[40:W - 40]).mean() for s in range(-30, 31)}
    return min(errors, key=errors.get)


def animatic(frame_count=96, move=script_pb2.CAMERA_MOVE_PAN_LEFT, seed=5, voice=None, speakers=()):
    return Animatic(make_rig(), W, H, 24, frame_count, move, seed, voice, RATE, speakers)


def test_frames_are_yuv420_at_the_frame_size():
    for move in (script_pb2.CAMERA_MOVE_PAN_RIGHT, script_pb2.CAMERA_MOVE_PUSH_IN, script_pb2.CAMERA_MOVE_TILT_UP):
        planes = animatic(move=move).frame(10)
        assert planes.size == (W, H) and planes.y.dtype == np.uint8
        assert planes.u.shape == planes.v.shape == (H // 2, W // 2)


def test_under_a_pan_the_far_layer_moves_less_than_the_near_one():
    a = animatic()
    first, last = luma(a.frame(0)), luma(a.frame(95))
    far = shift_between(first, last, slice(10, 50))  # the backdrop's bars, above the figures
    near = shift_between(first, last, slice(170 - MARGIN[1] + 2, 170 - MARGIN[1] + 14))  # the near set's, below
    travel = 0.1 * W  # composer.motion's pan: 5 % of the frame each way
    assert abs(abs(far) - 0.35 * travel) <= 1.5 and abs(abs(near) - 0.75 * travel) <= 1.5
    assert np.sign(far) == np.sign(near) != 0


def test_a_static_shot_keeps_its_layers_still():
    a = animatic(move=script_pb2.CAMERA_MOVE_STATIC)
    first, last = luma(a.frame(0)), luma(a.frame(95))
    assert shift_between(first, last, slice(10, 60)) == 0


def test_a_blink_happens_on_a_schedule_from_the_seed():
    a, b = animatic(frame_count=24 * 8), animatic(frame_count=24 * 8)
    shut = [i for i in range(24 * 8) if a.faces(i)[0][0] == "closed"]
    assert shut, "no blink in 8 s"
    assert [b.faces(i) for i in range(24 * 8)] == [a.faces(i) for i in range(24 * 8)]
    other = animatic(frame_count=24 * 8, seed=6)
    assert [other.faces(i)[0] for i in range(24 * 8)] != [a.faces(i)[0] for i in range(24 * 8)]
    # The shut eyes are drawn: the eye patch's rows differ from an open-eyed frame.
    i = shut[0]
    open_frame = next(k for k in range(i, 24 * 8) if a.faces(k)[0][0] == "open")
    assert not np.array_equal(a.frame(i).y, a.frame(open_frame).y)


def voice_track(seconds: float, loud: tuple[float, float]) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    wave = 0.5 * np.sin(2 * np.pi * 200 * t) * ((t >= loud[0]) & (t < loud[1]))
    return (wave * 32767).astype(np.int16)


def test_the_speaking_figure_opens_its_mouth_with_a_loud_voice_and_not_in_silence():
    voice = voice_track(4.0, (1.0, 2.0))
    a = animatic(frame_count=96, move=script_pb2.CAMERA_MOVE_STATIC, voice=voice, speakers=[(0.5, 3.5, "maya")])
    mouths = [a.faces(i)[0][1] for i in range(96)]
    assert set(mouths[26:46]) == {"open"}  # 1.0-2.0 s, loud
    assert set(mouths[:24]) == {"closed"} and set(mouths[50:]) == {"closed"}  # silence, and after the line
    assert {a.faces(i)[1][1] for i in range(96)} == {"closed"}  # THEO does not speak
    # The mouth's pixels: dark blue in the loud part, the figure's red in the quiet one.
    loud, quiet = a.frame(36), a.frame(12)
    maya_mouth = (slice(70 - MARGIN[1] + 20, 70 - MARGIN[1] + 26), slice(140 - MARGIN[0] + 14, 140 - MARGIN[0] + 26))
    assert loud.u[maya_mouth[0].start // 2 + 1, maya_mouth[1].start // 2 + 2] > 150  # blue: Cb high
    assert quiet.u[maya_mouth[0].start // 2 + 1, maya_mouth[1].start // 2 + 2] < 128


def test_silence_keeps_the_mouth_shut_during_the_line():
    a = animatic(voice=np.zeros(RATE * 4, np.int16), speakers=[(0.0, 4.0, "MAYA")])
    assert {a.faces(i)[0][1] for i in range(96)} == {"closed"}


def test_the_figures_breathe_about_their_feet():
    a = animatic(frame_count=24 * 5, move=script_pb2.CAMERA_MOVE_STATIC)
    x = 160 - MARGIN[0]  # down MAYA's middle
    heads, feet = set(), set()
    for i in range(0, 24 * 5, 4):
        red = np.flatnonzero(a.frame(i).v[:, x // 2] > 160)  # Cr: her red, not the blue and white behind
        heads.add(int(red[0]) * 2)
        feet.add(int(red[-1]) * 2)
    assert len(heads) > 1 and max(heads) - min(heads) <= 4  # the head rises and falls a little...
    assert len(feet) == 1  # ...over feet that stay put


def test_same_inputs_same_frames():
    voice = voice_track(4.0, (0.5, 3.0))
    one = animatic(move=script_pb2.CAMERA_MOVE_PUSH_IN, voice=voice, speakers=[(0.0, 4.0, "MAYA")])
    two = animatic(move=script_pb2.CAMERA_MOVE_PUSH_IN, voice=voice, speakers=[(0.0, 4.0, "MAYA")])
    for i in (0, 17, 50, 95):
        p, q = one.frame(i), two.frame(i)
        assert all(np.array_equal(x, y) for x, y in ((p.y, q.y), (p.u, q.u), (p.v, q.v)))


def test_a_static_frame_is_the_middle_of_the_flattened_canvas():
    # Composited per plane, as the layers would be in RGB and then converted.
    rig = make_rig(figures=False)
    flat = rig.flatten().crop((MARGIN[0], MARGIN[1], MARGIN[0] + W, MARGIN[1] + H))
    ours = Animatic(rig, W, H, 24, 1, script_pb2.CAMERA_MOVE_STATIC, 1).frame(0)
    theirs = rgb_to_planes(flat)
    for got, want in ((ours.y, theirs.y), (ours.u, theirs.u), (ours.v, theirs.v)):
        assert np.abs(got.astype(int) - want).max() <= 1


def test_a_rig_for_another_frame_size_is_refused():
    with pytest.raises(ValueError, match="drawn for 320x184"):
        Animatic(make_rig(), 640, 360, 24, 10, script_pb2.CAMERA_MOVE_STATIC, 1)
