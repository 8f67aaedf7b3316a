"""The orchestrator's client of the inference plane: Triton over gRPC (KServe v2), asynchronous.

Every call has a deadline; UNAVAILABLE (Triton restarting, not yet listening) is retried with exponential
backoff; each model has a bounded number of requests in flight so one film cannot flood a backend. The
tensors sent and read are filmstudio.tensors, the contract the model repository is checked against. Triton's
failures become filmstudio.errors with Triton's own message:

- a size that is not a multiple of 8 or exceeds 2048: InvalidArgument, before any request is sent;
- Triton unreachable after the retries, or the model not loaded: Unavailable naming the address/backend;
- the model rejecting its inputs: InvalidArgument; the model failing: FailedPrecondition.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import numpy as np
import tritonclient.grpc.aio as triton_aio
from google.protobuf import json_format
from tritonclient.grpc import InferInput, InferRequestedOutput
from tritonclient.utils import InferenceServerException

from filmstudio import tensors, wav
from filmstudio.errors import DeadlineExceeded, FailedPrecondition, FilmStudioError, InvalidArgument, Unavailable
from filmstudio.tensors import (AUDIO, GUIDANCE, HEIGHT, IMAGE, LANGUAGE, NEGATIVE_PROMPT, PITCH, PROMPT, SAMPLE_RATE,
                                SEED, SHOT, STEPS, TEXT, TTS, VARIANT, WIDTH, WORDS_PER_MINUTE, DataType, Tensor)
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
    """One batch row of the input: shape [1, *dims], typed as the contract says (strings as UTF-8)."""
    if spec.data_type is DataType.TYPE_STRING:
        value = str(value).encode("utf-8")
    array = np.array([value], dtype=spec.data_type.numpy).reshape(1, *spec.dims)
    tensor = InferInput(spec.name, list(array.shape), spec.data_type.kserve)
    tensor.set_data_from_numpy(array)
    return tensor


class TritonClient:
    """Asynchronous client of our Triton models (storyboard, sdxl, tts). Create and use it in one event loop."""

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
                           brief: script_pb2.ShotBrief | None = None) -> np.ndarray:
        """One image from an image model (storyboard or sdxl): an H x W x 3 uint8 array."""
        where = f"shot {brief.shot.id}" if brief is not None and brief.shot.id else ""
        check_size(width, height, where)
        if not -(2**63) <= seed < 2**63:
            raise InvalidArgument(f"{where + ': ' if where else ''}seed {seed} does not fit in 64 bits")
        inputs = [_tensor(PROMPT, prompt), _tensor(NEGATIVE_PROMPT, negative_prompt), _tensor(SEED, seed),
                  _tensor(WIDTH, width), _tensor(HEIGHT, height), _tensor(STEPS, steps), _tensor(GUIDANCE, guidance)]
        if brief is not None:
            inputs.append(_tensor(SHOT, json_format.MessageToJson(brief, indent=None)))
        result = await self._infer(model, inputs, (IMAGE,))
        image = result.as_numpy(IMAGE.name)
        if image is None or image.ndim != 4 or image.shape[1:] != (height, width, 3):
            raise FailedPrecondition(f"Triton model {model!r} returned an image of shape "
                                     f"{None if image is None else image.shape}, expected (1, {height}, {width}, 3)")
        return image[0]

    async def speak(self, text: str, voice: script_pb2.Voice) -> Speech:
        """A line of dialogue spoken by the tts model in the voice."""
        inputs = [_tensor(TEXT, text), _tensor(LANGUAGE, voice.language), _tensor(VARIANT, voice.variant),
                  _tensor(PITCH, voice.pitch), _tensor(WORDS_PER_MINUTE, voice.words_per_minute)]
        result = await self._infer(TTS.name, inputs, TTS.outputs)
        samples = result.as_numpy(AUDIO.name).reshape(-1).astype(AUDIO.data_type.numpy)
        # DURATION travels as FP32; the exact figure is the sample count over the rate.
        return Speech(samples=samples, sample_rate=SAMPLE_RATE, duration_s=samples.size / SAMPLE_RATE)

    async def _infer(self, model: str, inputs: list[InferInput], outputs: tuple[Tensor, ...]):
        semaphore = self._in_flight.setdefault(model, asyncio.Semaphore(self.max_in_flight_per_model))
        requested = [InferRequestedOutput(output.name) for output in outputs]
        async with semaphore:
            for attempt in range(self.retries + 1):
                try:
                    return await self._connection().infer(model, inputs, outputs=requested,
                                                          client_timeout=self.deadline_s)
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
