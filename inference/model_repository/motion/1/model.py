"""motion: an image-to-video pipeline over a dynamic batch of shots, each still read from the object store and
each clip written back to it (see inference.video and filmstudio.clips)."""

from __future__ import annotations

import json
import os
import sys

# The stub's interpreter starts isolated and ignores PYTHONPATH; the launcher's PYTHONPATH (this checkout and
# its virtualenv) must come before the system site-packages, or numpy and friends resolve elsewhere.
sys.path[:0] = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p not in sys.path]

import numpy as np  # noqa: E402
import triton_python_backend_utils as pb_utils  # noqa: E402

from filmstudio import clips  # noqa: E402
from filmstudio.errors import NotFound  # noqa: E402
from filmstudio.tensors import FRAMES_MADE, IMAGE_KEY, MOTION  # noqa: E402
from inference.backend import MadeCounter, cancelled_response, error_response, inputs, stored_bytes  # noqa: E402
from inference.results import ResultStore  # noqa: E402
from inference.sdxl import decode_portrait  # noqa: E402
from inference.signature import BadRequest, motion_requests  # noqa: E402
from inference.video import generate, load_pipeline, pipeline_kind, pipeline_name, weights_dir  # noqa: E402


class TritonPythonModel:
    """Loads the pipeline once; each execute moves all valid rows of all requests, batched by clip shape."""

    def initialize(self, args: dict) -> None:
        self.name = args["model_name"]
        parameters = json.loads(args["model_config"]).get("parameters", {})

        def parameter(key: str) -> str:
            return parameters.get(key, {}).get("string_value", "")

        kind = pipeline_name(parameter("pipeline"))  # ValueError: the load fails naming the parameter
        path = weights_dir(parameter("model_dir"))  # WeightsMissing: the load fails saying how to provide weights
        self.results = ResultStore.from_env()
        self.made = MadeCounter(self.name)
        self.pipeline = load_pipeline(path, kind)
        pb_utils.Logger.log_info(f"motion: loaded the {pipeline_kind(self.pipeline)} pipeline {path} on "
                                 f"{self.pipeline.device}")

    def _still(self, key: str) -> np.ndarray:
        """The still under key as RGB; BadRequest naming the key when it is not in the store or not an image."""
        try:
            data = self.results.get(key)
        except NotFound:
            raise BadRequest(f"input {IMAGE_KEY.name}: no still {key!r} in the object store") from None
        return np.asarray(decode_portrait(data, f"input {IMAGE_KEY.name} {key!r}"))

    def execute(self, requests: list) -> list:
        responses: list = [None] * len(requests)
        rows, stills, owners = [], [], []
        for index, request in enumerate(requests):
            responses[index] = cancelled_response(self.name, request)
            if responses[index] is not None:
                continue
            try:
                parsed = motion_requests(inputs(request, MOTION))
                pictures = [self._still(row.image_key) for row in parsed]
            except Exception as exc:  # this request fails alone
                responses[index] = error_response(self.name, exc)
                continue
            rows += parsed
            stills += pictures
            owners += [index] * len(parsed)
        if not rows:
            return responses
        try:
            made = generate(self.pipeline, rows, stills)
            self.made.increment(len(made))
        except Exception as exc:
            for index in set(owners):
                responses[index] = error_response(self.name, exc)
            return responses
        for index in sorted(set(owners)):
            mine = [row for row, owner in enumerate(owners) if owner == index]
            try:
                stored = [self.results.put(rows[row].result_key, clips.encode_clip(made[row], rows[row].fps),
                                           clips.CONTENT_TYPE) for row in mine]
            except Exception as exc:  # the store refused: this request fails alone
                responses[index] = error_response(self.name, exc)
                continue
            frames = [len(made[row]) for row in mine]
            responses[index] = pb_utils.InferenceResponse([
                stored_bytes(stored),
                pb_utils.Tensor(FRAMES_MADE.name, np.array(frames, FRAMES_MADE.data_type.numpy).reshape(-1, 1))])
        return responses

    def finalize(self) -> None:
        self.made.close()
        self.pipeline = None
        self.results.close()
