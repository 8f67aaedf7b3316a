"""sdxl: StableDiffusionXLPipeline over a dynamic batch of requests (see inference.sdxl)."""

from __future__ import annotations

import json
import os
import sys

# The stub's interpreter starts isolated and ignores PYTHONPATH; the launcher's PYTHONPATH (this checkout and
# its virtualenv) must come before the system site-packages, or numpy and friends resolve elsewhere.
sys.path[:0] = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p not in sys.path]

import numpy as np  # noqa: E402
import triton_python_backend_utils as pb_utils  # noqa: E402

from filmstudio.tensors import IMAGE, SDXL  # noqa: E402
from inference.backend import cancelled_response, error_response, inputs  # noqa: E402
from inference.sdxl import generate, load_pipeline, weights_dir  # noqa: E402
from inference.signature import image_requests  # noqa: E402


class TritonPythonModel:
    """Loads the pipeline once; each execute runs all valid rows of all requests, batched by size."""

    def initialize(self, args: dict) -> None:
        self.name = args["model_name"]
        parameters = json.loads(args["model_config"]).get("parameters", {})
        model_dir = parameters.get("model_dir", {}).get("string_value", "")
        compile_unet = parameters.get("compile", {}).get("string_value", "false").lower() == "true"
        path = weights_dir(model_dir)  # WeightsMissing: the load fails with the path and how to provide weights
        self.pipeline = load_pipeline(path, compile_unet=compile_unet)
        pb_utils.Logger.log_info(f"sdxl: loaded {path} on {self.pipeline.device}")

    def execute(self, requests: list) -> list:
        responses: list = [None] * len(requests)
        rows, owners = [], []
        for index, request in enumerate(requests):
            responses[index] = cancelled_response(self.name, request)
            if responses[index] is not None:
                continue
            try:
                parsed = image_requests(inputs(request, SDXL))
            except Exception as exc:  # this request fails alone
                responses[index] = error_response(self.name, exc)
                continue
            rows += parsed
            owners += [index] * len(parsed)
        if rows:
            try:
                images = generate(self.pipeline, rows, warn=pb_utils.Logger.log_warn)
            except Exception as exc:
                for index in set(owners):
                    responses[index] = error_response(self.name, exc)
                return responses
            for index in sorted(set(owners)):
                mine = np.stack([image for image, owner in zip(images, owners) if owner == index])
                responses[index] = pb_utils.InferenceResponse([
                    pb_utils.Tensor(IMAGE.name, mine.astype(IMAGE.data_type.numpy, copy=False))])
        return responses

    def finalize(self) -> None:
        self.pipeline = None
