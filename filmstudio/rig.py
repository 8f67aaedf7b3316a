"""The living animatic's rig: one shot drawn as layers that a camera can move apart, in one file.

A rig is drawn for a frame size (`size`) on a canvas larger by `margin` on every side, so that no layer
shows its edge when it moves by its depth under the camera. Its layers go back to front:

- a `Layer` is a picture (RGBA, cut to what it holds and placed at `origin` on the canvas) with its
  `depth`, the parallax factor: under a camera move of d pixels it moves d * depth (0: it never moves,
  1: it moves as the figures' plane, which is where the move is measured). The first layer is the
  backdrop: opaque and the whole canvas.
- a `Sprite` is a figure: its character's name, where its feet are (`anchor`, canvas pixels; below
  the canvas in a medium shot), its full standing height, the row at its waist (where breathing
  stretches it), its depth, and its faces: the base picture (eyes open, mouth at rest, facing as drawn)
  and, for each other face, the patch of the base it replaces.

A face is (eyes, mouth, head): eyes EYES, mouth MOUTHS ("closed" is the mouth at rest), head HEADS
("turned": drawn facing the other way). A sprite has the base face at least; a speaking one every
mouth; a turning one every face with both heads.

The file (encode_rig / decode_rig) is a zip: `rig.json`, the manifest (format name, VERSION, sizes,
every layer with its PNG's name), and one PNG per picture, written fast (compress_level 1): the rig is
read once per shot. decode_rig checks everything it reads and says what is wrong in a ValueError.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import zipfile
from collections.abc import Mapping

from PIL import Image

FORMAT = "filmstudio.rig"
VERSION = 1
CONTENT_TYPE = "application/vnd.filmstudio.rig+zip"
MANIFEST = "rig.json"
EYES = ("open", "closed")
MOUTHS = ("closed", "half", "open")
HEADS = ("front", "turned")
Face = tuple[str, str, str]  # (eyes, mouth, head)
BASE: Face = ("open", "closed", "front")
MAX_SIDE = 8192  # a canvas side: rigs are frames with margins, not posters
MAX_BYTES = 256 * 1024 * 1024  # what a rig's pictures may take decoded


@dataclasses.dataclass(frozen=True)
class Layer:
    """A picture of the rig that moves as one: the backdrop, the set's near pieces, weather, the card."""

    name: str
    image: Image.Image  # RGBA
    depth: float
    origin: tuple[int, int] = (0, 0)  # canvas pixels of the image's top left


@dataclasses.dataclass(frozen=True)
class Patch:
    """Where a face differs from a sprite's base: this picture replaces the base's pixels at `origin`
    (sprite pixels), transparent ones included."""

    image: Image.Image  # RGBA
    origin: tuple[int, int]


@dataclasses.dataclass(frozen=True)
class Sprite:
    """A figure of the rig: one character, every face of theirs over one base picture."""

    character: str  # Character.name, as the dialogue names the speaker
    image: Image.Image  # RGBA: the base face
    depth: float
    origin: tuple[int, int]  # canvas pixels of the image's top left
    anchor: tuple[float, float]  # the feet, canvas pixels
    height: float  # the figure's standing height, canvas pixels
    waist: int  # sprite row where breathing stretches the figure (the rows above rise)
    faces: Mapping[Face, Patch] = dataclasses.field(default_factory=dict)  # every face but BASE

    def face(self, face: Face) -> Image.Image:
        """The sprite's picture with `face` (the base where it has no such face)."""
        patch = self.faces.get(face)
        if patch is None:
            return self.image
        image = self.image.copy()
        image.paste(patch.image, patch.origin)
        return image


@dataclasses.dataclass(frozen=True)
class Rig:
    """One shot's layers, back to front, for frames of `size` on a canvas `margin` larger each side."""

    size: tuple[int, int]  # the frame (width, height) it was drawn for
    margin: tuple[int, int]  # (x, y) canvas pixels each side beyond the frame
    layers: tuple[Layer | Sprite, ...]

    @property
    def canvas(self) -> tuple[int, int]:
        return self.size[0] + 2 * self.margin[0], self.size[1] + 2 * self.margin[1]

    @property
    def sprites(self) -> tuple[Sprite, ...]:
        return tuple(layer for layer in self.layers if isinstance(layer, Sprite))

    def flatten(self) -> Image.Image:
        """Every layer at rest over the backdrop (base faces): the canvas as an RGB still."""
        canvas = self.layers[0].image.convert("RGB")
        for layer in self.layers[1:]:
            canvas.paste(layer.image, layer.origin, layer.image)
        return canvas


