"""The CA-SCL polar decoder (TS 38.212 §5.3.1) against a slow bit-by-bit reference list decoder.

The reference below decodes leaf by leaf with full copies of the path state (no subtree
shortcuts, no shared slots), min-sum updates and the path metric penalty ``|LLR|``; the data
bit candidates are ranked by a stable sort (metric, then path slot, then bit value), the
``u = 1`` branch of a path keeping both goes to the lowest free slot, and the first path in
metric order whose CRC checks is returned. On noisy frames the decoder must return exactly its
bits and CRC flags for every list size.
"""

from __future__ import annotations

import numpy as np
import pytest

from opennr.coding.crc import CRC_LENGTHS, crc_attach, crc_remainder
from opennr.coding.polar import (
    BIT_DATA,
    BIT_PC,
    polar_code,
    polar_decode,
    polar_encode,
    polar_rate_match,
    polar_rate_recover,
    uci_parity_check_bits,
)


def _f(x):
    h = x.shape[-1] // 2
    a, b = x[..., :h], x[..., h:]
    m = np.minimum(np.abs(a), np.abs(b))
    return np.where((a < 0) != (b < 0), -m, m).astype(np.float32)


def _g(x, u):
    h = x.shape[-1] // 2
    a, b = x[..., :h], x[..., h:]
    return np.where(u != 0, b - a, b + a).astype(np.float32)


def _reference_scl(llr, code, list_size, crc, prefix_ones=0, mask=None):
    """Bit-by-bit CA-SCL of every row of ``llr`` (B, N); returns bits (B, K) and crc_ok (B,)."""
    n_rows, n, n_log, big = llr.shape[0], code.n, code.n_log, list_size
    alpha = [np.zeros((n_rows, big, 1 << s), np.float32) for s in range(n_log)]
    alpha.append(np.repeat(llr[:, None, :].astype(np.float32), big, axis=1))
    beta = [np.zeros((n_rows, big, 1 << s), np.uint8) for s in range(n_log)]
    active = np.zeros((n_rows, big), bool)
    active[:, 0] = True
    metric = np.zeros((n_rows, big))
    pc_reg = np.zeros((n_rows, big), np.int64)
    bits = np.zeros((n_rows, big, code.k), np.uint8)
    kk = 0
    for phi in range(n):
        if phi == 0:
            s = n_log - 1
        else:
            t = (phi & -phi).bit_length() - 1
            alpha[t] = _g(alpha[t + 1], beta[t])
            s = t - 1
        for layer in range(s, -1, -1):
            alpha[layer] = _f(alpha[layer + 1])
        lam = alpha[0][:, :, 0].astype(np.float64)
        pc_reg = (pc_reg >> 1) | ((pc_reg & 1) << 4)
        kind = code.bit_type[phi]
        if kind != BIT_DATA:
            u = (pc_reg & 1).astype(np.uint8) if kind == BIT_PC else np.zeros((n_rows, big), np.uint8)
            metric += np.where((u == 0) & (lam < 0), -lam, 0.0) + np.where((u == 1) & (lam > 0), lam, 0.0)
        else:
            cand0 = np.where(lam < 0, metric - lam, metric)
            cand1 = np.where(lam > 0, metric + lam, metric)
            cand = np.stack([cand0, cand1], axis=-1).reshape(n_rows, 2 * big)
            u = np.zeros((n_rows, big), np.uint8)
            for r in range(n_rows):
                idx = [2 * p + b for p in range(big) if active[r, p] for b in (0, 1)]
                kept = set(idx) if len(idx) <= big else set(sorted(idx, key=lambda i: cand[r, i])[:big])
                splits = []
                for p in range(big):
                    if not active[r, p]:
                        continue
                    k0, k1 = 2 * p in kept, 2 * p + 1 in kept
                    active[r, p] = k0 or k1
                    u[r, p] = 0 if k0 else 1
                    metric[r, p] = cand[r, 2 * p + u[r, p]]
                    if k0 and k1:
                        splits.append(p)
                for p in splits:
                    q = int(np.flatnonzero(~active[r])[0])
                    for arrays in (alpha, beta):
                        for a in arrays:
                            a[r, q] = a[r, p]
                    pc_reg[r, q], bits[r, q], metric[r, q] = pc_reg[r, p], bits[r, p], cand[r, 2 * p + 1]
                    active[r, q], u[r, q] = True, 1
            bits[:, :, kk] = u
            pc_reg ^= u
            kk += 1
        cur = u[:, :, None]
        s = 0
        while s < n_log and (phi >> s) & 1:
            cur = np.concatenate([beta[s] ^ cur, cur], axis=-1)
            s += 1
        if s < n_log:
            beta[s] = cur
    c = np.zeros_like(bits)
    c[..., code.interleaver] = bits
    if crc is None:
        passed = np.ones((n_rows, big), bool)
    else:
        c_masked = c.copy()
        c_masked[..., code.k - CRC_LENGTHS[crc]:] ^= 0 if mask is None else mask
        ones = np.ones((n_rows, big, prefix_ones), np.uint8)
        passed = crc_remainder(np.concatenate([ones, c_masked], axis=-1), crc) == 0
    out = np.zeros((n_rows, code.k), np.uint8)
    ok = np.zeros(n_rows, bool)
    for r in range(n_rows):
        order = sorted(np.flatnonzero(active[r]), key=lambda p: metric[r, p])
        chosen = next((p for p in order if passed[r, p]), order[0])
        out[r], ok[r] = c[r, chosen], passed[r, chosen]
    return out, ok


