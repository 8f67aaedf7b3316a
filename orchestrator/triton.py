"""The orchestrator's client of the inference plane: Triton over gRPC (KServe v2), asynchronous.

Every call has a deadline; UNAVAILABLE (Triton restarting, not yet listening) is retried with exponential
backoff; each model has a bounded number of requests in flight so one film cannot flood a backend. The
tensors sent and read are filmstudio.tensors, the contract the model repository is checked against. Triton's
failures become filmstudio.errors with Triton's own message:

- a size that is not a multiple of 8 or exceeds 2048: InvalidArgument, before any request is sent;
- Triton unreachable after the retries, or the model not loaded: Unavailable naming the address/backend;
- the model rejecting its inputs: InvalidArgument; the model failing: FailedPrecondition.

Characters' reference portraits go only to the models that take them (sdxl), cut here to a centred square of
at most tensors.REFERENCE_SIDE px so that a shot's request stays far below gRPC's 4 MB.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
import math
from collections.abc import Sequence

import numpy as np
import tritonclient.grpc.aio as triton_aio
from google.protobuf import json_format
from tritonclient.grpc import InferInput, InferRequestedOutput
from tritonclient.utils import InferenceServerException

from filmstudio import telemetry, tensors, wav
from filmstudio.errors import DeadlineExceeded, FailedPrecondition, FilmStudioError, InvalidArgument, Unavailable
from filmstudio.tensors import (ANIMATIC, AUDIO, DURATION, FPS, FRAME_COUNT, FRAMES_MADE, GUIDANCE, HEIGHT, IMAGE,
                                IMAGE_KEY, LANGUAGE, MAX_REFERENCE_SCALE, MOTION,
                                MAX_REFERENCES, NEGATIVE_PROMPT, PITCH, PROMPT, REFERENCE_IMAGES, REFERENCE_SCALES,
                                REFERENCE_SIDE, REFERENCES_APPLIED, RESULT_KEY, SAMPLE_RATE, SEED, SHOT, STEPS,
                                STORED_BYTES, TEXT, TTS, VARIANT, WIDTH, WORDS_PER_MINUTE, DataType, Tensor)
from filmstudio.tls import Certificates, channel_credentials
from filmstudio.v1 import script_pb2

log = logging.getLogger(__name__)

# Triton's words for "that model is not being served" (gRPC status varies by version; the text does not).
_NOT_LOADED = ("unknown model", "is not found", "no available versions", "not ready", "is not loaded")


@dataclasses.dataclass(frozen=True)
class Speech:
    """A spoken line: 16-bit mono samples and their exact duration."""

    samples: np.ndarray  # int16
    sample_rate: int
    duration_s: float

    def wav_bytes(self) -> bytes:
        """The samples as a 16-bit PCM mono WAV file."""
        return wav.encode(self.samples, self.sample_rate)


def check_size(width: int, height: int, where: str = "") -> None:
    """InvalidArgument unless both sides are tensors.SIDE_RULE."""
    prefix = f"{where}: " if where else ""
    for name, value in (("width", width), ("height", height)):
        if not tensors.side_fits(value):
            raise InvalidArgument(f"{prefix}image {name} {value} must be {tensors.SIDE_RULE}")


def _tensor(spec: Tensor, value: object) -> InferInput:
    """One batch row of the input: shape [1, *dims], typed as the contract says (text as UTF-8, bytes as they are).
    A list or tuple is the row's elements in order; a single value fills the row."""
    def element(item: object) -> object:
        if spec.data_type is DataType.TYPE_STRING and not isinstance(item, bytes):
            return str(item).encode("utf-8")
        return item

    shape = (1, *spec.dims)
    if isinstance(value, (list, tuple)):
        array = np.array([element(item) for item in value], dtype=spec.data_type.numpy).reshape(shape)
    else:
        array = np.full(shape, element(value), dtype=spec.data_type.numpy)
    tensor = InferInput(spec.name, list(array.shape), spec.data_type.kserve)
    tensor.set_data_from_numpy(array)
    return tensor


