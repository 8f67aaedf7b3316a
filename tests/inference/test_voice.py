"""Speech with espeak-ng, as plain functions."""

from __future__ import annotations

import numpy as np
import pytest

from filmstudio.v1 import script_pb2
from inference.signature import BadRequest
from inference.voice import duration_s, resample, speak

VOICE = script_pb2.Voice(language="en-us", variant="m3", pitch=45, words_per_minute=160)


def test_speech_is_24khz_int16_and_stable():
    samples = speak("The kettle is boiling.", VOICE)
    assert samples.dtype == np.int16 and samples.ndim == 1
    assert 0.6 < duration_s(samples) < 4.0
    assert np.abs(samples).max() > 1000
    assert np.array_equal(samples, speak("The kettle is boiling.", VOICE))


def test_a_faster_voice_is_shorter_and_the_voices_differ():
    slow = speak("We have to leave before the sun comes up.", VOICE)
    fast = speak("We have to leave before the sun comes up.", script_pb2.Voice(language="en-us", variant="m3",
                                                                             pitch=45, words_per_minute=300))
    assert fast.size < slow.size * 0.75
    other = speak("We have to leave before the sun comes up.", script_pb2.Voice(language="en-us", variant="f2",
                                                                              pitch=80, words_per_minute=160))
    assert not np.array_equal(other[: slow.size], slow[: other.size])


def test_text_that_looks_like_an_option_is_spoken_not_parsed():
    assert speak("--help me", VOICE).size > 0


def test_empty_text_is_silence():
    assert speak("   ", VOICE).size == 0


@pytest.mark.parametrize("voice,message", [
    (script_pb2.Voice(language="en-us; rm -rf"), "LANGUAGE"), (script_pb2.Voice(variant="../x"), "VARIANT"),
    (script_pb2.Voice(pitch=100), "PITCH 100"), (script_pb2.Voice(words_per_minute=20), "WORDS_PER_MINUTE 20")])
def test_bad_voices_name_the_field(voice, message):
    with pytest.raises(BadRequest, match=message):
        speak("Hello.", voice)


def test_resampling_keeps_the_duration():
    tone = (np.sin(np.arange(22050) / 22050 * 2 * np.pi * 440) * 10000).astype(np.int16)
    out = resample(tone, 22050)
    assert out.size == 24000 and out.dtype == np.int16

