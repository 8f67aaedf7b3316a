"""The Triton models' contract, written once: each model's tensors and the limits on their values.

The model repository's config.pbtxt files say the same to Triton and are checked against this module
(tests/inference/test_contract.py); the models (inference/) read their inputs by these names and the
orchestrator's client (orchestrator/triton.py) sends them. Plain data, no Triton import.

Every model is batched (max_batch_size > 0): a request's tensors carry a leading batch dimension before
the dims written here, so a client sending one row sends shape [1, *dims].
"""

from __future__ import annotations

import dataclasses
import enum

import numpy as np


class DataType(enum.Enum):
    """A tensor's type, named as config.pbtxt names it; the value is its KServe v2 (wire) name."""

    TYPE_STRING = "BYTES"
    TYPE_UINT8 = "UINT8"
    TYPE_INT16 = "INT16"
    TYPE_INT32 = "INT32"
    TYPE_INT64 = "INT64"
    TYPE_FP32 = "FP32"

    @property
    def kserve(self) -> str:
        """The datatype a KServe v2 client names: "BYTES", "INT64", ..."""
        return self.value

    @property
    def numpy(self) -> np.dtype:
        """The numpy dtype of the tensor's arrays (strings travel as object arrays of bytes)."""
        return _NUMPY[self]


_NUMPY = {DataType.TYPE_STRING: np.dtype(np.object_), DataType.TYPE_UINT8: np.dtype(np.uint8),
          DataType.TYPE_INT16: np.dtype(np.int16), DataType.TYPE_INT32: np.dtype(np.int32),
          DataType.TYPE_INT64: np.dtype(np.int64), DataType.TYPE_FP32: np.dtype(np.float32)}


@dataclasses.dataclass(frozen=True)
class Tensor:
    """One input or output of a model, as config.pbtxt declares it (dims without the batch dimension)."""

    name: str
    data_type: DataType
    dims: tuple[int, ...]
    optional: bool = False


@dataclasses.dataclass(frozen=True)
class Model:
    """A model of the repository: its name (the folder and config.pbtxt `name`) and its tensors in order."""

    name: str
    inputs: tuple[Tensor, ...]
    outputs: tuple[Tensor, ...]

    @property
    def required_inputs(self) -> tuple[Tensor, ...]:
        return tuple(tensor for tensor in self.inputs if not tensor.optional)


# Image models (storyboard and sdxl share one signature, so a caller need not know which it calls).
PROMPT = Tensor("PROMPT", DataType.TYPE_STRING, (1,))
NEGATIVE_PROMPT = Tensor("NEGATIVE_PROMPT", DataType.TYPE_STRING, (1,))
SEED = Tensor("SEED", DataType.TYPE_INT64, (1,))
WIDTH = Tensor("WIDTH", DataType.TYPE_INT32, (1,))
HEIGHT = Tensor("HEIGHT", DataType.TYPE_INT32, (1,))
STEPS = Tensor("STEPS", DataType.TYPE_INT32, (1,))
GUIDANCE = Tensor("GUIDANCE", DataType.TYPE_FP32, (1,))
# A filmstudio.v1.ShotBrief as proto3 JSON; without it the image is drawn from the prompt alone.
SHOT = Tensor("SHOT", DataType.TYPE_STRING, (1,), optional=True)
IMAGE = Tensor("IMAGE", DataType.TYPE_UINT8, (-1, -1, 3))  # H x W x 3 RGB
IMAGE_INPUTS = (PROMPT, NEGATIVE_PROMPT, SEED, WIDTH, HEIGHT, STEPS, GUIDANCE, SHOT)

# Reference portraits (sdxl only; the storyboard draws characters from the SHOT brief): up to MAX_REFERENCES
# characters per shot, each a PNG of their portrait (slots past a shot's cast hold empty bytes, their scale
# unread) and how strongly the shot follows it (the IP-Adapter scale), 0 to MAX_REFERENCE_SCALE, where 0 means
# the model's default, as Character.reference_scale says. Fixed slots keep every request with references the
# same shape, so Triton batches them together. Sent together or not at all; without them, or when the model has
# no IP-Adapter weights, a shot is drawn from prompt and seed alone.
MAX_REFERENCES = 4
MAX_REFERENCE_SCALE = 1.0
REFERENCE_IMAGES = Tensor("REFERENCE_IMAGES", DataType.TYPE_STRING, (MAX_REFERENCES,), optional=True)
REFERENCE_SCALES = Tensor("REFERENCE_SCALES", DataType.TYPE_FP32, (MAX_REFERENCES,), optional=True)
REFERENCE_INPUTS = (REFERENCE_IMAGES, REFERENCE_SCALES)
# How many of a row's portraits conditioned it: 0 when none were sent or the model has no IP-Adapter weights.
REFERENCES_APPLIED = Tensor("REFERENCES_APPLIED", DataType.TYPE_INT32, (1,))
# The orchestrator sends a portrait as a centred square of at most this side: CLIP image encoders read a
# centred square of 224 or 336 px anyway, and four portraits stay well under gRPC's 4 MB message limit.
REFERENCE_SIDE = 448

# Both image sides: positive multiples of SIDE_MULTIPLE (the SDXL latent's stride) up to MAX_SIDE.
MAX_SIDE = 2048
SIDE_MULTIPLE = 8
SIDE_RULE = f"a positive multiple of {SIDE_MULTIPLE} no larger than {MAX_SIDE}"
MIN_STEPS, MAX_STEPS = 1, 500
MIN_GUIDANCE = 0.0  # and finite

