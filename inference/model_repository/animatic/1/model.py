"""animatic: each shot drawn as a rig of layers from its ShotBrief (see inference.rig), stored under its
RESULT_KEY in filmstudio.rig's format."""

from __future__ import annotations

import os
import sys

# The stub's interpreter starts isolated and ignores PYTHONPATH; the launcher's PYTHONPATH (this checkout and
# its virtualenv) must come before the system site-packages, or numpy and friends resolve elsewhere.
sys.path[:0] = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p not in sys.path]

from filmstudio.rig import CONTENT_TYPE, encode_rig  # noqa: E402
from filmstudio.tensors import ANIMATIC  # noqa: E402
from inference.backend import MadeCounter, answer, inputs, stored_bytes  # noqa: E402
from inference.results import ResultStore  # noqa: E402
from inference.rig import render_rig  # noqa: E402
from inference.signature import image_requests, result_keys  # noqa: E402
from inference.storyboard import brief_from_prompt  # noqa: E402


class TritonPythonModel:
    """Draws every request of a batch in turn and stores each rig before answering; one bad request fails alone."""

    def initialize(self, args: dict) -> None:
        self.name = args["model_name"]
        self.results = ResultStore.from_env()
        self.made = MadeCounter(self.name)

    def execute(self, requests: list) -> list:
        return [answer(self.name, request, self._draw) for request in requests]

    def _draw(self, request) -> list:
        given = inputs(request, ANIMATIC)
        rows = image_requests(given)
        keys = result_keys(given, len(rows), required=True)
        stored = []
        for row, key in zip(rows, keys, strict=True):
            rig = render_rig(row.brief or brief_from_prompt(row.prompt), row.seed, row.width, row.height)
            stored.append(self.results.put(key, encode_rig(rig), CONTENT_TYPE))
        self.made.increment(len(stored))
        return [stored_bytes(stored)]

    def finalize(self) -> None:
        self.made.close()
        self.results.close()