def portrait_png(data: bytes, where: str = "reference portrait") -> bytes:
    """A portrait (PNG, JPEG, WebP ...) as a PNG of its centred square, at most REFERENCE_SIDE px a side; a square
    PNG already that small is sent as it is. InvalidArgument naming where if it is not an image."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            side = min(width, height)
            if image.format == "PNG" and width == height <= REFERENCE_SIDE:
                image.verify()
                return data
            image.load()
            if image.mode not in ("RGB", "RGBA", "L", "LA"):  # palette, CMYK, 16-bit ...: what resizing takes
                image = image.convert("RGBA" if "transparency" in image.info or "A" in image.getbands() else "RGB")
            # CLIP's feature extractor keeps only the centred square, so nothing it would read is cut here.
            square = image.crop(((width - side) // 2, (height - side) // 2,
                                 (width - side) // 2 + side, (height - side) // 2 + side))
            if side > REFERENCE_SIDE:
                square = square.resize((REFERENCE_SIDE, REFERENCE_SIDE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            square.save(out, format="PNG")
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidArgument(f"{where} is not an image: {exc}") from None


def reference_inputs(references: Sequence[tuple[bytes, float]], where: str = "") -> list[InferInput]:
    """REFERENCE_IMAGES and REFERENCE_SCALES for up to MAX_REFERENCES portraits (more are dropped, with a warning),
    the slots past them empty. A scale is Character.reference_scale: 0 to 1, 0 for the model's default."""
    prefix = f"{where}: " if where else ""
    if len(references) > MAX_REFERENCES:
        log.warning("%sconditioning on the first %d of %d reference portraits", prefix, MAX_REFERENCES,
                    len(references))
        references = references[:MAX_REFERENCES]
    images, scales = [b""] * MAX_REFERENCES, [0.0] * MAX_REFERENCES
    for index, (image, scale) in enumerate(references):
        scale = float(scale)
        if not (math.isfinite(scale) and 0.0 <= scale <= MAX_REFERENCE_SCALE):
            raise InvalidArgument(f"{prefix}reference portrait {index + 1} has scale {scale}; it must be between 0 and "
                                  f"{MAX_REFERENCE_SCALE:g} (0 for the model's default)")
        images[index] = portrait_png(image, f"{prefix}reference portrait {index + 1}")
        scales[index] = scale
    return [_tensor(REFERENCE_IMAGES, images), _tensor(REFERENCE_SCALES, scales)]


