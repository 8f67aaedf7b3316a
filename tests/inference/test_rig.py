"""The animatic's rig (inference.rig): the storyboard's drawing kept in layers."""

from __future__ import annotations

import numpy as np
import pytest

from filmstudio.rig import BASE, Layer, decode_rig, encode_rig
from filmstudio.v1 import script_pb2
from inference import figures
from inference.rig import FAR, NEAR, render_rig
from inference.signature import BadRequest
from inference.storyboard import render_storyboard

F = script_pb2
MAYA = F.Character(id="char-maya", name="MAYA", seed=11, hair="long red hair")
THEO = F.Character(id="char-theo", name="THEO", seed=22)


def brief(framing=F.FRAMING_MEDIUM, style="", description="Rain on the lighthouse. Boats in the harbour.",
          opens_scene=False, shot_id="s01-sh01") -> F.ShotBrief:
    return F.ShotBrief(shot=F.Shot(id=shot_id, framing=framing, description=description),
                       setting=F.SETTING_EXTERIOR, location="LIGHTHOUSE", characters=[MAYA, THEO], style=style,
                       opens_scene=opens_scene)


def resting_seed(shot: F.ShotBrief) -> int:
    """A seed whose poses keep their mouths shut (a rig's resting mouth is never the open one)."""
    from filmstudio.seeds import stable_seed
    return next(seed for seed in range(100) if all(
        figures.pose_for(stable_seed(seed, shot.shot.id), c).mouth != "open" for c in shot.characters))


def test_the_layers_go_back_to_front_with_every_face_of_each_figure():
    rig = render_rig(brief(opens_scene=True), 7, 320, 184)
    assert rig.size == (320, 184) and rig.canvas == (320 + 2 * 26, 184 + 2 * 16)
    names = [layer.name if isinstance(layer, Layer) else layer.character for layer in rig.layers]
    assert names == ["backdrop", "near set", "MAYA", "THEO", "weather", "card"]
    back = rig.layers[0]
    assert back.image.size == rig.canvas and back.image.getchannel("A").getextrema() == (255, 255)
    assert back.depth == FAR < rig.layers[1].depth == NEAR < rig.sprites[0].depth < rig.layers[4].depth
    assert rig.layers[5].depth == 0  # the card stays where it is put
    for sprite in rig.sprites:
        assert len(sprite.faces) == 11 and BASE not in sprite.faces  # 2 eyes x 3 mouths x 2 heads, less the base
        assert sprite.anchor[1] > sprite.origin[1] and 0 <= sprite.waist < sprite.image.height


@pytest.mark.parametrize("style", ["", "noir", "anime", "documentary"])
def test_at_rest_the_layers_make_up_the_storyboard_drawn_at_the_canvas_size(style):
    # 600 x 400 frames have a 696 x 464 canvas, a size the storyboard draws too.
    shot = brief(style=style)
    seed = resting_seed(shot)
    rig = render_rig(shot, seed, 600, 400)
    assert rig.canvas == (696, 464)
    assert np.array_equal(np.asarray(rig.flatten()), render_storyboard(shot, seed, 696, 464))


def test_a_watercolour_rig_at_rest_is_its_storyboard_but_for_the_washed_edges():
    shot = brief(style="watercolor")
    seed = resting_seed(shot)
    flat = np.asarray(render_rig(shot, seed, 600, 400).flatten(), np.int16)
    off = np.abs(flat - render_storyboard(shot, seed, 696, 464)).max(axis=2)
    assert (off > 24).mean() < 0.015  # 1-px lines along the edges


def test_faces_differ_from_the_base_only_on_the_face():
    rig = render_rig(brief(), 3, 640, 360)
    for sprite in rig.sprites:
        head = sprite.height * figures.HEAD * 2.6  # crown to chin and the hair round it
        for face, patch in sprite.faces.items():
            if face[2] == "front":
                assert patch.image.height < head and patch.image.width < head, face
        blink = sprite.faces[("closed", "closed", "front")]
        speak = sprite.faces[("open", "open", "front")]
        assert blink.origin[1] < speak.origin[1]  # the eyes above the mouth


def test_a_close_up_is_the_face_over_the_soft_detail():
    rig = render_rig(brief(F.FRAMING_CLOSE_UP), 3, 320, 184)
    assert [layer.name if isinstance(layer, Layer) else layer.character for layer in rig.layers] == \
        ["detail", "MAYA", "weather"]


def test_the_over_the_shoulder_shoulder_is_nearer_and_has_one_face():
    rig = render_rig(brief(F.FRAMING_OVER_THE_SHOULDER, description="Boats in the harbour."), 3, 640, 360)
    speaker, shoulder = rig.sprites
    assert shoulder.depth > speaker.depth and shoulder.faces == {} and len(speaker.faces) == 11


def test_same_inputs_same_rig_and_it_survives_its_file():
    one, two = (encode_rig(render_rig(brief(style="noir"), 9, 320, 184)) for _ in range(2))
    assert one == two
    assert [s.character for s in decode_rig(one).sprites] == ["MAYA", "THEO"]


def test_bad_sizes_are_refused():
    with pytest.raises(BadRequest, match="WIDTH 321"):
        render_rig(brief(), 1, 321, 184)