# Speech (tts): one line of dialogue in a character's voice, 16-bit mono PCM at SAMPLE_RATE.
TEXT = Tensor("TEXT", DataType.TYPE_STRING, (1,))
LANGUAGE = Tensor("LANGUAGE", DataType.TYPE_STRING, (1,))  # an espeak-ng voice name such as "en-us"
VARIANT = Tensor("VARIANT", DataType.TYPE_STRING, (1,))  # an espeak-ng variant such as "m3"; "" for none
PITCH = Tensor("PITCH", DataType.TYPE_INT32, (1,))
WORDS_PER_MINUTE = Tensor("WORDS_PER_MINUTE", DataType.TYPE_INT32, (1,))
AUDIO = Tensor("AUDIO", DataType.TYPE_INT16, (-1,))
DURATION = Tensor("DURATION", DataType.TYPE_FP32, (1,))  # seconds: AUDIO's samples / SAMPLE_RATE
SPEECH_INPUTS = (TEXT, LANGUAGE, VARIANT, PITCH, WORDS_PER_MINUTE)

SAMPLE_RATE = 24_000
MAX_TEXT = 5_000  # characters; a line of dialogue, not a novel
MIN_PITCH, MAX_PITCH = 0, 99
MIN_WORDS_PER_MINUTE, MAX_WORDS_PER_MINUTE = 80, 450
DEFAULT_LANGUAGE = "en-us"  # what an empty LANGUAGE means
DEFAULT_WORDS_PER_MINUTE = 160  # what WORDS_PER_MINUTE 0 means

# Where the model puts its result (inference.results): a key of the mesh's object store, written before the
# model answers, so a result outlives a caller that dies waiting for it. Optional for images and speech (sent
# for every row of a request or for none; then IMAGE or AUDIO comes back empty: [rows, 0, 0, 3] and
# [rows, 0]), required for what is made only into the store (animatic rigs, clips).
RESULT_KEY = Tensor("RESULT_KEY", DataType.TYPE_STRING, (1,), optional=True)
STORED_RESULT_KEY = dataclasses.replace(RESULT_KEY, optional=False)
STORED_BYTES = Tensor("STORED_BYTES", DataType.TYPE_INT64, (1,))  # the stored result's size; 0 without RESULT_KEY

# Motion (the `motion` model, an image-to-video pipeline): the shot's still, by its key in the object store
# (a PNG), moved into a clip of FRAME_COUNT frames at FPS, WIDTH x HEIGHT, written under RESULT_KEY in
# filmstudio.clips' format. PROMPT conditions pipelines that read text; SEED, STEPS and GUIDANCE as for images.
IMAGE_KEY = Tensor("IMAGE_KEY", DataType.TYPE_STRING, (1,))
FRAME_COUNT = Tensor("FRAME_COUNT", DataType.TYPE_INT32, (1,))
FPS = Tensor("FPS", DataType.TYPE_INT32, (1,))
FRAMES_MADE = Tensor("FRAMES_MADE", DataType.TYPE_INT32, (1,))  # the stored clip's frames
MOTION_INPUTS = (IMAGE_KEY, PROMPT, SEED, WIDTH, HEIGHT, FRAME_COUNT, FPS, STEPS, GUIDANCE, STORED_RESULT_KEY)
# A clip's limits, one rule for every pipeline so a caller need not know which it calls. FRAME_COUNT is
# FRAME_COUNT_STEP k + 1 (LTX-Video's VAE folds 8 frames into a latent after the first; SVD takes any count),
# about 0.3 s to 5 s; FPS one of MOTION_FPS; both sides positive multiples of MOTION_SIDE_MULTIPLE (SVD's UNet
# halves its 1/8 latent three times, LTX-Video needs 32) up to MAX_MOTION_SIDE (1024x576 and 576x1024 fit).
MIN_FRAME_COUNT, MAX_FRAME_COUNT, FRAME_COUNT_STEP = 9, 121, 8
FRAME_COUNT_RULE = (f"{FRAME_COUNT_STEP}k+1 from {MIN_FRAME_COUNT} to {MAX_FRAME_COUNT} "
                    f"({MIN_FRAME_COUNT}, {MIN_FRAME_COUNT + FRAME_COUNT_STEP}, ..., {MAX_FRAME_COUNT})")
MOTION_FPS = (24, 25, 30)
MOTION_SIDE_MULTIPLE, MAX_MOTION_SIDE = 64, 1024
MOTION_SIDE_RULE = f"a positive multiple of {MOTION_SIDE_MULTIPLE} no larger than {MAX_MOTION_SIDE}"

STORYBOARD = Model("storyboard", IMAGE_INPUTS + (RESULT_KEY,), (IMAGE, STORED_BYTES))
# The living animatic's rig (filmstudio.rig): the shot drawn as layers the composer moves, from the same brief.
ANIMATIC = Model("animatic", IMAGE_INPUTS + (STORED_RESULT_KEY,), (STORED_BYTES,))
SDXL = Model("sdxl", IMAGE_INPUTS + REFERENCE_INPUTS + (RESULT_KEY,), (IMAGE, REFERENCES_APPLIED, STORED_BYTES))
TTS = Model("tts", SPEECH_INPUTS + (RESULT_KEY,), (AUDIO, DURATION, STORED_BYTES))
MOTION = Model("motion", MOTION_INPUTS, (STORED_BYTES, FRAMES_MADE))
MODELS = (STORYBOARD, ANIMATIC, SDXL, TTS, MOTION)


def takes_references(model: str) -> bool:
    """Whether the model's contract has reference portraits (sdxl does; storyboard draws from the brief)."""
    return any(spec.name == model and REFERENCE_IMAGES in spec.inputs for spec in MODELS)


def side_fits(value: int) -> bool:
    """Whether an image side (WIDTH or HEIGHT) is SIDE_RULE."""
    return 0 < value <= MAX_SIDE and value % SIDE_MULTIPLE == 0