class TritonClient:
    """Asynchronous client of our Triton models (storyboard, sdxl, tts, animatic, motion). Create and use it in one event loop."""

    def __init__(self, addr: str, max_in_flight_per_model: int = 4, deadline_s: float = 120.0,
                 retries: int = 4, certs: Certificates | None = None) -> None:
        self.addr = addr
        self.certs = certs  # mutual TLS to Triton (filmstudio.tls), or plaintext
        self.max_in_flight_per_model = max_in_flight_per_model
        self.deadline_s = deadline_s
        self.retries = retries
        self.backoff_s = 0.2
        self._client: triton_aio.InferenceServerClient | None = None
        self._in_flight: dict[str, asyncio.Semaphore] = {}
        self._ignoring_references: set[str] = set()  # models already reported as ignoring portraits

    def _connection(self) -> triton_aio.InferenceServerClient:
        if self._client is None:  # made lazily, inside the event loop that uses it
            creds = None if self.certs is None else channel_credentials(self.certs)
            self._client = triton_aio.InferenceServerClient(self.addr, creds=creds)
        return self._client

    async def close(self) -> None:
        """Close the channel; the client may be used again afterwards (it reconnects)."""
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()

    async def is_model_ready(self, model: str) -> bool:
        """Whether Triton is up and serves the model now."""
        try:
            return bool(await self._connection().is_model_ready(model, client_timeout=min(5.0, self.deadline_s)))
        except InferenceServerException:
            return False

    async def render_image(self, model: str, prompt: str, negative_prompt: str, seed: int, width: int, height: int,
                           steps: int = 30, guidance: float = 6.0,
                           brief: script_pb2.ShotBrief | None = None,
                           references: Sequence[tuple[bytes, float]] = ()) -> np.ndarray:
        """One image from an image model (storyboard or sdxl): an H x W x 3 uint8 array.

        references: the shot's characters' reference portraits (image bytes) with their Character.reference_scale,
        in the shot's character order; see reference_inputs. Only models that take them receive them; one that
        has no IP-Adapter weights draws from prompt and seed, which is logged once per model.
        """
        inputs, outputs = await self._image_inputs(model, prompt, negative_prompt, seed, width, height, steps,
                                                   guidance, brief, references)
        result = await self._infer(model, inputs, outputs)
        self._note_references(model, result, outputs)
        image = result.as_numpy(IMAGE.name)
        if image is None or image.ndim != 4 or image.shape[1:] != (height, width, 3):
            raise FailedPrecondition(f"Triton model {model!r} returned an image of shape "
                                     f"{None if image is None else image.shape}, expected (1, {height}, {width}, 3)")
        return image[0]

    async def store_image(self, key: str, model: str, prompt: str, negative_prompt: str, seed: int, width: int,
                          height: int, steps: int = 30, guidance: float = 6.0,
                          brief: script_pb2.ShotBrief | None = None,
                          references: Sequence[tuple[bytes, float]] = ()) -> int:
        """As render_image, but the model writes the image (a PNG) to the object store under `key` before it
        answers (inference.results), so it is kept even if this caller dies waiting; the PNG's size."""
        inputs, outputs = await self._image_inputs(model, prompt, negative_prompt, seed, width, height, steps,
                                                   guidance, brief, references)
        wanted = (*(output for output in outputs if output is not IMAGE), STORED_BYTES)
        result = await self._infer(model, [*inputs, _tensor(RESULT_KEY, key)], wanted)
        self._note_references(model, result, outputs)
        return self._stored(model, key, result)

    async def store_rig(self, key: str, prompt: str, seed: int, width: int, height: int,
                        brief: script_pb2.ShotBrief) -> int:
        """The shot's animatic rig (filmstudio.rig), drawn by the `animatic` model from the brief the
        storyboard draws its still from, and stored under `key`; the rig's size."""
        inputs, _ = await self._image_inputs(ANIMATIC.name, prompt, "", seed, width, height, 1, 0.0, brief, ())
        result = await self._infer(ANIMATIC.name, [*inputs, _tensor(RESULT_KEY, key)], (STORED_BYTES,))
        return self._stored(ANIMATIC.name, key, result)

    async def store_clip(self, key: str, image_key: str, prompt: str, seed: int, width: int, height: int,
                         frame_count: int, fps: int, steps: int, guidance: float) -> int:
        """A clip of `frame_count` frames moved from the still at `image_key` by the `motion` model
        (image-to-video), stored under `key` (filmstudio.clips); the clip's size. The still and the clip
        stay in the object store: neither travels through here."""
        inputs = [_tensor(IMAGE_KEY, image_key), _tensor(PROMPT, prompt), _tensor(SEED, seed), _tensor(WIDTH, width),
                  _tensor(HEIGHT, height), _tensor(FRAME_COUNT, frame_count), _tensor(FPS, fps),
                  _tensor(STEPS, steps), _tensor(GUIDANCE, guidance), _tensor(RESULT_KEY, key)]
        result = await self._infer(MOTION.name, inputs, (STORED_BYTES, FRAMES_MADE))
        made = result.as_numpy(FRAMES_MADE.name)
        if made is None or int(made.reshape(-1)[0]) != frame_count:
            raise FailedPrecondition(f"Triton model {MOTION.name!r} made {None if made is None else int(made.reshape(-1)[0])} "
                                     f"frames of the {frame_count} asked for {key!r}")
        return self._stored(MOTION.name, key, result)

    async def _image_inputs(self, model: str, prompt: str, negative_prompt: str, seed: int, width: int, height: int,
                            steps: int, guidance: float, brief: script_pb2.ShotBrief | None,
                            references: Sequence[tuple[bytes, float]]) -> tuple[list[InferInput], tuple[Tensor, ...]]:
        where = f"shot {brief.shot.id}" if brief is not None and brief.shot.id else ""
        check_size(width, height, where)
        if not -(2**63) <= seed < 2**63:
            raise InvalidArgument(f"{where + ': ' if where else ''}seed {seed} does not fit in 64 bits")
        inputs = [_tensor(PROMPT, prompt), _tensor(NEGATIVE_PROMPT, negative_prompt), _tensor(SEED, seed),
                  _tensor(WIDTH, width), _tensor(HEIGHT, height), _tensor(STEPS, steps), _tensor(GUIDANCE, guidance)]
        if brief is not None:
            inputs.append(_tensor(SHOT, json_format.MessageToJson(brief, indent=None)))
        outputs: tuple[Tensor, ...] = (IMAGE,)
        if references and tensors.takes_references(model):
            inputs += await asyncio.to_thread(reference_inputs, references, where)  # decoding: off the event loop
            outputs = (IMAGE, REFERENCES_APPLIED)
        return inputs, outputs

    def _note_references(self, model: str, result, outputs: tuple[Tensor, ...]) -> None:
        """Log once per model that it ignores the portraits it is sent."""
        if REFERENCES_APPLIED not in outputs:
            return
        applied = result.as_numpy(REFERENCES_APPLIED.name)
        if applied is not None and int(applied.reshape(-1)[0]) == 0 and model not in self._ignoring_references:
            self._ignoring_references.add(model)
            log.warning("Triton model %r at %s ignores reference portraits (it has no IP-Adapter weights; its "
                        "log says why): its shots are drawn from prompt and seed", model, self.addr)

    @staticmethod
    def _stored(model: str, key: str, result) -> int:
        stored = result.as_numpy(STORED_BYTES.name)
        if stored is None or stored.size != 1 or int(stored.reshape(-1)[0]) <= 0:
            raise FailedPrecondition(f"Triton model {model!r} did not store its result under {key!r}")
        return int(stored.reshape(-1)[0])

    async def speak(self, text: str, voice: script_pb2.Voice) -> Speech:
        """A line of dialogue spoken by the tts model in the voice."""
        result = await self._infer(TTS.name, self._speech_inputs(text, voice), (AUDIO, DURATION))
        samples = result.as_numpy(AUDIO.name).reshape(-1).astype(AUDIO.data_type.numpy)
        # DURATION travels as FP32; the exact figure is the sample count over the rate.
        return Speech(samples=samples, sample_rate=SAMPLE_RATE, duration_s=samples.size / SAMPLE_RATE)

    async def store_speech(self, key: str, text: str, voice: script_pb2.Voice) -> int:
        """As speak, but the model writes the line (a WAV) to the object store under `key` before it answers;
        the WAV's size."""
        inputs = [*self._speech_inputs(text, voice), _tensor(RESULT_KEY, key)]
        return self._stored(TTS.name, key, await self._infer(TTS.name, inputs, (STORED_BYTES,)))

    @staticmethod
    def _speech_inputs(text: str, voice: script_pb2.Voice) -> list[InferInput]:
        return [_tensor(TEXT, text), _tensor(LANGUAGE, voice.language), _tensor(VARIANT, voice.variant),
                _tensor(PITCH, voice.pitch), _tensor(WORDS_PER_MINUTE, voice.words_per_minute)]

    async def _infer(self, model: str, inputs: list[InferInput], outputs: tuple[Tensor, ...]):
        semaphore = self._in_flight.setdefault(model, asyncio.Semaphore(self.max_in_flight_per_model))
        requested = [InferRequestedOutput(output.name) for output in outputs]
        async with semaphore:
            for attempt in range(self.retries + 1):
                try:
                    # A CLIENT span per request; Triton (with --trace-config mode=opentelemetry) continues it.
                    with telemetry.tracer.start_as_current_span(
                            f"triton.infer {model}", kind=telemetry.SpanKind.CLIENT,
                            attributes={"rpc.system": "grpc", "triton.model": model, "triton.attempt": attempt}):
                        return await self._connection().infer(model, inputs, outputs=requested,
                                                              client_timeout=self.deadline_s,
                                                              headers=dict(telemetry.trace_metadata()))
                except InferenceServerException as exc:
                    error = self._error(model, exc)
                    if not isinstance(error, Unavailable) or "not loaded" in error.message or attempt == self.retries:
                        raise error from None
                    delay = self.backoff_s * 2**attempt
                    log.warning("Triton at %s unavailable (%s); retry %d/%d in %.1f s", self.addr, exc.message(),
                                attempt + 1, self.retries, delay)
                    await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    def _error(self, model: str, exc: InferenceServerException) -> FilmStudioError:
        status, message = str(exc.status() or ""), exc.message() or str(exc)
        if any(words in message.lower() for words in _NOT_LOADED):
            return Unavailable(f"image/voice backend {model!r} is not loaded on Triton at {self.addr}: {message}")
        if status.endswith("UNAVAILABLE"):
            return Unavailable(f"Triton at {self.addr} is unavailable: {message}")
        if status.endswith("DEADLINE_EXCEEDED"):
            return DeadlineExceeded(f"Triton model {model!r} at {self.addr} did not answer within "
                                    f"{self.deadline_s:.0f} s")
        if status.endswith("INVALID_ARGUMENT"):
            return InvalidArgument(f"Triton model {model!r} rejected the request: {message}")
        return FailedPrecondition(f"Triton model {model!r} failed: {message}")
