"""tts: lines of dialogue spoken with espeak-ng (see inference.voice); a batch's lines run in parallel."""

from __future__ import annotations

import os
import sys

# The stub's interpreter starts isolated and ignores PYTHONPATH; the launcher's PYTHONPATH (this checkout and
# its virtualenv) must come before the system site-packages, or numpy and friends resolve elsewhere.
sys.path[:0] = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p not in sys.path]

from concurrent.futures import ThreadPoolExecutor  # noqa: E402

import numpy as np  # noqa: E402
import triton_python_backend_utils as pb_utils  # noqa: E402

from filmstudio import wav  # noqa: E402
from filmstudio.tensors import AUDIO, DURATION, SAMPLE_RATE, TTS  # noqa: E402
from inference.backend import MadeCounter, answer, inputs, stored_bytes  # noqa: E402
from inference.results import ResultStore  # noqa: E402
from inference.signature import result_keys, speech_requests  # noqa: E402
from inference.voice import duration_s, espeak_binary, speak  # noqa: E402


class TritonPythonModel:
    """Each request of a batch is spoken by its own espeak-ng process, concurrently. A request with RESULT_KEY
    gets its lines stored there as WAVs (inference.results) and an empty AUDIO."""

    def initialize(self, args: dict) -> None:
        self.name = args["model_name"]
        espeak_binary()  # fail to load, saying what to install, rather than fail every request
        self.pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
        self.results = ResultStore.from_env()
        self.made = MadeCounter(self.name)

    def _speak(self, request) -> list:
        given = inputs(request, TTS)
        rows = speech_requests(given)
        keys = result_keys(given, len(rows))
        lines = [speak(line.text, line.voice) for line in rows]
        self.made.increment(len(lines))
        duration = np.array([[duration_s(line)] for line in lines], dtype=DURATION.data_type.numpy)
        if keys is None:
            if len(lines) != 1 and len({line.size for line in lines}) > 1:
                raise ValueError("send one line per request: lines of a batched request differ in length")
            audio, stored = np.stack(lines), [0] * len(lines)
        else:
            audio = np.zeros((len(lines), 0))
            stored = [self.results.put(key, wav.encode(line, SAMPLE_RATE), "audio/wav") for key, line in zip(keys, lines)]
        return [pb_utils.Tensor(AUDIO.name, audio.astype(AUDIO.data_type.numpy, copy=False)),
                pb_utils.Tensor(DURATION.name, duration), stored_bytes(stored)]

    def execute(self, requests: list) -> list:
        return list(self.pool.map(lambda request: answer(self.name, request, self._speak), requests))

    def finalize(self) -> None:
        self.made.close()
        self.pool.shutdown(wait=False)
        self.results.close()
