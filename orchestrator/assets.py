"""Content-addressed asset keys: the key of a generated image or voice clip is a hash of the model,
its version and every input, so an unchanged shot is found in the store instead of rendered again."""

from __future__ import annotations

import hashlib
import json

from google.protobuf import json_format
from google.protobuf.message import Message


def _canonical(value: object) -> object:
    if isinstance(value, Message):
        return json_format.MessageToDict(value, preserving_proto_field_name=True)
    return value


def asset_key(kind: str, model: str, version: str, inputs: dict[str, object], extension: str) -> str:
    """A stable store key such as "assets/image/ab/ab12....png" for these exact inputs."""
    document = json.dumps({"model": model, "version": version,
                           "inputs": {k: _canonical(v) for k, v in inputs.items()}},
                          sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(document.encode()).hexdigest()
    return f"assets/{kind}/{digest[:2]}/{digest}.{extension}"
