"""Where a model puts what it made when its caller names a RESULT_KEY: the object store, under that key,
before the model answers.

A result kept only in a response dies with its caller: an orchestrator replica killed while a shot is at
Triton loses the image, and the replica that takes the film over asks for it again. Written to the
content-addressed store first, it is found there by whoever asks next (orchestrator.workflow looks before
it asks). Clips must travel this way anyway: seconds of 1024x576 video are far over gRPC's 4 MB.

The store is the mesh's own (FILMSTUDIO_STORE_URL and FILMSTUDIO_S3_ENDPOINT, which inference.launcher
passes to Triton resolved; in k8s the Triton pods' service account may write the bucket). Triton calls
execute() from a plain thread (and a model may fan a batch out to threads), so the async store runs on a
loop of its own here, one call at a time.
"""

from __future__ import annotations

import asyncio
import io
import threading

import numpy as np
from PIL import Image

from filmstudio.config import Config
from filmstudio.storage import ObjectStore, open_store


class ResultStore:
    """Blocking put/get on the object store, for a Triton model's execute()."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self._loop = asyncio.new_event_loop()
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls) -> "ResultStore":
        config = Config.from_env()
        return cls(open_store(config.store_url, config.s3_endpoint))

    def put(self, key: str, data: bytes, content_type: str) -> int:
        """Store `data` under `key` (atomically: a reader sees all of it or nothing); its size."""
        with self._lock:
            self._loop.run_until_complete(self.store.put(key, data, content_type))
        return len(data)

    def get(self, key: str) -> bytes:
        with self._lock:
            return self._loop.run_until_complete(self.store.get(key))

    def close(self) -> None:
        with self._lock:
            self._loop.run_until_complete(self.store.close())
            self._loop.close()


def png(pixels: np.ndarray) -> bytes:
    """An H x W x 3 uint8 image as a PNG, compressed lightly (a still is read once or twice, and soon)."""
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