# (payload A, CRC, E, n_max, I_IL, I_BIL, Es/N0 dB of the noisy frames)
_CASES = [
    pytest.param(32, "24C", 864, 9, True, False, (-10.0, -8.0), id="PBCH"),
    pytest.param(36, "24C", 432, 9, True, False, (-7.0, -5.0), id="DCI-E432"),
    pytest.param(36, "24C", 108, 9, True, False, (0.0, 2.0), id="DCI-E108-punctured"),
    pytest.param(40, "11", 240, 10, False, True, (-5.0, -3.0), id="UCI-A40-shortened"),
    pytest.param(14, "6", 60, 10, False, True, (-4.0, -1.0), id="UCI-A14-PC"),
    pytest.param(14, "6", 250, 10, False, True, (-10.0, -8.0), id="UCI-A14-PC-wm"),
    pytest.param(200, "11", 300, 10, False, True, (3.0, 4.0), id="UCI-A200"),
]


@pytest.mark.parametrize(("a", "crc", "e", "n_max", "i_il", "i_bil", "snrs"), _CASES)
def test_decoder_equals_reference(a, crc, e, n_max, i_il, i_bil, snrs):
    rng = np.random.default_rng(a * 1000 + e)
    n_frames = 16
    c = crc_attach(rng.integers(0, 2, (len(snrs) * n_frames, a), dtype=np.uint8), crc)
    k = c.shape[-1]
    n_pc, n_pc_wm = (0, 0) if i_il else uci_parity_check_bits(k, e)
    code = polar_code(k, e, n_max, i_il, n_pc, n_pc_wm)
    f = polar_rate_match(polar_encode(c, e=e, n_max=n_max, i_il=i_il, n_pc=n_pc, n_pc_wm=n_pc_wm),
                         k=k, e=e, i_bil=i_bil)
    noise_var = np.repeat(10 ** (-np.asarray(snrs) / 10), n_frames)[:, None]
    y = 1.0 - 2.0 * f + np.sqrt(noise_var) * rng.standard_normal(f.shape)
    llr = polar_rate_recover((2.0 * y / noise_var).astype(np.float32), k=k, n=code.n, i_bil=i_bil)
    n_ok = 0
    for list_size in (1, 2, 4, 8, 16, 32):
        res = polar_decode(llr, k=k, e=e, n_max=n_max, i_il=i_il, list_size=list_size, crc=crc,
                           n_pc=n_pc, n_pc_wm=n_pc_wm)
        ref_bits, ref_ok = _reference_scl(llr, code, list_size, crc)
        np.testing.assert_array_equal(res.bits, ref_bits, err_msg=f"L={list_size}")
        np.testing.assert_array_equal(res.crc_ok, ref_ok, err_msg=f"L={list_size}")
        n_ok += int(ref_ok.sum())
    # The frames are noisy enough for the list to matter: some, not all, fail the CRC.
    assert 0 < n_ok < 6 * len(c)


def test_decoder_equals_reference_dci_mask():
    """DCI-style CRC (24 leading ones, RNTI mask) on noisy frames and on noise alone."""
    rng = np.random.default_rng(5)
    a, e, rnti = 40, 216, 0x4601
    payload = rng.integers(0, 2, (8, a), dtype=np.uint8)
    full = crc_attach(np.concatenate([np.ones((8, 24), np.uint8), payload], axis=1), "24C")
    mask = np.array([0] * 8 + [(rnti >> (15 - i)) & 1 for i in range(16)], dtype=np.uint8)
    c = np.concatenate([payload, full[:, -24:] ^ mask], axis=1)
    code = polar_code(64, e, 9, True)
    f = polar_rate_match(polar_encode(c, e=e, n_max=9, i_il=True), k=64, e=e, i_bil=False)
    y = np.concatenate([1.0 - 2.0 * f + 0.9 * rng.standard_normal(f.shape), rng.standard_normal(f.shape)])
    llr = polar_rate_recover((2.0 * y / 0.8).astype(np.float32), k=64, n=code.n, i_bil=False)
    for list_size in (1, 8, 32):
        res = polar_decode(llr, k=64, e=e, n_max=9, i_il=True, list_size=list_size, crc_prefix_ones=24,
                           crc_mask=mask)
        ref_bits, ref_ok = _reference_scl(llr, code, list_size, "24C", prefix_ones=24, mask=mask)
        np.testing.assert_array_equal(res.bits, ref_bits)
        np.testing.assert_array_equal(res.crc_ok, ref_ok)
        assert not res.crc_ok[8:].any()