def face_name(face: Face) -> str:
    return "-".join(face)


def encode_rig(rig: Rig) -> bytes:
    """The rig as one zip (see the module docstring); decode_rig reads it back."""
    check_rig(rig)
    pictures: dict[str, Image.Image] = {}
    entries = []
    for index, layer in enumerate(rig.layers):
        name = f"layers/{index:02d}.png"
        pictures[name] = layer.image
        if isinstance(layer, Layer):
            entries.append({"kind": "layer", "name": layer.name, "depth": layer.depth, "origin": list(layer.origin),
                            "image": name})
            continue
        faces = {}
        for face, patch in sorted(layer.faces.items()):
            patch_name = f"layers/{index:02d}-{face_name(face)}.png"
            pictures[patch_name] = patch.image
            faces[face_name(face)] = {"origin": list(patch.origin), "image": patch_name}
        entries.append({"kind": "sprite", "character": layer.character, "depth": layer.depth,
                        "origin": list(layer.origin), "anchor": list(layer.anchor), "height": layer.height,
                        "waist": layer.waist, "image": name, "faces": faces})
    manifest = {"format": FORMAT, "version": VERSION, "size": list(rig.size), "margin": list(rig.margin),
                "layers": entries}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:  # PNGs are compressed already
        archive.writestr(_entry(MANIFEST), json.dumps(manifest, separators=(",", ":")))
        for name, image in pictures.items():
            png = io.BytesIO()
            image.save(png, "PNG", compress_level=1)
            archive.writestr(_entry(name), png.getvalue())
    return out.getvalue()


def _entry(name: str) -> zipfile.ZipInfo:
    """A zip entry dated the zip epoch, not now: the same rig is the same bytes (content-addressed caches)."""
    return zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))


