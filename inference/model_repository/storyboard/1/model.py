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
from inference.backend import MadeCounter, answer, inputs, stored_bytes  # noqa: E402
from inference.results import ResultStore, png  # noqa: E402
from inference.signature import image_requests, result_keys  # noqa: E402
from inference.storyboard import brief_from_prompt, render_storyboard  # noqa: E402


class TritonPythonModel:
    """Draws every request of a batch in turn; one bad request fails alone. A request with RESULT_KEY gets
    its images stored there as PNGs (inference.results) and an empty IMAGE."""

    def initialize(self, args: dict) -> None:
        self.name = args["model_name"]
        self.results = ResultStore.from_env()
        self.made = MadeCounter(self.name)

    def execute(self, requests: list) -> list:
        return [answer(self.name, request, self._draw) for request in requests]

    def _draw(self, request) -> list:
        given = inputs(request, STORYBOARD)
        rows = image_requests(given)
        keys = result_keys(given, len(rows))
        frames = [render_storyboard(row.brief or brief_from_prompt(row.prompt), row.seed, row.width, row.height)
                  for row in rows]
        self.made.increment(len(frames))
        if keys is None:
            image, stored = np.stack(frames), [0] * len(frames)
        else:
            image = np.zeros((len(frames), 0, 0, 3))
            stored = [self.results.put(key, png(frame), "image/png") for key, frame in zip(keys, frames)]
        return [pb_utils.Tensor(IMAGE.name, image.astype(IMAGE.data_type.numpy, copy=False)), stored_bytes(stored)]

    def finalize(self) -> None:
        self.made.close()
        self.results.close()
