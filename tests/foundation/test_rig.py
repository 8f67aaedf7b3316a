"""The rig file (filmstudio.rig): what encode_rig writes decode_rig reads back, and broken files are
refused with a message saying what is wrong."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
from PIL import Image

from filmstudio.rig import (MANIFEST, Layer, Patch, Rig, Sprite, check_rig, decode_rig, encode_rig)


def picture(w: int, h: int, colour: tuple[int, int, int, int], seed: int = 0) -> Image.Image:
    pixels = np.empty((h, w, 4), np.uint8)
    pixels[:] = colour
    pixels[..., 0] = np.random.default_rng(seed).integers(0, 255, (h, w))
    return Image.fromarray(pixels, "RGBA")


def small_rig() -> Rig:
    base = picture(20, 40, (200, 120, 90, 255), seed=1)
    blink = Patch(picture(6, 3, (10, 10, 10, 255), seed=2), (7, 8))
    sprite = Sprite("MAYA", base, 1.0, (30, 10), (40.0, 52.5), 44.0, 20, {("closed", "closed", "front"): blink})
    return Rig((64, 48), (6, 4), (Layer("backdrop", picture(76, 56, (90, 140, 200, 255)), 0.35),
                                  Layer("near set", picture(30, 12, (60, 60, 60, 255), seed=3), 0.75, (5, 40)),
                                  sprite))


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def with_manifest(change) -> bytes:
    files = entries(encode_rig(small_rig()))
    manifest = json.loads(files[MANIFEST])
    change(manifest)
    files[MANIFEST] = json.dumps(manifest).encode()
    return rezip(files)


def test_the_same_rig_is_the_same_bytes_at_any_time(monkeypatch):
    first = encode_rig(small_rig())
    monkeypatch.setattr("time.time", lambda: 2_000_000_000.0)  # 2033: zip entries must not carry the clock
    monkeypatch.setattr("time.localtime", lambda *_: __import__("time").gmtime(2_000_000_000))
    assert encode_rig(small_rig()) == first


def test_a_rig_comes_back_as_it_went_in():
    rig = small_rig()
    back = decode_rig(encode_rig(rig))
    assert back.size == rig.size and back.margin == rig.margin and back.canvas == (76, 56)
    for got, sent in zip(back.layers, rig.layers, strict=True):
        assert type(got) is type(sent) and got.depth == sent.depth and got.origin == sent.origin
        assert np.array_equal(np.asarray(got.image), np.asarray(sent.image))
    sprite = back.sprites[0]
    assert (sprite.character, sprite.anchor, sprite.height, sprite.waist) == ("MAYA", (40.0, 52.5), 44.0, 20)
    blinked = np.asarray(sprite.face(("closed", "closed", "front")))
    assert (blinked[8:11, 7:13, 1] == 10).all() and np.array_equal(blinked[20:], np.asarray(rig.sprites[0].image)[20:])
    assert sprite.face(("open", "half", "front")) is sprite.image  # a face it lacks: the base
    assert np.array_equal(np.asarray(back.flatten()), np.asarray(rig.flatten()))


@pytest.mark.parametrize("cut", [0, 10, 100, 0.5, 0.9])
def test_truncated_bytes_are_refused(cut):
    data = encode_rig(small_rig())
    at = int(len(data) * cut) if isinstance(cut, float) else cut
    with pytest.raises(ValueError, match="rig"):
        decode_rig(data[:at])


def test_every_single_byte_flip_is_caught_or_harmless():
    data = bytearray(encode_rig(small_rig()))
    rng = np.random.default_rng(5)
    for at in rng.integers(0, len(data), 60):
        broken = bytearray(data)
        broken[at] ^= 0x5A
        try:
            check_rig(decode_rig(bytes(broken)))
        except ValueError as exc:
            assert str(exc).startswith("rig")


@pytest.mark.parametrize("change,message", [
    (lambda m: m.update(version=2), "version 2 is not 1"),
    (lambda m: m.update(format="zip"), "format 'zip'"),
    (lambda m: m.update(layers=[]), "no layers"),
    (lambda m: m["layers"][1].update(image="layers/77.png"), r"layer 1: layers/77.png is missing"),
    (lambda m: m["layers"][1].update(depth="near"), "layer 1: depth 'near'"),
    (lambda m: m["layers"][1].update(depth=float("nan")), "layer 1: depth"),
    (lambda m: m["layers"][0].update(origin=[1, 0]), "backdrop 'backdrop' is"),
    (lambda m: m.update(margin=[7, 4]), r"backdrop 'backdrop' is \(76, 56\) at \(0, 0\), not the canvas \(78, 56\)"),
    (lambda m: m["layers"][2].update(waist=99), "waist 99 outside its 40 rows"),
    (lambda m: m["layers"][2]["faces"]["closed-closed-front"].update(origin=[18, 8]), "is not inside the sprite"),
    (lambda m: m["layers"][2].update(faces={"squint-closed-front": m["layers"][2]["faces"]["closed-closed-front"]}),
     "unknown face"),
    (lambda m: m["layers"][2].update(kind="puppet"), "kind 'puppet'"),
    (lambda m: m["layers"][2].update(anchor=[1]), "anchor"),
])
def test_inconsistent_manifests_are_refused_by_name(change, message):
    with pytest.raises(ValueError, match=message):
        decode_rig(with_manifest(change))


def test_a_missing_manifest_and_a_picture_that_is_not_a_png_are_named():
    files = entries(encode_rig(small_rig()))
    with pytest.raises(ValueError, match="no rig.json"):
        decode_rig(rezip({k: v for k, v in files.items() if k != MANIFEST}))
    files["layers/01.png"] = b"GIF89a not really"
    with pytest.raises(ValueError, match="layer 1: layers/01.png is not a readable PNG"):
        decode_rig(rezip(files))


def test_a_backdrop_that_is_not_opaque_is_refused():
    rig = small_rig()
    see_through = Rig(rig.size, rig.margin, (Layer("backdrop", picture(76, 56, (1, 2, 3, 100)), 0.35),))
    with pytest.raises(ValueError, match="not opaque"):
        encode_rig(see_through)
