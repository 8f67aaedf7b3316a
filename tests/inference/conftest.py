"""A real tritonserver (the wheel's binary) serving inference/model_repository, once per test session."""

from __future__ import annotations

import os
import pathlib

import pytest

from inference.launcher import TritonProcess
from orchestrator.triton import TritonClient
from tests.conftest import free_port


@pytest.fixture(scope="session")
def result_store(tmp_path_factory) -> pathlib.Path:
    """The object store (a directory) the session's Triton models write RESULT_KEYs to."""
    return tmp_path_factory.mktemp("results")


@pytest.fixture(scope="session")
def triton(tmp_path_factory, result_store) -> TritonProcess:
    """Triton with storyboard and tts loaded (sdxl is loaded by its own tests), stopped at the end."""
    process = TritonProcess(f"127.0.0.1:{free_port()}", free_port(), free_port(),
                            work_dir=tmp_path_factory.mktemp("triton"),
                            env=os.environ | {"FILMSTUDIO_STORE_URL": result_store.as_uri()})
    with process:
        yield process


@pytest.fixture(scope="session")
def tiny_sdxl(tmp_path_factory):
    """A tiny random-weight SDXL-shaped pipeline directory, written once (needs diffusers)."""
    from inference.random_sdxl import write_random_sdxl

    return write_random_sdxl(tmp_path_factory.mktemp("weights") / "tiny-sdxl")


@pytest.fixture
async def client(triton: TritonProcess) -> TritonClient:
    client = TritonClient(triton.grpc_addr, max_in_flight_per_model=8, deadline_s=60.0, retries=2)
    yield client
    await client.close()
