"""The motion model: inference.video's pipeline code on tiny random-weight SVD and LTX-Video pipelines (CPU), and
the model served by the real Triton, reading stills from and writing clips to an object store."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import os

import numpy as np
import pytest

pytest.importorskip("diffusers", reason="motion needs diffusers, transformers and torch")

from filmstudio import tensors  # noqa: E402
from filmstudio.clips import read_clip  # noqa: E402
from inference.signature import MotionRequest  # noqa: E402
from inference.video import WeightsMissing, fit_still, generate, load_pipeline, pipeline_name, weights_dir  # noqa: E402
from tests.conftest import free_port  # noqa: E402

SHOT = MotionRequest("stills/s01.png", "waves roll in under a lighthouse", 11, 64, 64, 9, 25, 2, 3.0, "clips/s01.mkv")


def still(seed: int = 0, width: int = 96, height: int = 64) -> np.ndarray:
    """A smooth picture, different for each seed."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    colour = rng.integers(0, 255, 3)
    return np.clip(np.stack([x * 2, y * 3, x + y], -1) + colour, 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def tiny_video(tmp_path_factory):
    """Tiny random-weight pipeline directories by kind, written once."""
    from inference.random_video import write_random_video

    root = tmp_path_factory.mktemp("motion-weights")
    return {kind: write_random_video(root / f"tiny-{kind}", kind) for kind in ("svd", "ltx")}


@pytest.fixture(scope="module")
def pipelines(tiny_video):
    return {kind: load_pipeline(path) for kind, path in tiny_video.items()}


def test_missing_weights_name_the_variable_and_the_parameter(tmp_path):
    with pytest.raises(WeightsMissing, match="no weights configured: set FILMSTUDIO_MOTION_MODEL_DIR "
                                             r"\(or the motion model parameter model_dir\)"):
        weights_dir("", env={})
    with pytest.raises(WeightsMissing, match=f"{tmp_path / 'none'} does not exist; set FILMSTUDIO_MOTION_MODEL_DIR"):
        weights_dir(str(tmp_path / "none"))
    with pytest.raises(WeightsMissing, match=f"{tmp_path} has no model_index.json"):
        weights_dir("", env={"FILMSTUDIO_MOTION_MODEL_DIR": str(tmp_path)})


def test_the_pipeline_parameter_must_match_the_weights(tiny_video):
    with pytest.raises(ValueError, match="motion parameter pipeline 'sora' must be one of ltx, svd"):
        pipeline_name("sora")
    with pytest.raises(WeightsMissing, match="are a StableVideoDiffusionPipeline, not LTXImageToVideoPipeline; "
                                             "set the motion parameter pipeline to 'svd' or empty"):
        load_pipeline(tiny_video["svd"], "ltx")


@pytest.mark.parametrize("kind", ["svd", "ltx"])
def test_a_clip_has_its_frames_and_a_seed_gives_the_same_clip_in_any_batch(pipelines, kind):
    pipeline = pipelines[kind]
    (alone,) = generate(pipeline, [SHOT], [still()])
    assert alone.shape == (9, 64, 64, 3) and alone.dtype == np.uint8
    other, again, wide = generate(pipeline, [dataclasses.replace(SHOT, seed=12), SHOT,
                                             dataclasses.replace(SHOT, width=128, frame_count=17)], [still()] * 3)
    assert np.abs(again.astype(int) - alone).max() <= 1  # float batching noise at most
    assert np.abs(other.astype(int) - alone).mean() > 5
    assert wide.shape == (17, 64, 128, 3)


def test_ltx_reads_the_prompt_and_svd_does_not(pipelines):
    for kind, differs in (("ltx", True), ("svd", False)):
        first, second = generate(pipelines[kind], [SHOT, dataclasses.replace(SHOT, prompt="a storm")], [still()] * 2)
        assert (np.abs(first.astype(int) - second).max() > 1) == differs, kind


def test_a_still_is_cropped_to_the_clip_aspect_not_stretched():
    picture = np.zeros((60, 120, 3), np.uint8)
    picture[:, :30] = picture[:, 90:] = (255, 0, 0)  # red side bands outside the centred square
    picture[:, 30:90] = (0, 0, 255)
    fitted = np.asarray(fit_still(picture, 64, 64))
    assert fitted.shape == (64, 64, 3) and (fitted[..., 2] > 250).all() and (fitted[..., 0] < 5).all()
    tall = np.asarray(fit_still(picture.transpose(1, 0, 2), 64, 64))
    assert (tall[..., 2] > 250).all()


# Through Triton ---------------------------------------------------------------------------------------------

def png(pixels: np.ndarray) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "PNG")
    return out.getvalue()


