"""BS.1770 integrated loudness, checked against the standard's numbers and FFmpeg's ebur128."""

import math

import av
import av.filter
import numpy as np
import pytest

from composer import audio
from composer.loudness import integrated_loudness, k_weighting

RATE = 48_000


def ffmpeg_integrated(stereo: np.ndarray) -> float:
    graph = av.filter.Graph()
    source = graph.add_abuffer(format="fltp", sample_rate=RATE, layout="stereo")
    meter = graph.add("ebur128", "metadata=1")
    sink = graph.add("abuffersink")
    source.link_to(meter)
    meter.link_to(sink)
    graph.configure()
    value = None
    for start in range(0, stereo.shape[1], 4800):
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(stereo[:, start:start + 4800]), format="fltp",
                                           layout="stereo")
        frame.sample_rate, frame.pts = RATE, start
        graph.push(frame)
        while True:
            try:
                value = float(graph.pull().metadata["lavfi.r128.I"])
            except (av.BlockingIOError, av.EOFError):
                break
    return value


def test_k_weighting_at_48k_is_the_standard_filter():
    (shelf_b, shelf_a), (hp_b, hp_a) = k_weighting(48_000)
    assert np.allclose(shelf_b, [1.53512485958697, -2.69169618940638, 1.19839281085285])
    assert np.allclose(shelf_a, [1.0, -1.69065929318241, 0.73248077421585])
    assert np.allclose(hp_a, [1.0, -1.99004745483398, 0.99007225036621])


def test_a_1khz_tone_at_minus_20_dbfs_per_channel_reads_minus_20_lufs():
    t = np.arange(RATE * 5) / RATE
    tone = (0.1 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    assert abs(integrated_loudness(np.stack([tone, tone]), RATE) - (-20.0)) < 0.05


def test_dual_mono_measured_once_reads_as_both_channels():
    rng = np.random.default_rng(2)
    speech = (0.2 * rng.standard_normal(RATE * 3) * np.sin(np.arange(RATE * 3) / RATE * 7) ** 2).astype(np.float32)
    stereo = integrated_loudness(np.stack([speech, speech]), RATE)
    assert integrated_loudness(speech, RATE, copies=2) == pytest.approx(stereo, abs=1e-9)
    assert integrated_loudness(speech, RATE) == pytest.approx(stereo - 10 * math.log10(2), abs=0.05)


def test_gating_ignores_silence():
    t = np.arange(RATE * 4) / RATE
    tone = (0.1 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    padded = np.concatenate([tone, np.zeros(RATE * 8, np.float32)])
    # Ungated, 8 s of silence would pull it down ~4.8 LU; gated, only the blocks straddling the end count.
    assert abs(integrated_loudness(np.stack([padded, padded]), RATE) - (-20.0)) < 0.3
    assert integrated_loudness(np.zeros((2, RATE * 2), np.float32), RATE) == -math.inf


def test_matches_ffmpeg_ebur128_on_a_mastered_soundtrack():
    rng = np.random.default_rng(1)
    dialogue = np.zeros(RATE * 12, np.float32)
    for start in (1.0, 5.0, 8.5):
        n = RATE * 2
        t = np.arange(n) / RATE
        line = 0.2 * np.sin(2 * np.pi * 160 * t) * np.clip(np.sin(2 * np.pi * 3 * t), 0, None)
        audio.place(dialogue, (line + 0.01 * rng.standard_normal(n)).astype(np.float32), start)
    mix = audio.master(dialogue, audio.music_bed(len(dialogue), seed=7))
    ours = integrated_loudness(mix, RATE)
    assert abs(ours - audio.TARGET_LUFS) < 0.5
    assert abs(ours - ffmpeg_integrated(mix)) < 0.3
    assert np.abs(mix).max() <= audio.CEILING + 1e-6


def test_the_bed_is_ducked_while_someone_speaks():
    dialogue = np.zeros(RATE * 6, np.float32)
    dialogue[RATE * 2:RATE * 4] = 0.2
    gain = audio.duck_gain(dialogue)
    assert gain[RATE] == 1.0  # before the line
    assert gain[RATE * 3] < 10 ** (audio.DUCK_DB / 20) * 1.05  # during it
    assert gain[-1] > 0.9  # recovered after it
