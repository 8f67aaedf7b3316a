"""The one WAV codec: 16-bit PCM mono out, any 16-bit PCM in."""

from __future__ import annotations

import io
import struct
import wave

import numpy as np
import pytest

from filmstudio import wav


def wave_module_wav(pcm: bytes, rate: int, channels: int = 1, width: int = 2) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(pcm)
    return out.getvalue()


def riff(*chunks: tuple[bytes, bytes], size: int | None = None) -> bytes:
    body = b"WAVE" + b"".join(name + struct.pack("<I", len(data)) + data + b"\0" * (len(data) & 1)
                              for name, data in chunks)
    return b"RIFF" + struct.pack("<I", len(body) if size is None else size) + body


def fmt(format_tag=1, channels=1, rate=24_000, bits=16) -> tuple[bytes, bytes]:
    return b"fmt ", struct.pack("<HHIIHH", format_tag, channels, rate, rate * channels * bits // 8,
                                channels * bits // 8, bits)


def test_round_trip():
    samples = np.array([0, 1, -1, 32767, -32768, 1234], np.int16)
    samples_back, rate = wav.decode(wav.encode(samples, 24_000))
    assert rate == 24_000 and samples_back.dtype == np.int16 and samples_back.tolist() == samples.tolist()


def test_empty_round_trip():
    samples, rate = wav.decode(wav.encode(np.zeros(0, np.int16), 22_050))
    assert samples.size == 0 and rate == 22_050


def test_encode_writes_what_the_wave_module_writes():
    samples = np.arange(-500, 500, 7, dtype=np.int16)
    assert wav.encode(samples, 24_000) == wave_module_wav(samples.astype("<i2").tobytes(), 24_000)


def test_the_wave_module_reads_what_encode_writes():
    samples = np.array([5, -6, 7], np.int16)
    with wave.open(io.BytesIO(wav.encode(samples, 44_100))) as clip:
        assert (clip.getnchannels(), clip.getsampwidth(), clip.getframerate()) == (1, 2, 44_100)
        assert np.frombuffer(clip.readframes(3), "<i2").tolist() == [5, -6, 7]


def test_decoded_samples_are_a_writable_native_array():
    samples, _ = wav.decode(wav.encode(np.array([1, 2], np.int16), 8_000))
    samples[0] = 3
    assert samples.dtype == np.dtype(np.int16)


def test_several_channels_are_mixed_down_to_mono():
    stereo = np.array([[100, 300], [-100, -301], [7, 8]], "<i2")
    samples, rate = wav.decode(wave_module_wav(stereo.tobytes(), 48_000, channels=2))
    assert rate == 48_000 and samples.tolist() == [200, -200, 7]


def test_streamed_placeholder_sizes_read_to_the_end():
    header = (b"RIFF\xff\xff\xff\x7fWAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x22\x56\x00\x00\x44\xac\x00\x00"
              b"\x02\x00\x10\x00data\xff\xff\xff\x7f")
    samples, rate = wav.decode(header + np.array([1, -2, 3], "<i2").tobytes())
    assert rate == 22050 and samples.tolist() == [1, -2, 3]


def test_chunks_around_the_data_are_skipped_and_a_partial_frame_dropped():
    data = riff((b"LIST", b"odd"), fmt(channels=2), (b"data", np.array([1, 3, 5], "<i2").tobytes()),
                (b"LIST", b"trailing metadata"))
    samples, _ = wav.decode(data)
    assert samples.tolist() == [2]


def test_encode_rejects_what_is_not_mono():
    with pytest.raises(ValueError, match="mono"):
        wav.encode(np.zeros((4, 2), np.int16), 24_000)
    with pytest.raises(ValueError, match="sample rate 0"):
        wav.encode(np.zeros(4, np.int16), 0)


@pytest.mark.parametrize("data,message", [
    (b"", "not a WAV file"),
    (b"RIFF....WAVEfmt garbage", "fmt chunk is truncated"),
    (b"ID3\x03" + b"\0" * 40, "not a WAV file"),
    (riff((b"data", b"\0\0")), "data chunk comes before its fmt chunk"),
    (riff(fmt()), "no data chunk"),
    (riff((b"LIST", b"info")), "no fmt chunk"),
    (riff(fmt(bits=8), (b"data", b"\x80\x80")), "8-bit samples; 16-bit PCM expected"),
    (riff(fmt(bits=24), (b"data", b"\0" * 6)), "24-bit samples"),
    (riff(fmt(format_tag=3, bits=32), (b"data", b"\0" * 8)), "format 3, not PCM"),
    (riff(fmt(channels=0), (b"data", b"\0" * 4)), "0 channels"),
    (riff(fmt(rate=0), (b"data", b"\0" * 4)), "at 0 Hz"),
])
def test_bad_data_is_named(data, message):
    with pytest.raises(wav.WavError, match=message):
        wav.decode(data)


def test_a_wav_error_is_a_value_error():
    assert issubclass(wav.WavError, ValueError)
