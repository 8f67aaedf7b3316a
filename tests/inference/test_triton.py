"""The storyboard and tts models through the real Triton server and the orchestrator's client."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from PIL import Image
import tritonclient.grpc.aio as triton_aio

from filmstudio import tensors, wav
from filmstudio.errors import InvalidArgument, Unavailable
from filmstudio.v1 import script_pb2
from inference.storyboard import render_storyboard
from inference.voice import speak
from orchestrator.triton import TritonClient

pytestmark = pytest.mark.mesh

MAYA = script_pb2.Character(id="char-maya", name="MAYA", seed=1234)
BO = script_pb2.Character(id="char-bo", name="BO", seed=987)


async def settled_counts(raw, model: str, at_least: int = 0, timeout_s: float = 10.0) -> tuple[int, int]:
    """(inference_count, execution_count) once Triton's statistics stop moving.

    The Python backend reports a batch's statistics after its responses are sent, so a reading
    taken right after the last response can still miss the latest batches.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    previous = None
    while True:
        stats = (await raw.get_inference_statistics(model, as_json=True))["model_stats"][0]
        counts = int(stats.get("inference_count", 0)), int(stats.get("execution_count", 0))
        if (counts == previous and counts[0] >= at_least) or loop.time() > deadline:
            return counts
        previous = counts
        await asyncio.sleep(0.2)


def brief(framing=script_pb2.FRAMING_MEDIUM, opens_scene=False, shot_id="s01-sh01") -> script_pb2.ShotBrief:
    return script_pb2.ShotBrief(shot=script_pb2.Shot(id=shot_id, framing=framing), setting=script_pb2.SETTING_INTERIOR,
                                location="KITCHEN", time_of_day="NIGHT", characters=[MAYA, BO],
                                opens_scene=opens_scene)


async def test_storyboard_through_triton_matches_the_in_process_renderer(client):
    shot = brief(opens_scene=True)
    image = await client.render_image("storyboard", "a kitchen at night", "", 42, 320, 184, brief=shot)
    assert image.shape == (184, 320, 3) and image.dtype == np.uint8
    assert np.array_equal(image, render_storyboard(shot, 42, 320, 184))


async def test_without_a_shot_the_prompt_sets_the_scene(client):
    night = await client.render_image("storyboard", "a street at night", "", 1, 160, 96)
    day = await client.render_image("storyboard", "a street by day", "", 1, 160, 96)
    assert night.mean() < day.mean()


@pytest.mark.parametrize("width,height", [(321, 184), (320, 180), (4096, 184), (0, 184)])
async def test_bad_sizes_are_rejected_before_reaching_the_model(client, triton, width, height):
    async with triton_aio.InferenceServerClient(triton.grpc_addr) as raw:
        before = await settled_counts(raw, "storyboard")
        with pytest.raises(InvalidArgument, match="multiple of 8") as raised:
            await client.render_image("storyboard", "p", "", 1, width, height, brief=brief(shot_id="s02-sh03"))
        assert "s02-sh03" in raised.value.message
        after = await settled_counts(raw, "storyboard")
    assert before == after


async def test_an_image_asked_to_be_stored_is_in_the_store_before_the_answer(client, result_store):
    shot = brief()
    pixels = await client.render_image("storyboard", "p", "", 5, 128, 72, brief=shot)
    size = await client.store_image("shots/a/b.png", "storyboard", "p", "", 5, 128, 72, brief=shot)
    stored = result_store / "shots/a/b.png"
    assert stored.stat().st_size == size
    with Image.open(stored) as image:
        assert np.array_equal(np.asarray(image.convert("RGB")), pixels)


async def test_a_line_asked_to_be_stored_is_the_same_speech_as_one_sent_back(client, result_store):
    voice = script_pb2.Voice(language="en-us", variant="f2", pitch=60, words_per_minute=170)
    speech = await client.speak("Keep it burning.", voice)
    size = await client.store_speech("voices/line.wav", "Keep it burning.", voice)
    assert (result_store / "voices/line.wav").stat().st_size == size
    samples, rate = wav.decode((result_store / "voices/line.wav").read_bytes())
    # The same line in the same voice (espeak-ng once differed by a few samples between two runs: compared
    # as a listener would, by length and loudness).
    assert rate == speech.sample_rate
    assert abs(samples.size - speech.samples.size) <= 0.01 * speech.samples.size
    assert np.std(samples) == pytest.approx(np.std(speech.samples), rel=0.05)


@pytest.mark.parametrize("key", ["../outside.png", "/etc/passwd", ""])
async def test_a_result_key_outside_the_store_is_refused_naming_it(client, result_store, key):
    with pytest.raises(InvalidArgument, match="RESULT_KEY: bad object key"):
        await client.store_image(key, "storyboard", "p", "", 5, 64, 64)
    assert not (result_store.parent / "outside.png").exists()


