"""sdxl: StableDiffusionXLPipeline over a dynamic batch of requests, conditioned on reference portraits through an
IP-Adapter when it has one (see inference.sdxl)."""

from __future__ import annotations

import json
import os
import sys

# The stub's interpreter starts isolated and ignores PYTHONPATH; the launcher's PYTHONPATH (this checkout and
# its virtualenv) must come before the system site-packages, or numpy and friends resolve elsewhere.
sys.path[:0] = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p not in sys.path]

import numpy as np  # noqa: E402
import triton_python_backend_utils as pb_utils  # noqa: E402

from filmstudio.tensors import IMAGE, REFERENCES_APPLIED, SDXL  # noqa: E402
from inference.backend import MadeCounter, cancelled_response, error_response, inputs, stored_bytes  # noqa: E402
from inference.sdxl import (default_scale, find_ip_adapter, generate, load_pipeline, reference_rows,  # noqa: E402
                            references_applied, weights_dir)
from inference.results import ResultStore, png  # noqa: E402
from inference.signature import image_requests, result_keys  # noqa: E402


class TritonPythonModel:
    """Loads the pipeline once; each execute runs all valid rows of all requests, batched by size."""

    def initialize(self, args: dict) -> None:
        self.name = args["model_name"]
        parameters = json.loads(args["model_config"]).get("parameters", {})

        def parameter(key: str, default: str = "") -> str:
            return parameters.get(key, {}).get("string_value", "") or default

        compile_unet = parameter("compile", "false").lower() == "true"
        path = weights_dir(parameter("model_dir"))  # WeightsMissing: the load fails saying how to provide weights
        self.default_scale = default_scale(parameter("ip_adapter_scale", "0.6"))
        # Without adapter weights the model says so here, once, and answers REFERENCES_APPLIED 0.
        adapter = find_ip_adapter(parameter("ip_adapter_dir"), parameter("ip_adapter_subfolder", "sdxl_models"),
                                  parameter("ip_adapter_weight_name", "ip-adapter_sdxl.safetensors"),
                                  parameter("ip_adapter_image_encoder", "image_encoder"),
                                  warn=pb_utils.Logger.log_warn)
        self.results = ResultStore.from_env()
        self.made = MadeCounter(self.name)
        self.pipeline = load_pipeline(path, compile_unet=compile_unet, ip_adapter=adapter,
                                      warn=pb_utils.Logger.log_warn)
        pb_utils.Logger.log_info(f"sdxl: loaded {path} on {self.pipeline.device}"
                                 + (f" with the IP-Adapter {adapter.weights}" if adapter is not None else ""))

    def execute(self, requests: list) -> list:
        responses: list = [None] * len(requests)
        rows, references, owners, keys = [], [], [], {}
        for index, request in enumerate(requests):
            responses[index] = cancelled_response(self.name, request)
            if responses[index] is not None:
                continue
            try:
                given = inputs(request, SDXL)
                parsed = image_requests(given)
                portraits = reference_rows(given, len(parsed), self.default_scale)
                keys[index] = result_keys(given, len(parsed))
            except Exception as exc:  # this request fails alone
                responses[index] = error_response(self.name, exc)
                continue
            rows += parsed
            references += portraits
            owners += [index] * len(parsed)
        if rows:
            try:
                images = generate(self.pipeline, rows, warn=pb_utils.Logger.log_warn, references=references)
                self.made.increment(len(images))
            except Exception as exc:
                for index in set(owners):
                    responses[index] = error_response(self.name, exc)
                return responses
            for index in sorted(set(owners)):
                mine = [row for row, owner in enumerate(owners) if owner == index]
                applied = np.array([[references_applied(self.pipeline, references[row])] for row in mine],
                                   dtype=REFERENCES_APPLIED.data_type.numpy)
                try:
                    if keys[index] is None:
                        pixels, stored = np.stack([images[row] for row in mine]), [0] * len(mine)
                    else:
                        pixels = np.zeros((len(mine), 0, 0, 3))
                        stored = [self.results.put(key, png(images[row]), "image/png")
                                  for key, row in zip(keys[index], mine)]
                except Exception as exc:  # the store refused: this request fails alone
                    responses[index] = error_response(self.name, exc)
                    continue
                responses[index] = pb_utils.InferenceResponse([
                    pb_utils.Tensor(IMAGE.name, pixels.astype(IMAGE.data_type.numpy, copy=False)),
                    pb_utils.Tensor(REFERENCES_APPLIED.name, applied),
                    stored_bytes(stored)])
        return responses

    def finalize(self) -> None:
        self.made.close()
        self.pipeline = None
        self.results.close()
