"""Integrated loudness per ITU-R BS.1770-4 / EBU R128: K-weighting, 400 ms blocks with 75 % overlap,
an absolute gate at -70 LUFS and a relative gate 10 LU below the ungated level.

The K-weighting biquads (high shelf + RLB high-pass) are designed for any rate with libebur128's
formulas (at 48 kHz they are the coefficients printed in the standard) and applied as an FFT
convolution with their impulse response, so a whole film is measured in numpy without scipy.
"""

from __future__ import annotations

import math

import numpy as np

_IR_TAPS = 1 << 13  # the high-pass poles sit at ~0.995 (a double pole): the tail is ~1e-15 by here
_NFFT = 1 << 16


def k_weighting(rate: int) -> list[tuple[tuple[float, float, float], tuple[float, float, float]]]:
    """The two biquads (b, a) of the K-weighting filter at `rate`."""
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10 ** (gain_db / 20)
    vb = vh ** 0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = ((vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0), \
            (1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0)
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    a0 = 1 + k / q + k * k
    highpass = (1.0, -2.0, 1.0), (1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0)
    return [shelf, highpass]


def _impulse_response(rate: int) -> np.ndarray:
    n = 2 * _IR_TAPS
    z = np.exp(-1j * np.pi * np.arange(n // 2 + 1) / (n // 2))  # e^{-jw} on the rfft grid
    response = np.ones_like(z)
    for b, a in k_weighting(rate):
        response *= (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)
    return np.fft.irfft(response, n)[:_IR_TAPS]


def _filtered_energy_per_hop(channel: np.ndarray, ir: np.ndarray, hop: int) -> np.ndarray:
    """Sum of squares of the K-weighted channel over each whole hop. Overlap-add convolution in
    blocks of whole hops, carrying the tail, so memory stays a few FFT blocks whatever the length."""
    nfft = _NFFT
    step = (nfft - len(ir) + 1) // hop * hop
    ir_f = np.fft.rfft(ir, nfft)
    carry = np.zeros(len(ir) - 1)
    energy = []
    whole = len(channel) // hop * hop
    for start in range(0, whole, step):
        chunk = channel[start:min(start + step, whole)].astype(np.float64)
        y = np.fft.irfft(np.fft.rfft(chunk, nfft) * ir_f, nfft)[:len(chunk) + len(ir) - 1]
        y[:len(carry)] += carry
        carry = y[len(chunk):].copy()
        energy.append(np.square(y[:len(chunk)]).reshape(-1, hop).sum(axis=1))
    return np.concatenate(energy) if energy else np.zeros(0)


def block_loudness(samples: np.ndarray, rate: int, copies: int = 1) -> np.ndarray:
    """Loudness (LUFS) of each 400 ms gating block (100 ms apart) of (channels, n) samples, each
    channel standing for `copies` identical channels (dual mono: one channel, copies=2)."""
    samples = np.atleast_2d(samples)
    hop = rate // 10
    ir = _impulse_response(rate)
    energy = copies * sum(_filtered_energy_per_hop(ch, ir, hop) for ch in samples)  # L, R, C weigh 1.0
    if len(energy) < 4:
        return np.zeros(0)
    blocks = (energy[:-3] + energy[1:-2] + energy[2:-1] + energy[3:]) / (4 * hop)
    with np.errstate(divide="ignore"):
        return -0.691 + 10 * np.log10(blocks)


def integrated_loudness(samples: np.ndarray, rate: int, copies: int = 1) -> float:
    """Gated integrated loudness in LUFS of (channels, n) float samples; -inf for silence.
    `copies` as in block_loudness."""
    loud = block_loudness(samples, rate, copies)
    loud = loud[loud > -70.0]
    if not len(loud):
        return -math.inf
    power = 10 ** ((loud + 0.691) / 10)
    relative_gate = -0.691 + 10 * math.log10(power.mean()) - 10.0
    power = power[loud > relative_gate]
    return -0.691 + 10 * math.log10(power.mean())
