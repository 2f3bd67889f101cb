"""Benchmark of the DM-RS channel estimators and the MMSE-IRC detector of the reference
receiver: one slot from the received grid to the channel estimate of every RE (with the noise
covariance), against the former all-numpy LS implementation (gathers with take_along_axis),
kept here as the baseline.

Cases: 273 PRBs at 30 kHz, 4 layers, 4 receive antennas; 106 PRBs at 30 kHz, 1 layer,
2 receive antennas; DM-RS type 1 with one additional position, TDL-C 300 ns 100 Hz at 20 dB.
Figures are best-of-N on a machine that may be shared, so they are pessimistic.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from _timing import best_time
from opennr.channel import TdlChannel, TdlConfig
from opennr.numerology import Carrier
from opennr.physical.dmrs import DmrsConfig
from opennr.physical.pdsch import PdschConfig, pdsch_bit_capacity, pdsch_grid, pdsch_indices
from opennr.receiver.channel_estimation import (
    _dmrs,
    _estimation_plan,
    ls_channel_estimate,
    wiener_channel_estimate,
)
from opennr.receiver.equalization import equalize


def _numpy_ls(y, carrier, config):
    """The LS estimate as first written: numpy despreading and take_along_axis interpolation."""
    ep = _estimation_plan(dataclasses.replace(carrier, n_slot=0, n_frame=0), config)
    idx, val = _dmrs(carrier, config, 0)
    n_rx, nu = y.shape[0], config.n_layers
    z = y.reshape(n_rx, -1)[:, idx] * (np.conj(val) / (np.abs(val) ** 2))[None]
    z = z.reshape(n_rx, nu, ep.time_groups, config.dmrs.length, ep.n_pairs, 2)
    hp = z.mean(axis=(3, 5)).astype(np.complex64)
    j = np.arange(nu)[:, None]
    sd = ep.second_diff
    d2 = hp[:, j, :, sd - 1] - 2 * hp[:, j, :, sd] + hp[:, j, :, sd + 1]
    noise = float(np.mean(np.abs(d2) ** 2)) * config.dmrs.beta ** 2 * ep.n_avg / 6.0
    left = np.take_along_axis(hp, ep.f_left[None, :, None, :], axis=-1)
    right = np.take_along_axis(hp, ep.f_left[None, :, None, :] + 1, axis=-1)
    hf = left + ep.f_weight[None, :, None, :] * (right - left)
    t = np.clip(np.arange(ep.n_sym), 0, None)
    tl = np.argmax(ep.a_linear > 0, axis=1) if ep.time_groups > 1 else t * 0
    tl = np.minimum(tl, max(ep.time_groups - 2, 0))
    if ep.time_groups == 1:
        ht = np.broadcast_to(hf, (n_rx, nu, ep.n_sym, ep.k_alloc.size))
    else:
        wt = ep.a_linear[np.arange(ep.n_sym), tl + 1][None, None, :, None]
        a, b = hf[:, :, tl], hf[:, :, tl + 1]
        ht = a + wt * (b - a)
    h = np.zeros((n_rx, nu, carrier.symbols_per_slot, carrier.n_subcarriers), np.complex64)
    h[:, :, ep.l0:ep.l0 + ep.n_sym, ep.k_alloc] = ht
    return h, noise


def _case(n_prb, n_layers, n_rx, rng):
    carrier = Carrier(scs=30, n_size_grid=n_prb)
    config = PdschConfig(n_layers=n_layers, dmrs=DmrsConfig(additional_position=1))
    g = pdsch_bit_capacity(carrier, config)[0]
    tx = pdsch_grid(rng.integers(0, 2, g, dtype=np.uint8), carrier, config)
    ch = TdlChannel(TdlConfig(model="TDL-C", delay_spread=300e-9, max_doppler=100.0,
                              n_tx=n_layers, n_rx=n_rx), rng)
    h = ch.ofdm_response(carrier, 0)
    y = np.einsum("rjlk,jlk->rlk", h, tx)
    y += (np.sqrt(0.005) * (rng.standard_normal(y.shape)
                            + 1j * rng.standard_normal(y.shape))).astype(np.complex64)
    return carrier, config, y


def run(quick: bool = False) -> list[dict]:
    rng = np.random.default_rng(1)
    repeats = 3 if quick else 30
    cases = [("273 PRB, 4 layers, 4 rx", (273, 4, 4)), ("106 PRB, 1 layer, 2 rx", (106, 1, 2))]
    out = []
    for name, args in cases:
        carrier, config, y = _case(*args, rng)
        ls = ls_channel_estimate(y, carrier, config)
        h_ref, _ = _numpy_ls(y, carrier, config)
        if not np.allclose(ls.h, h_ref, atol=1e-5):
            raise RuntimeError(f"{name}: the compiled LS estimate differs from the numpy baseline")
        t_np = best_time(lambda y=y, c=carrier, p=config: _numpy_ls(y, c, p), repeats)
        t_ls = best_time(lambda y=y, c=carrier, p=config: ls_channel_estimate(y, c, p), repeats)
        t_w = best_time(lambda y=y, c=carrier, p=config: wiener_channel_estimate(y, c, p), repeats)
        idx = pdsch_indices(carrier, config)
        n_rx = y.shape[0]
        yd = y.reshape(n_rx, -1)[:, idx]
        hd = ls.h.reshape(n_rx, config.n_layers, -1)[:, :, idx]
        gi = (idx % carrier.n_subcarriers) // 12
        t_mmse = best_time(lambda yd=yd, hd=hd, s=ls.noise_var: equalize(yd, hd, s), repeats)
        t_irc = best_time(lambda yd=yd, hd=hd, r=ls.noise_cov, g=gi:
                          equalize(yd, hd, 1.0, method="irc", noise_cov=r, cov_index=g), repeats)
        for label, t in (("LS estimate, numpy baseline (without covariance)", t_np),
                         ("LS estimate with noise covariance", t_ls),
                         ("Wiener estimate with noise covariance", t_w),
                         ("MMSE detection of the data REs", t_mmse),
                         ("MMSE-IRC detection of the data REs", t_irc)):
            out.append({"name": f"{label}, {name}", "value": t * 1e3, "unit": "ms/slot",
                        "target": None})
    return out


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']}: {row['value']:.2f} {row['unit']}")
