"""What every model.py in model_repository shares: reading a request's inputs, answering each request
alone (its error its own), and counting what was made.

Imported only inside Triton's Python backend stub, where triton_python_backend_utils exists.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import triton_python_backend_utils as pb_utils

from filmstudio.tensors import STORED_BYTES, Model
from inference.signature import BadRequest


def inputs(request, model: Model) -> dict[str, np.ndarray | None]:
    """The model's inputs in a request as numpy arrays by name (None for an optional input not sent)."""
    found = {}
    for spec in model.inputs:
        tensor = pb_utils.get_input_tensor_by_name(request, spec.name)
        found[spec.name] = None if tensor is None else tensor.as_numpy()
    return found


# Triton's statistics count a request the model answered as cancelled (skipping its work) as a success, so
# they cannot say how many results were made; the models count those themselves, on Triton's /metrics.
MADE = "filmstudio_results_made"


class MadeCounter:
    """The counter of results (images, lines, rigs, clips) a model has made, labelled with its name, on
    Triton's metrics endpoint as filmstudio_results_made{model="..."}. Keep it as long as the model: the
    family must outlive its metric."""

    def __init__(self, model: str) -> None:
        self.family = pb_utils.MetricFamily(name=MADE, description="Results a Film Studio model has made",
                                            kind=pb_utils.MetricFamily.COUNTER)
        self.metric = self.family.Metric(labels={"model": model})
        self._lock = threading.Lock()  # tts counts from its pool's threads

    def increment(self, count: int) -> None:
        with self._lock:
            self.metric.increment(count)

    def close(self) -> None:
        """Drop the metric, then its family (the other order is refused, and a model unloaded with both
        still held leaves their order to the garbage collector: Triton once crashed unloading sdxl so).
        Call from the model's finalize()."""
        with self._lock:
            self.metric = None
            self.family = None


def answer(model: str, request, respond: Callable[[object], list]) -> "pb_utils.InferenceResponse":
    """One request's response: skipped if its caller has gone (cancelled_response), else the output
    tensors `respond(request)` makes; anything it raises is this request's error alone."""
    cancelled = cancelled_response(model, request)
    if cancelled is not None:
        return cancelled
    try:
        return pb_utils.InferenceResponse(respond(request))
    except Exception as exc:
        return error_response(model, exc)


def stored_bytes(sizes: list[int]) -> "pb_utils.Tensor":
    """STORED_BYTES for each row: the size each stored result has (0 where nothing was stored)."""
    return pb_utils.Tensor(STORED_BYTES.name, np.array(sizes, STORED_BYTES.data_type.numpy).reshape(-1, 1))


def cancelled_response(model: str, request) -> "pb_utils.InferenceResponse | None":
    """An error response for a request its client has cancelled (a cancelled film), else None: the
    model skips the work instead of finishing it for nobody."""
    if not request.is_cancelled():
        return None
    return pb_utils.InferenceResponse(
        output_tensors=[], error=pb_utils.TritonError(f"{model}: request cancelled", pb_utils.TritonError.CANCELLED))


def error_response(model: str, exc: BaseException) -> "pb_utils.InferenceResponse":
    """A response carrying the error: INVALID_ARG for bad inputs, INTERNAL with the cause otherwise."""
    if isinstance(exc, BadRequest):
        error = pb_utils.TritonError(f"{model}: {exc}", pb_utils.TritonError.INVALID_ARG)
    else:
        error = pb_utils.TritonError(f"{model}: {type(exc).__name__}: {exc}", pb_utils.TritonError.INTERNAL)
    return pb_utils.InferenceResponse(output_tensors=[], error=error)
