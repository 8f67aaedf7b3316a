"""storyboard: each shot drawn as an animatic panel from its ShotBrief (see inference.storyboard)."""

from __future__ import annotations

import os
import sys

# The stub's interpreter starts isolated and ignores PYTHONPATH; the launcher's PYTHONPATH (this checkout and
# its virtualenv) must come before the system site-packages, or numpy and friends resolve elsewhere.
sys.path[:0] = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p not in sys.path]

import numpy as np  # noqa: E402
import triton_python_backend_utils as pb_utils  # noqa: E402

from filmstudio.tensors import IMAGE, STORYBOARD  # noqa: E402
from inference.backend import cancelled_response, error_response, inputs  # noqa: E402
from inference.signature import image_requests  # noqa: E402
from inference.storyboard import brief_from_prompt, render_storyboard  # noqa: E402


class TritonPythonModel:
    """Draws every request of a batch in turn; one bad request fails alone."""

    def initialize(self, args: dict) -> None:
        self.name = args["model_name"]

    def execute(self, requests: list) -> list:
        responses = []
        for request in requests:
            cancelled = cancelled_response(self.name, request)
            if cancelled is not None:
                responses.append(cancelled)
                continue
            try:
                frames = [render_storyboard(row.brief or brief_from_prompt(row.prompt), row.seed, row.width, row.height)
                          for row in image_requests(inputs(request, STORYBOARD))]
                image = np.stack(frames).astype(IMAGE.data_type.numpy, copy=False)
                responses.append(pb_utils.InferenceResponse([pb_utils.Tensor(IMAGE.name, image)]))
            except Exception as exc:  # answered as this request's error; the others still succeed
                responses.append(error_response(self.name, exc))
        return responses

    def finalize(self) -> None:
        pass
