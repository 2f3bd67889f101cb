"""Tests of LDPC rate matching and recovery (TS 38.212 §5.4.2, §5.5)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import as_int, load_vector, vector_files
from opennr.coding.crc import crc_attach
from opennr.coding.ldpc import ldpc_encode
from opennr.coding.ldpc.basegraph import LIFTING_SIZES
from opennr.coding.ldpc.ratematch import (
    FILLER_LLR,
    ldpc_bit_deinterleave,
    ldpc_bit_interleave,
    ldpc_bit_selection,
    ldpc_e_per_block,
    ldpc_k0,
    ldpc_n_cb,
    ldpc_rate_match,
    ldpc_rate_match_plan,
    ldpc_rate_recover,
)
from opennr.coding.segmentation import ldpc_segmentation, segment_code_blocks
from opennr.errors import ConfigError

RATEMATCH_FILES = vector_files("ldpc", "ldpc_ratematch_testvec_*.mat")


@pytest.mark.parametrize("path", RATEMATCH_FILES, ids=lambda p: p.stem)
def test_bit_selection_and_interleaving_vectors(path):
    v = load_vector(path)
    dn = as_int(v["dn"])
    kd, k = int(v["kd"]), int(v["K"])
    assert (dn[kd:k] == -1).all() and (dn[:kd] >= 0).all() and (dn[k:] >= 0).all()
    e = ldpc_bit_selection(np.where(dn < 0, 0, dn), k0=int(v["k0"]), e=int(v["E"]),
                           n_cb=int(v["Ncb"]), filler_start=kd, filler_stop=k)
    f = ldpc_bit_interleave(e, int(v["Qm"]))
    np.testing.assert_array_equal(f, as_int(v["fe"]))
    np.testing.assert_array_equal(ldpc_bit_deinterleave(f, int(v["Qm"])), e)


# --- whole DL-SCH / UL-SCH coding chains (TB CRC, segmentation, LDPC, rate matching) --------
# The base graph and CRC choices (TS 38.212 §7.2.1-7.2.2, §6.2.1-6.2.2) are written out here.

CHAIN_CASES = [
    ("pdsch", "nrPDSCH_testvec_26_*", "RM_out", "G_out"),          # BG2, C=2, 3 layers
    ("pdsch_short", "nrPDSCH_short_testvec_16_*", "RM_out", "G_out"),   # 4 layers
    ("pdsch_short", "nrPDSCH_short_testvec_48_*", "RM_out", "G_out"),   # C=3, 4 layers
    ("ulsch", "*_mcstable_3_iMCS_18_NumLayers_1_PRBSize_70.mat", "codedULSCH_out", "GULSCH_out"),
    ("ulsch", "*_mcstable_3_iMCS_24_NumLayers_2_PRBSize_133.mat", "codedULSCH_out", "GULSCH_out"),
    ("ulsch", "*_mcstable_4_iMCS_12_NumLayers_1_PRBSize_8.mat", "codedULSCH_out", "GULSCH_out"),
]


def _chain_files():
    out = []
    for family, pattern, field, gfield in CHAIN_CASES:
        for path in vector_files(family, pattern)[:1]:
            out.append(pytest.param(path, field, gfield, id=f"{family}-{path.stem[:40]}"))
    return out


@pytest.mark.parametrize(("path", "field", "gfield"), _chain_files())
def test_shared_channel_coding_chain(path, field, gfield):
    v = load_vector(path)
    a = as_int(v["trblk_out"]).astype(np.uint8)
    rate = float(v["TargetCodeRateby1024"]) / 1024
    bg = 2 if (a.size <= 292 or (a.size <= 3824 and rate <= 0.67) or rate <= 0.25) else 1
    tb = crc_attach(a, "24A" if a.size > 3824 else "16")
    seg = ldpc_segmentation(tb.size, bg)
    d = ldpc_encode(segment_code_blocks(tb, seg), bg)
    coded = np.atleast_2d(as_int(v[field]))
    g_all = np.atleast_1d(as_int(v[gfield]))
    rvs = np.atleast_1d(as_int(v["rv_out"]))
    for slot in range(coded.shape[0]):
        g = int(g_all[slot])
        plan = ldpc_rate_match_plan(bg, seg.zc, seg.k, seg.k_prime, seg.c, g, int(v["Qm"]),
                                    int(v["NumLayers"]), int(rvs[slot]))
        np.testing.assert_array_equal(ldpc_rate_match(d, plan), coded[slot, :g])


# --- an independent, literal transcription of §5.4.2.1/§5.4.2.2/§5.5 ------------------------

def reference_rate_match(d, bg, zc, k, k_prime, c, g, qm, n_layers, rv, n_cb):
    n = d.shape[1]
    num = {1: (0, 17, 33, 56), 2: (0, 13, 25, 43)}[bg][rv]
    k0 = math.floor(num * n_cb / ((66 if bg == 1 else 50) * zc)) * zc
    out = []
    q = g // (n_layers * qm)
    for r in range(c):
        if r <= c - (q % c) - 1:
            e_r = n_layers * qm * math.floor(q / c)
        else:
            e_r = n_layers * qm * math.ceil(q / c)
        e = []
        j = 0
        while len(e) < e_r:
            pos = (k0 + j) % n_cb
            if not (k_prime - 2 * zc <= pos < k - 2 * zc):
                e.append(d[r, pos])
            j += 1
        f = [0] * e_r
        for jj in range(e_r // qm):
            for i in range(qm):
                f[i + jj * qm] = e[i * (e_r // qm) + jj]
        out.extend(f)
    assert len(out) == g and n == d.shape[1]
    return np.array(out, dtype=np.uint8)


@st.composite
def configurations(draw):
    bg = draw(st.sampled_from([1, 2]))
    zc = draw(st.sampled_from([z for z in LIFTING_SIZES if z <= 48]))
    k = (22 if bg == 1 else 10) * zc
    k_prime = draw(st.integers(max(1, 2 * zc - 3), k))
    c = draw(st.integers(1, 3))
    qm = draw(st.sampled_from([1, 2, 4, 6, 8, 10]))
    n_layers = draw(st.integers(1, 4))
    unit = qm * n_layers
    g = unit * draw(st.integers(c, max(c, 3 * c * (66 if bg == 1 else 50) * zc // unit)))
    rv = draw(st.integers(0, 3))
    lbrm = draw(st.booleans())
    tbs_lbrm = draw(st.integers(k, 3 * k * c)) if lbrm else None
    return bg, zc, k, k_prime, c, g, qm, n_layers, rv, tbs_lbrm


@settings(max_examples=40, deadline=None)
@given(configurations(), st.integers(0, 2**32 - 1))
def test_against_reference_and_recovery(cfg, seed):
    bg, zc, k, k_prime, c, g, qm, n_layers, rv, tbs_lbrm = cfg
    rng = np.random.default_rng(seed)
    n = (66 if bg == 1 else 50) * zc
    n_cb = n if tbs_lbrm is None else min(n, math.floor(tbs_lbrm / (c * 2 / 3)))
    f0, f1 = max(k_prime - 2 * zc, 0), k - 2 * zc
    if n_cb <= f1 and f0 == 0:
        with pytest.raises(ConfigError, match="only filler"):
            ldpc_rate_match_plan(bg, zc, k, k_prime, c, g, qm, n_layers, rv, tbs_lbrm=tbs_lbrm)
        return
    plan = ldpc_rate_match_plan(bg, zc, k, k_prime, c, g, qm, n_layers, rv, tbs_lbrm=tbs_lbrm)
    assert plan.n_cb == n_cb and sum(plan.e) == g
    d = rng.integers(0, 2, (c, n), dtype=np.uint8)
    d[:, f0:f1] = 0
    out = ldpc_rate_match(d, plan)
    np.testing.assert_array_equal(
        out, reference_rate_match(d, bg, zc, k, k_prime, c, g, qm, n_layers, rv, n_cb))

    # Recovery of +-1 LLRs: every transmitted position gets the sign of its bit, repeated
    # positions add up, filler is FILLER_LLR, untouched positions stay 0.
    llr = (1.0 - 2.0 * out).astype(np.float32)
    buf = ldpc_rate_recover(llr, plan)
    assert buf.shape == (c, n) and buf.dtype == np.float32
    counts = np.bincount(plan.index, minlength=c * n).reshape(c, n)
    expected = np.where(d == 0, 1.0, -1.0) * counts
    expected[:, f0:f1] = FILLER_LLR
    np.testing.assert_array_equal(buf, expected.astype(np.float32))
    sent = counts > 0
    assert ((buf[sent] < 0) == (d[sent] == 1)).all()


def test_harq_combining_across_redundancy_versions(rng):
    seg = ldpc_segmentation(5000, 1)
    blocks = segment_code_blocks(rng.integers(0, 2, 5000, dtype=np.uint8), seg)
    d = ldpc_encode(blocks, 1)
    buf = None
    total = np.zeros(d.shape, np.float32)
    for rv in (0, 2, 3, 1):
        plan = ldpc_rate_match_plan(1, seg.zc, seg.k, seg.k_prime, seg.c, 6000, 2, 1, rv)
        llr = (1.0 - 2.0 * ldpc_rate_match(d, plan)).astype(np.float32) * 0.5
        one = ldpc_rate_recover(llr, plan)
        buf = ldpc_rate_recover(llr, plan, buffer=buf) if buf is not None else one.copy()
        total += np.where(one == FILLER_LLR, 0, one)
    filler = np.zeros(d.shape, bool)
    filler[:, seg.k_prime - 2 * seg.zc: seg.k - 2 * seg.zc] = True
    np.testing.assert_allclose(buf[~filler], total[~filler])
    assert (buf[filler] == FILLER_LLR).all()


def test_batched_rate_match_and_recover(rng):
    plan = ldpc_rate_match_plan(2, 16, 160, 150, 2, 1200, 4, 2, 1)
    d = rng.integers(0, 2, (3, 2, 2, 800), dtype=np.uint8)
    out = ldpc_rate_match(d, plan)
    assert out.shape == (3, 2, 1200)
    np.testing.assert_array_equal(out[2, 1], ldpc_rate_match(d[2, 1], plan))
    buf = ldpc_rate_recover(out.astype(np.float32), plan)
    assert buf.shape == (3, 2, 2, 800)
    np.testing.assert_array_equal(buf[1, 0], ldpc_rate_recover(out[1, 0].astype(np.float32), plan))


def test_k0_table_5_4_2_1_2():
    assert [ldpc_k0(1, 384, 25344, rv) for rv in range(4)] == [0, 17 * 384, 33 * 384, 56 * 384]
    assert [ldpc_k0(2, 384, 19200, rv) for rv in range(4)] == [0, 13 * 384, 25 * 384, 43 * 384]
    # limited buffer: floor(num * N_cb / (66 Zc)) * Zc
    assert ldpc_k0(1, 384, 20000, 1) == (17 * 20000 // (66 * 384)) * 384
    assert ldpc_k0(2, 10, 333, 3) == (43 * 333 // 500) * 10


def test_n_cb_limited_buffer():
    assert ldpc_n_cb(25344, 2) == 25344
    # N_ref = floor(TBS_LBRM / (C * 2/3))
    assert ldpc_n_cb(25344, 2, tbs_lbrm=30000) == 22500
    assert ldpc_n_cb(25344, 3, tbs_lbrm=30001) == 15000
    assert ldpc_n_cb(19200, 1, tbs_lbrm=100000) == 19200


def test_e_per_block():
    assert ldpc_e_per_block(12, 3, 2, 2) == (4, 4, 4)
    # Q = G/(N_L Qm) = 7, C = 3: mod = 1 -> the first 2 blocks floor, the last ceil
    assert ldpc_e_per_block(7 * 8, 3, 4, 2) == (16, 16, 24)
    assert sum(ldpc_e_per_block(123456, 7, 8, 3)) == 123456


def test_bad_configurations():
    args = dict(bg=1, zc=8, k=176, k_prime=170, c=2, g=480, qm=2, n_layers=2, rv=0)

    def plan(**kw):
        return ldpc_rate_match_plan(**{**args, **kw})

    plan()
    with pytest.raises(ConfigError, match="rv=4"):
        plan(rv=4)
    with pytest.raises(ConfigError, match="qm=3"):
        plan(qm=3)
    with pytest.raises(ConfigError, match="n_layers=5"):
        plan(n_layers=5)
    with pytest.raises(ConfigError, match="zc=17"):
        plan(zc=17)
    with pytest.raises(ConfigError, match="k=177"):
        plan(k=177)
    with pytest.raises(ConfigError, match="k_prime=177"):
        plan(k_prime=177)
    with pytest.raises(ConfigError, match="g=482: must be a multiple of N_L\\*Q_m = 4"):
        plan(g=482)
    with pytest.raises(ConfigError, match="g=4: must give every one of the C=2"):
        plan(g=4)
    with pytest.raises(ConfigError, match="g=0"):
        plan(g=0)
    with pytest.raises(ConfigError, match="bg=3"):
        plan(bg=3)
    with pytest.raises(ConfigError, match="n_cb=1000"):
        plan(n_cb=1000)
    with pytest.raises(ConfigError, match="not both"):
        plan(n_cb=500, tbs_lbrm=1000)
    with pytest.raises(ConfigError, match="tbs_lbrm=0"):
        plan(tbs_lbrm=0)


def test_bad_arrays():
    p = ldpc_rate_match_plan(1, 8, 176, 170, 2, 480, 2, 2, 0)
    with pytest.raises(ValueError, match=r"d: shape must be \(\.\.\., C=2, N=528\)"):
        ldpc_rate_match(np.zeros((2, 527), np.uint8), p)
    with pytest.raises(ValueError, match="bits must be 0 or 1"):
        ldpc_rate_match(np.full((2, 528), 2), p)
    with pytest.raises(ValueError, match="llr: last dimension must be G=480"):
        ldpc_rate_recover(np.zeros(479, np.float32), p)
    with pytest.raises(ValueError, match="NaN"):
        ldpc_rate_recover(np.full(480, np.nan, np.float32), p)
    with pytest.raises(ValueError, match="buffer: must be a writeable C-contiguous float32"):
        ldpc_rate_recover(np.zeros(480, np.float32), p, buffer=np.zeros((2, 528), np.float64))
    with pytest.raises(ValueError, match="multiple of Q_m=4"):
        ldpc_bit_interleave(np.zeros(10, np.uint8), 4)
    with pytest.raises(ConfigError, match="k0=12"):
        ldpc_bit_selection(np.zeros(12, np.uint8), k0=12, e=4, n_cb=12)
    with pytest.raises(ValueError, match="at least N_cb=12"):
        ldpc_bit_selection(np.zeros(11, np.uint8), k0=0, e=4, n_cb=12)


def _scatter_recover(llr, plan, start):
    """Rate recovery by its definition: LLR i added to position index[i], in order, from ``start``."""
    out = start.reshape(plan.c * plan.n).astype(np.float32)
    for i, p in enumerate(plan.index):
        out[p] = out[p] + llr[i]
    for r in range(plan.c):
        out[r * plan.n + plan.filler_start:r * plan.n + plan.filler_stop] = FILLER_LLR
    return out.reshape(plan.c, plan.n)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**9))
def test_recovery_matches_the_scatter_add_bit_for_bit(seed):
    # Recovery runs over contiguous runs of the buffer when no position is selected twice
    # (single_pass) and by index otherwise; both must give the sums of the definition exactly,
    # with and without an earlier buffer, including the sign of zero.
    rng = np.random.default_rng(seed)
    bg = int(rng.integers(1, 3))
    zc = int(rng.choice([z for z in LIFTING_SIZES if z <= 64]))
    k = (22 if bg == 1 else 10) * zc
    k_prime = int(rng.integers(k // 2, k + 1))
    c = int(rng.integers(1, 4))
    qm = int(rng.choice([1, 2, 4, 6, 8, 10]))
    n_layers = int(rng.integers(1, 3))
    n = (66 if bg == 1 else 50) * zc
    n_cb = int(rng.integers(k, n + 1)) if rng.random() < 0.4 else n
    unit = qm * n_layers
    g = unit * max(c, int(c * n * rng.uniform(0.1, 1.5)) // unit)
    try:
        plan = ldpc_rate_match_plan(bg, zc, k, k_prime, c, g, qm, n_layers, int(rng.integers(4)),
                                    n_cb)
    except ConfigError:
        return
    llr = rng.standard_normal(g).astype(np.float32)
    llr[::5] = -0.0
    fresh = ldpc_rate_recover(llr, plan)
    expected = _scatter_recover(llr, plan, np.zeros((c, n), np.float32))
    assert fresh.tobytes() == expected.tobytes()
    start = rng.standard_normal((c, n)).astype(np.float32)
    combined = ldpc_rate_recover(llr, plan, buffer=start.copy())
    assert combined.tobytes() == _scatter_recover(llr, plan, start).tobytes()
    counts = np.bincount(plan.index, minlength=c * n)
    assert plan.single_pass == (counts.max() <= 1)


def test_single_pass_flag_of_a_slot():
    # 106 PRB 64QAM PUSCH: 6 blocks of E = 13992 in a buffer of 66 * 352: no repetition.
    plan = ldpc_rate_match_plan(1, 352, 22 * 352, 7712, 6, 83952, 6, 1, 0)
    assert plan.single_pass
    # Rate below 1/3 repeats positions.
    assert not ldpc_rate_match_plan(1, 8, 176, 176, 1, 1200, 2, 1, 0).single_pass