def decode_rig(data: bytes) -> Rig:
    """The rig in encode_rig's bytes; ValueError naming what is wrong when they are not a whole,
    consistent rig of this VERSION."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ValueError(f"rig: not a zip archive ({exc})") from None
    with archive:
        try:
            manifest = json.loads(archive.read(MANIFEST))
        except KeyError:
            raise ValueError(f"rig: no {MANIFEST} in the archive") from None
        except (zipfile.BadZipFile, ValueError, OSError) as exc:  # a bad CRC, a cut entry, not JSON
            raise ValueError(f"rig: {MANIFEST} is unreadable ({exc})") from None
        reader = _Reader(archive)
        rig = reader.rig(manifest)
    check_rig(rig)
    return rig


def check_rig(rig: Rig) -> None:
    """ValueError unless the rig is consistent: sizes in range, an opaque backdrop covering the canvas,
    finite depths, every face of every sprite a known one whose patch lies inside its sprite."""
    width, height = rig.size
    mx, my = rig.margin
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE and 0 <= mx and 0 <= my):
        raise ValueError(f"rig: bad size {rig.size} or margin {rig.margin}")
    canvas = rig.canvas
    if max(canvas) > MAX_SIDE:
        raise ValueError(f"rig: canvas {canvas} is over {MAX_SIDE} px")
    if not rig.layers or not isinstance(rig.layers[0], Layer):
        raise ValueError("rig: no backdrop layer")
    back = rig.layers[0]
    if back.image.size != canvas or back.origin != (0, 0):
        raise ValueError(f"rig: backdrop {back.name!r} is {back.image.size} at {back.origin}, not the canvas {canvas}")
    if back.image.mode == "RGBA" and back.image.getchannel("A").getextrema()[0] != 255:
        raise ValueError(f"rig: backdrop {back.name!r} is not opaque")
    for index, layer in enumerate(rig.layers):
        what = f"rig: layer {index} ({layer.name if isinstance(layer, Layer) else layer.character!r})"
        if layer.image.mode != "RGBA" or layer.image.width < 1 or layer.image.height < 1:
            raise ValueError(f"{what} is not a non-empty RGBA picture")
        if not math.isfinite(layer.depth) or not 0 <= layer.depth <= 4:
            raise ValueError(f"{what} has depth {layer.depth}, not a finite number from 0 to 4")
        if isinstance(layer, Sprite):
            if not (all(math.isfinite(v) for v in layer.anchor) and math.isfinite(layer.height) and layer.height > 0):
                raise ValueError(f"{what} has anchor {layer.anchor} and height {layer.height}")
            if not 0 <= layer.waist < layer.image.height:
                raise ValueError(f"{what} has waist {layer.waist} outside its {layer.image.height} rows")
            for face, patch in layer.faces.items():
                if face == BASE or len(face) != 3 or face[0] not in EYES or face[1] not in MOUTHS or face[2] not in HEADS:
                    raise ValueError(f"{what} has an unknown face {face!r}")
                x, y = patch.origin
                if patch.image.mode != "RGBA" or x < 0 or y < 0 or x + patch.image.width > layer.image.width or \
                        y + patch.image.height > layer.image.height:
                    raise ValueError(f"{what} face {face_name(face)}: patch {patch.image.size} at {patch.origin} "
                                     f"is not inside the sprite's {layer.image.size}")


class _Reader:
    """Reads a manifest's entries and their pictures, naming the entry at fault in every error."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.budget = MAX_BYTES

    def rig(self, manifest: object) -> Rig:
        if not isinstance(manifest, dict):
            raise ValueError(f"rig: {MANIFEST} is not an object")
        if manifest.get("format") != FORMAT:
            raise ValueError(f"rig: format {manifest.get('format')!r} is not {FORMAT!r}")
        if manifest.get("version") != VERSION:
            raise ValueError(f"rig: version {manifest.get('version')!r} is not {VERSION} (this reader's)")
        size = self.pair(manifest, "size", int, "rig")
        margin = self.pair(manifest, "margin", int, "rig")
        entries = manifest.get("layers")
        if not isinstance(entries, list) or not entries:
            raise ValueError("rig: no layers")
        return Rig(size, margin, tuple(self.layer(entry, index) for index, entry in enumerate(entries)))

    def layer(self, entry: object, index: int) -> Layer | Sprite:
        what = f"rig: layer {index}"
        if not isinstance(entry, dict):
            raise ValueError(f"{what} is not an object")
        depth = self.number(entry, "depth", what)
        origin = self.pair(entry, "origin", int, what)
        image = self.picture(entry, what)
        if entry.get("kind") == "layer":
            return Layer(str(entry.get("name", "")), image, depth, origin)
        if entry.get("kind") != "sprite":
            raise ValueError(f"{what} has kind {entry.get('kind')!r}, not 'layer' or 'sprite'")
        faces = entry.get("faces", {})
        if not isinstance(faces, dict):
            raise ValueError(f"{what}: faces is not an object")
        patches = {}
        for name, patch in faces.items():
            face = tuple(str(name).split("-"))
            if not isinstance(patch, dict):
                raise ValueError(f"{what} face {name}: not an object")
            patches[face] = Patch(self.picture(patch, f"{what} face {name}"),
                                  self.pair(patch, "origin", int, f"{what} face {name}"))
        waist = entry.get("waist")
        if not isinstance(waist, int) or isinstance(waist, bool):
            raise ValueError(f"{what}: waist {waist!r} is not an integer")
        return Sprite(str(entry.get("character", "")), image, depth, origin, self.pair(entry, "anchor", float, what),
                      self.number(entry, "height", what), waist, patches)

    def picture(self, entry: dict, what: str) -> Image.Image:
        name = entry.get("image")
        if not isinstance(name, str):
            raise ValueError(f"{what}: no image named")
        try:
            data = self.archive.read(name)
        except KeyError:
            raise ValueError(f"{what}: {name} is missing from the archive") from None
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ValueError(f"{what}: {name} is unreadable ({exc})") from None
        try:
            image = Image.open(io.BytesIO(data))
            if image.format != "PNG":
                raise ValueError(f"a {image.format} picture, not a PNG")
            width, height = image.size
            if width > MAX_SIDE or height > MAX_SIDE or width * height * 4 > self.budget:
                raise ValueError(f"{image.size} is more than a rig holds")
            self.budget -= width * height * 4
            image.load()
        except Exception as exc:  # Pillow raises many types for bad data
            raise ValueError(f"{what}: {name} is not a readable PNG ({exc})") from None
        return image.convert("RGBA") if image.mode != "RGBA" else image

    @staticmethod
    def number(entry: dict, key: str, what: str) -> float:
        value = entry.get(key)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise ValueError(f"{what}: {key} {value!r} is not a finite number")
        return float(value)

    @staticmethod
    def pair(entry: dict, key: str, kind: type, what: str) -> tuple:
        value = entry.get(key)
        if not (isinstance(value, list) and len(value) == 2 and
                all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
            raise ValueError(f"{what}: {key} {value!r} is not a pair of numbers")
        if kind is int and not all(isinstance(v, int) for v in value):
            raise ValueError(f"{what}: {key} {value!r} is not a pair of integers")
        if not all(math.isfinite(v) for v in value):
            raise ValueError(f"{what}: {key} {value!r} is not finite")
        return tuple(kind(v) for v in value)
