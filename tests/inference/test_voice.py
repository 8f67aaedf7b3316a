"""Speech with espeak-ng, as plain functions."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from filmstudio.v1 import script_pb2
from inference.signature import BadRequest
from inference.voice import duration_s, espeak_arguments, espeak_binary, resample, speak
from orchestrator.script.language import VOICES

VOICE = script_pb2.Voice(language="en-us", variant="m3", pitch=45, words_per_minute=160)
VOICE_SAMPLES = 12_000  # half a second: enough to tell two voices apart


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


def test_an_unknown_voice_is_refused_naming_it():
    with pytest.raises(RuntimeError, match=r"voice 'zz-qq\+m3'.*voice does not exist"):
        speak("Hello.", script_pb2.Voice(language="zz-qq", variant="m3", pitch=50, words_per_minute=160))


def phonemes(text: str, voice: script_pb2.Voice) -> str:
    """What espeak-ng reads the text as, with the options speak() gives it: its phoneme mnemonics (-x)."""
    result = subprocess.run([espeak_binary(), "-q", "-x", *espeak_arguments(voice)], input=text.encode(),
                            capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


def test_a_swedish_line_is_spoken_in_swedish():
    line = "Vi måste gå innan solen går upp."
    swedish = script_pb2.Voice(language="sv", variant="m3", pitch=45, words_per_minute=160)
    samples = speak(line, swedish)
    assert 1.0 < duration_s(samples) < 5.0 and np.abs(samples).max() > 1000
    assert not np.array_equal(samples[:VOICE_SAMPLES], speak(line, VOICE)[:VOICE_SAMPLES])
    read = phonemes(line, swedish)
    assert read == phonemes(line, script_pb2.Voice(language="sv"))  # variant, pitch and rate leave the reading
    # Swedish: "vi" is [vi:], "gå" [go:], "solen" [su:len]; English reads [vaI], [gA:], [soUl@n].
    assert "vi:" in read and "g'o:" in read and "s'u:l" in read, read
    english = phonemes(line, VOICE)
    assert "v'aI" in english and "g'o:" not in english, english


@pytest.mark.parametrize("language", sorted({voice for voice in VOICES.values() if voice}))
def test_every_voice_the_line_detector_names_is_installed_and_speaks(language):
    voice = script_pb2.Voice(language=language, variant="f2", pitch=60, words_per_minute=160)
    assert espeak_arguments(voice)[:2] == ["-v", f"{language}+f2"]
    assert speak("Ana, Bo, Eva.", voice).size > 0


def test_resampling_keeps_the_duration():
    tone = (np.sin(np.arange(22050) / 22050 * 2 * np.pi * 440) * 10000).astype(np.int16)
    out = resample(tone, 22050)
    assert out.size == 24000 and out.dtype == np.int16