def motion_inputs(shot: MotionRequest, leave_out: str = ""):
    import tritonclient.grpc.aio as triton_aio

    values = dict(IMAGE_KEY=shot.image_key, PROMPT=shot.prompt, SEED=shot.seed, WIDTH=shot.width,
                  HEIGHT=shot.height, FRAME_COUNT=shot.frame_count, FPS=shot.fps, STEPS=shot.steps,
                  GUIDANCE=shot.guidance, RESULT_KEY=shot.result_key)
    inputs = []
    for spec in tensors.MOTION.inputs:
        if spec.name == leave_out:
            continue
        value = values[spec.name]
        value = value.encode() if isinstance(value, str) else value
        tensor = triton_aio.InferInput(spec.name, [1, *spec.dims], spec.data_type.kserve)
        tensor.set_data_from_numpy(np.array([[value]], dtype=spec.data_type.numpy))
        inputs.append(tensor)
    return inputs


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return tmp_path_factory.mktemp("store")


@pytest.fixture(scope="module")
def motion_triton(tmp_path_factory, store):
    """A Triton writing to `store`, with no model loaded: each test loads motion with the weights it wants."""
    from inference.launcher import TritonProcess

    process = TritonProcess(f"127.0.0.1:{free_port()}", free_port(), free_port(), models=(),
                            work_dir=tmp_path_factory.mktemp("triton"),
                            env=os.environ | {"FILMSTUDIO_STORE_URL": store.as_uri()})
    with process:
        yield process


async def infer(raw, shot: MotionRequest, leave_out: str = "") -> tuple[int, int]:
    outputs = [tensors.STORED_BYTES.name, tensors.FRAMES_MADE.name]
    import tritonclient.grpc.aio as triton_aio

    result = await raw.infer("motion", motion_inputs(shot, leave_out),
                             outputs=[triton_aio.InferRequestedOutput(name) for name in outputs])
    return int(result.as_numpy(outputs[0])[0, 0]), int(result.as_numpy(outputs[1])[0, 0])


@pytest.mark.slow
@pytest.mark.mesh
async def test_motion_through_triton_stores_clips_and_refuses_bad_shots(motion_triton, store, tiny_video, pipelines):
    import tritonclient.grpc.aio as triton_aio
    from tritonclient.utils import InferenceServerException

    from inference.launcher import model_config_json

    (store / "stills").mkdir()
    (store / "stills/s01.png").write_bytes(png(still()))
    (store / "stills/s02.png").write_bytes(png(still(1)))
    async with triton_aio.InferenceServerClient(motion_triton.grpc_addr) as raw:
        with pytest.raises(InferenceServerException, match=f"{store / 'nowhere'} does not exist"):
            await raw.load_model("motion", config=model_config_json("motion", model_dir=str(store / "nowhere")))
        await raw.load_model("motion", config=model_config_json("motion", model_dir=str(tiny_video["svd"]),
                                                                pipeline="svd"))
        try:
            # Two shots at once (batched by Triton), each clip in the store under its key, as the pipeline made it.
            second = dataclasses.replace(SHOT, image_key="stills/s02.png", seed=5, result_key="clips/s02.mkv")
            (size, frames), (size_2, _) = await asyncio.gather(infer(raw, SHOT), infer(raw, second))
            assert frames == 9 and size == (store / "clips/s01.mkv").stat().st_size
            clip = read_clip(store / "clips/s01.mkv")
            assert (clip.fps, clip.frame_count, clip.width, clip.height) == (25, 9, 64, 64)
            (expected,) = generate(pipelines["svd"], [SHOT], [still()])
            assert np.abs(clip.frames().astype(int) - expected).max() <= 1
            assert size_2 == (store / "clips/s02.mkv").stat().st_size
            assert not np.array_equal(read_clip(store / "clips/s02.mkv").frames(), clip.frames())

            # Bad shots fail alone with INVALID_ARG naming what is wrong, and the model keeps serving.
            for shot, leave_out, message in [
                    (dataclasses.replace(SHOT, image_key="stills/none.png"), "",
                     "IMAGE_KEY: no still 'stills/none.png' in the object store"),
                    (dataclasses.replace(SHOT, frame_count=10), "", r"FRAME_COUNT 10 must be 8k\+1"),
                    (SHOT, "RESULT_KEY", "RESULT_KEY"),
                    (dataclasses.replace(SHOT, result_key="../escape.mkv"), "", "RESULT_KEY: bad object key")]:
                with pytest.raises(InferenceServerException, match=message) as caught:
                    await infer(raw, shot, leave_out)
                assert str(caught.value.status()).endswith("INVALID_ARGUMENT"), caught.value
            assert not (store.parent / "escape.mkv").exists()

            # LTX-Video, text-conditioned, from the same model with other weights.
            await raw.load_model("motion", config=model_config_json("motion", model_dir=str(tiny_video["ltx"])))
            ltx = dataclasses.replace(SHOT, result_key="clips/ltx.mkv", frame_count=17, fps=30)
            assert (await infer(raw, ltx))[1] == 17
            clip = read_clip(store / "clips/ltx.mkv")
            assert (clip.fps, clip.frame_count) == (30, 17)
            (expected,) = generate(pipelines["ltx"], [ltx], [still()])
            assert np.abs(clip.frames().astype(int) - expected).max() <= 1
        finally:
            await raw.unload_model("motion")