async def test_a_failing_request_fails_alone_and_the_next_one_works(client, triton):
    from orchestrator.triton import _tensor

    # A SHOT that is not a ShotBrief: the model answers this request with Triton's error...
    values = ("p", "", 1, 64, 64, 1, 1.0, "{not json")
    inputs = [_tensor(spec, value) for spec, value in zip(tensors.IMAGE_INPUTS, values, strict=True)]
    with pytest.raises(InvalidArgument, match="SHOT is not a filmstudio.v1.ShotBrief"):
        await client._infer(tensors.STORYBOARD.name, inputs, tensors.STORYBOARD.outputs)
    # ...and the model keeps serving.
    image = await client.render_image("storyboard", "p", "", 1, 64, 64, brief=brief())
    assert image.shape == (64, 64, 3)


async def test_same_seed_same_frame_whatever_its_batch_neighbours(client):
    alone = await client.render_image("storyboard", "p", "", 7, 256, 144, brief=brief())
    crowd = await asyncio.gather(*[
        client.render_image("storyboard", "p", "", seed, 256, 144, brief=brief(framing=framing))
        for seed, framing in [(7, script_pb2.FRAMING_MEDIUM), (8, script_pb2.FRAMING_WIDE),
                              (9, script_pb2.FRAMING_CLOSE_UP), (7, script_pb2.FRAMING_MEDIUM)] * 4])
    assert np.array_equal(crowd[0], alone) and np.array_equal(crowd[3], alone)
    assert not np.array_equal(crowd[1], alone)


async def test_concurrent_shots_share_batches(client, triton):
    async with triton_aio.InferenceServerClient(triton.grpc_addr) as raw:
        before = await settled_counts(raw, "storyboard")
        shots = [brief(shot_id=f"s01-sh{i:02d}") for i in range(32)]
        images = await asyncio.gather(*[client.render_image("storyboard", "p", "", i, 128, 72, brief=shot)
                                        for i, shot in enumerate(shots)])
        after = await settled_counts(raw, "storyboard", at_least=before[0] + 32)
    assert all(image.shape == (72, 128, 3) for image in images)
    inferences, executions = after[0] - before[0], after[1] - before[1]
    assert inferences == 32
    assert executions < inferences  # some requests were executed together


async def test_an_unknown_model_is_unavailable_at_once(client):
    with pytest.raises(Unavailable, match="'nope' is not loaded"):
        await client.render_image("nope", "p", "", 1, 64, 64)
    assert not await client.is_model_ready("nope")
    assert await client.is_model_ready("storyboard")


async def test_triton_down_is_unavailable_naming_the_address():
    client = TritonClient("127.0.0.1:9", deadline_s=5.0, retries=1)
    client.backoff_s = 0.01
    with pytest.raises(Unavailable, match="127.0.0.1:9"):
        await client.render_image("storyboard", "p", "", 1, 64, 64)
    await client.close()


async def test_speech_through_triton(client):
    voice = script_pb2.Voice(language="en-us", variant="f2", pitch=60, words_per_minute=170)
    speech = await client.speak("Where were you last night?", voice)
    assert speech.sample_rate == 24_000 and speech.samples.dtype == np.int16
    assert speech.duration_s == speech.samples.size / 24_000
    assert 0.5 < speech.duration_s < 5
    local = speak("Where were you last night?", voice)
    differs = np.flatnonzero(speech.samples[:local.size] != local[:speech.samples.size])
    assert np.array_equal(speech.samples, local), (
        f"Triton gave {speech.samples.size} samples, in-process {local.size}; first difference at {differs[:1]}")
    wav = speech.wav_bytes()
    assert wav[:4] == b"RIFF" and len(wav) == 44 + 2 * speech.samples.size


async def test_a_bad_voice_is_invalid_and_lines_batch_together(client):
    with pytest.raises(InvalidArgument, match="PITCH 140"):
        await client.speak("Hello.", script_pb2.Voice(language="en-us", pitch=140, words_per_minute=160))
    voices = [script_pb2.Voice(language="en-us", variant=v, pitch=p, words_per_minute=160)
              for v, p in [("m3", 40), ("f2", 70)] * 3]
    lines = await asyncio.gather(*[client.speak("Run.", voice) for voice in voices])
    assert np.array_equal(lines[0].samples, lines[2].samples)
    assert not np.array_equal(lines[0].samples, lines[1].samples)


async def test_a_model_failure_is_failed_precondition_with_tritons_message_and_the_model_recovers(client):
    from filmstudio.errors import FailedPrecondition

    unknown = script_pb2.Voice(language="zz-qq", pitch=50, words_per_minute=160)  # well-formed, not installed
    with pytest.raises(FailedPrecondition, match="espeak-ng failed.*voice does not exist"):
        await client.speak("Hello.", unknown)
    speech = await client.speak("Hello.", script_pb2.Voice(language="en-us", pitch=50, words_per_minute=160))
    assert speech.samples.size > 0
