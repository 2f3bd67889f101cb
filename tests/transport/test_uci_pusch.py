"""Tests of UCI on the PUSCH (TS 38.212 §6.3.2.4.1, §6.2.7): the G_ULSCH / G_ACK / G_CSI1 /
G_CSI2 sizes and the multiplexed codewords of the 38 ulsch_uci vectors, demultiplexing, round
trips through UL-SCH and UCI encoding and decoding, the layout rules and validation."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from conftest import as_int, load_vector, pusch_vector_config, vector_files
from opennr.errors import ConfigError
from opennr.physical.pusch import pusch_descramble_llrs, pusch_plan, pusch_scramble
from opennr.physical.scrambling import scrambling_c_init
from opennr.transport.sch import SchConfig, sch_decode, sch_encode, sch_plan
from opennr.transport.uci import uci_encode
from opennr.transport.uci_pusch import (
    PuschUciResources,
    UciPuschConfig,
    pusch_uci_decode,
    pusch_uci_encode,
    pusch_uci_placeholders,
    pusch_uci_resources,
    uci_pusch_plan,
    ulsch_uci_demultiplex,
    ulsch_uci_multiplex,
)

FILES = vector_files("ulsch_uci")
PARTS = (("ulsch", "codedULSCH_out", "GULSCH_out"), ("ack", "codedACK_out", "GACK_out"),
         ("csi1", "codedCSI1_out", "GCSI1_out"), ("csi2", "codedCSI2_out", "GCSI2_out"))


def _vector_plan(v):
    carrier, cfg = pusch_vector_config(v)
    res = pusch_uci_resources(pusch_plan(carrier, cfg))

    def on(name):
        return int(v["Enable" + name])

    uci = UciPuschConfig(o_ack=on("ACK") * int(v["NumACKBits"]),
                         o_csi1=on("CSI1") * int(v["NumCSI1Bits"]),
                         o_csi2=on("CSI2") * int(v["NumCSI2Bits"]),
                         beta_offset_ack=float(v["BetaOffsetACK"]),
                         beta_offset_csi1=float(v["BetaOffsetCSI1"]),
                         beta_offset_csi2=float(v["BetaOffsetCSI2"]), alpha=float(v["UCIScaling"]))
    r = float(v["TargetCodeRateby1024"]) / 1024
    sch = None
    if on("ULSCH"):
        sch = SchConfig(tbs=int(np.size(v["trblk_out"])), target_code_rate=r, qm=int(v["Qm"]),
                        n_layers=int(v["NumLayers"]))
    return uci_pusch_plan(res, uci, sch=sch, target_code_rate=r), sch


def _signs(cw):
    """±1 LLRs of the code bits; a y observes the bit before it (descrambled), an x gives 0."""
    llr = np.where(cw >= 0, 1.0 - 2.0 * cw, 0.0).astype(np.float32)
    ys = np.flatnonzero(np.reshape(cw, (-1, cw.shape[-1]))[0] == -2)
    llr[..., ys] = llr[..., ys - 1]
    return llr


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[27:60])
def test_ulsch_uci_vectors(path):
    v = load_vector(path)
    plan, _ = _vector_plan(v)
    sizes = {"ulsch": plan.g_ulsch, "ack": plan.g_ack, "csi1": plan.g_csi1, "csi2": plan.g_csi2}
    for name, _, g_key in PARTS:
        assert sizes[name] == int(np.atleast_1d(v[g_key])[0]), name
    cw = np.atleast_2d(as_int(v["codeword_out"]))
    assert plan.g == cw.shape[1]
    parts = {}
    for name, key, _ in PARTS:
        x = np.asarray(v[key])
        if x.size:
            parts[name] = np.atleast_2d(as_int(x))
    if "ulsch" in parts:
        parts["ulsch"] = parts["ulsch"].astype(np.uint8)
    np.testing.assert_array_equal(ulsch_uci_multiplex(plan, **parts), cw)
    x, y = pusch_uci_placeholders(plan)
    np.testing.assert_array_equal(x, np.flatnonzero(cw[0] == -1))
    np.testing.assert_array_equal(y, np.flatnonzero(cw[0] == -2))
    # demultiplexing the codeword's signs gives back every part (erasures where punctured)
    demux = ulsch_uci_demultiplex(plan, _signs(cw))
    for name, coded in parts.items():
        expected = _signs(coded)
        if name == "ulsch":
            expected[:, plan.ulsch_punctured] = 0
        if name == "csi2":
            expected[:, plan.csi2_punctured] = 0
        np.testing.assert_array_equal(demux[name], expected, err_msg=name)
    # the UCI payloads come back through pusch_uci_decode
    dec = pusch_uci_decode(plan, _signs(cw))
    for name, key in (("ack", "effACK_out"), ("csi1", "csi1_out"), ("csi2", "csi2_out")):
        res = getattr(dec, name)
        if name in parts:
            np.testing.assert_array_equal(res.bits, as_int(v[key]).reshape(cw.shape[0], -1))
            assert res.crc_ok.all()
        else:
            assert res is None


def _resources(n_prb=10, n_symb=14, dmrs=(2, 11), cdm1=False, n_layers=1, qm=2):
    m = [12 * n_prb // (2 if (l in dmrs and cdm1) else 1) if (l not in dmrs or cdm1) else 0
         for l in range(n_symb)]
    return PuschUciResources(m_sc=tuple(m), dmrs=tuple(l in dmrs for l in range(n_symb)),
                             n_layers=n_layers, qm=qm)


@pytest.mark.parametrize("o_ack,o_csi1,o_csi2,ulsch,layers,qm", [
    (1, 0, 0, True, 1, 2), (2, 20, 30, True, 2, 4), (7, 12, 0, True, 1, 6), (2, 15, 40, False, 1, 2),
    (0, 30, 0, False, 2, 2), (25, 40, 100, False, 1, 4), (0, 11, 3, True, 1, 8)])
def test_round_trip(rng, o_ack, o_csi1, o_csi2, ulsch, layers, qm):
    res = _resources(n_layers=layers, qm=qm, cdm1=True)
    uci = UciPuschConfig(o_ack=o_ack, o_csi1=o_csi1, o_csi2=o_csi2, beta_offset_ack=8.0,
                         beta_offset_csi1=4.0, beta_offset_csi2=2.5, alpha=0.8)
    sch = SchConfig(tbs=1032, target_code_rate=0.4, qm=qm, n_layers=layers) if ulsch else None
    plan = uci_pusch_plan(res, uci, sch=sch, target_code_rate=0.3)
    payload = {n: rng.integers(0, 2, size=o, dtype=np.uint8)
               for n, o in (("ack", o_ack), ("csi1", o_csi1), ("csi2", o_csi2)) if o}
    tb = rng.integers(0, 2, size=1032, dtype=np.uint8)
    coded_ulsch = sch_encode(tb, sch, g=plan.g_ulsch, rv=0) if ulsch else None
    cw = pusch_uci_encode(plan, ulsch=coded_ulsch, **payload)
    assert cw.shape == (res.g,)
    # scrambled with the placeholders, received as ±4 LLRs, descrambled with them
    c_init = scrambling_c_init(n_rnti=17, n_id=5)
    rx = 4.0 * (1.0 - 2.0 * pusch_scramble(cw, c_init))
    x, y = pusch_uci_placeholders(plan)
    dec = pusch_uci_decode(plan, pusch_descramble_llrs(rx, c_init, x_indices=x, y_indices=y))
    for name, bits in payload.items():
        np.testing.assert_array_equal(getattr(dec, name).bits, bits)
    if ulsch:
        assert dec.ulsch_llr.shape == (plan.g_ulsch,)
        out = sch_decode(dec.ulsch_llr, sch, g=plan.g_ulsch, rv=0)
        assert out.tb_crc_ok and np.array_equal(out.tb, tb)
    else:
        assert plan.g_ulsch == 0 and dec.ulsch_llr.shape == (0,)


def _positions(plan, index):
    """(symbol, RE) of the codeword bits ``index``."""
    b = plan.resources.n_layers * plan.resources.qm
    offsets = np.concatenate([[0], np.cumsum(plan.resources.m_sc)])
    re = index // b
    sym = np.searchsorted(offsets, re, side="right") - 1
    return sym, re - offsets[sym]


def test_layout_rules():
    res = _resources(n_prb=8, dmrs=(2, 7, 11))
    assert res.l0 == 3
    sch = SchConfig(tbs=600, target_code_rate=0.5, qm=2)

    def config(o_ack):
        return UciPuschConfig(o_ack=o_ack, o_csi1=30, o_csi2=60, beta_offset_ack=5.0,
                              beta_offset_csi1=2.0, beta_offset_csi2=2.0)

    small = uci_pusch_plan(res, config(2), sch=sch)
    big = uci_pusch_plan(res, config(30), sch=sch)
    for plan in (small, big):
        sets = [plan.ack_index, plan.csi1_index, plan.csi2_index]
        assert all(np.unique(s).size == s.size for s in sets)
        # HARQ-ACK starts at l0 and nothing UCI lands on a DM-RS symbol
        assert _positions(plan, plan.ack_index)[0].min() == res.l0
        for s in sets:
            assert not np.isin(_positions(plan, s)[0], (2, 7, 11)).any()
        # CSI part 1 starts at the first symbol
        assert _positions(plan, plan.csi1_index)[0].min() == 0
        # CSI part 1 never shares a bit with HARQ-ACK or CSI part 2
        assert not np.intersect1d(plan.csi1_index, plan.ack_index).size
        assert not np.intersect1d(plan.csi1_index, plan.csi2_index).size
    # 1-2 HARQ-ACK bits puncture UL-SCH or CSI part 2; more bits are rate-matched around
    assert small.ulsch_punctured.sum() + small.csi2_punctured.sum() == small.g_ack
    assert small.g_ulsch == small.g - small.g_csi1 - small.g_csi2
    assert not big.ulsch_punctured.any() and not big.csi2_punctured.any()
    assert big.g_ulsch == big.g - big.g_csi1 - big.g_csi2 - big.g_ack
    # reserved REs (computed with O_ACK = 2) exceed the REs of one ACK bit and keep CSI part 1 out
    one = uci_pusch_plan(res, config(1), sch=sch)
    assert one.q_ack < one.q_ack_rvd == small.q_ack_rvd
    np.testing.assert_array_equal(one.csi1_index, small.csi1_index)


def test_sizes_follow_the_formulas():
    # Q'_ACK = min(ceil((O + L) β M / sum K_r), ceil(α M_l0)); no UL-SCH: ceil((O + L) β / (R Q_m))
    res = _resources(n_prb=10)
    m_total = 12 * 10 * 12
    sch = SchConfig(tbs=2000, target_code_rate=0.5, qm=2)
    from opennr.transport.sch import sch_plan
    seg = sch_plan(sch).seg
    plan = uci_pusch_plan(res, UciPuschConfig(o_ack=10, beta_offset_ack=20.0), sch=sch)
    assert plan.q_ack == min(-(-(10 * 20 * m_total) // (seg.c * seg.k)), m_total - 2 * 120)
    plan = uci_pusch_plan(res, UciPuschConfig(o_ack=25, o_csi1=40, beta_offset_ack=5.0,
                                              beta_offset_csi1=2.0, alpha=0.5),
                          target_code_rate=0.25)
    assert plan.q_ack == -(-((25 + 11) * 5 * 4) // 2)
    # without UL-SCH nor CSI part 2, CSI part 1 takes everything HARQ-ACK leaves
    assert plan.q_csi1 == m_total - plan.q_ack
    assert plan.g_ack + plan.g_csi1 == plan.g


def test_validation():
    res = _resources(n_prb=1, n_symb=4, dmrs=(0,))
    with pytest.raises(ConfigError, match="beta_offset_ack"):
        UciPuschConfig(o_ack=2, beta_offset_ack=7.0)
    with pytest.raises(ConfigError, match="beta_offset_csi2"):
        UciPuschConfig(o_csi1=5, o_csi2=5, beta_offset_csi2=0.5)
    with pytest.raises(ConfigError, match="alpha"):
        UciPuschConfig(alpha=0.7)
    with pytest.raises(ConfigError, match="o_csi1"):
        UciPuschConfig(o_csi1=1707)
    with pytest.raises(ConfigError, match="o_csi2"):
        UciPuschConfig(o_csi2=10)
    with pytest.raises(ConfigError, match="does not fit"):
        uci_pusch_plan(res, UciPuschConfig(o_csi1=200), target_code_rate=0.5)
    with pytest.raises(ConfigError, match="target_code_rate"):
        uci_pusch_plan(res, UciPuschConfig(o_ack=3))
    with pytest.raises(ConfigError, match="must carry UCI"):
        uci_pusch_plan(res, UciPuschConfig(), target_code_rate=0.5)
    with pytest.raises(ConfigError, match="sch"):
        uci_pusch_plan(res, UciPuschConfig(o_ack=1), sch=SchConfig(tbs=100, target_code_rate=0.5, qm=4))
    with pytest.raises(ConfigError, match="dmrs"):
        PuschUciResources(m_sc=(12, 12), dmrs=(False, False), n_layers=1, qm=2)
    plan = uci_pusch_plan(_resources(), UciPuschConfig(o_ack=4, o_csi1=20), target_code_rate=0.5)
    with pytest.raises(ValueError, match="csi1"):
        ulsch_uci_multiplex(plan, ack=uci_encode(np.zeros(4, np.uint8), plan.g_ack))
    with pytest.raises(ValueError, match="ulsch"):
        ulsch_uci_multiplex(plan, ulsch=np.zeros(10, np.uint8), ack=np.zeros(plan.g_ack, np.int8),
                            csi1=np.zeros(plan.g_csi1, np.int8))
    with pytest.raises(ValueError, match="llr"):
        ulsch_uci_demultiplex(plan, np.zeros(plan.g + 1))


# --- intra-slot frequency hopping (§6.2.7): examples worked by hand from the spec text ------

def _bits(b, m_sc, walk):
    """Codeword positions of the REs ``walk`` = [(symbol, [RE, ...]), ...] in that order, each
    RE carrying ``b`` consecutive bits (§6.2.7 step 6 reads symbol by symbol, RE by RE)."""
    offsets = np.concatenate([[0], np.cumsum(m_sc)])
    return np.array([(offsets[l] + k) * b + v for l, ks in walk for k in ks for v in range(b)])


def _one_prb(dmrs, n_symb, n_symb_hop):
    return PuschUciResources(m_sc=tuple(0 if l in dmrs else 12 for l in range(n_symb)),
                             dmrs=tuple(l in dmrs for l in range(n_symb)), n_layers=1, qm=2,
                             n_symb_hop=n_symb_hop)


def test_hopping_resources():
    res = _one_prb((1, 5), 8, 4)
    assert res.hops == ((0, 4), (4, 8))
    # l^(i): after the first DM-RS set of the hop; l_CSI^(i): first symbol without DM-RS
    assert res.l_ack == (2, 6) and res.l_csi == (0, 4) and res.l0 == 2
    dbl = _one_prb((0, 1, 7), 10, 5)      # a double-symbol DM-RS set in the first hop
    assert dbl.l_ack == (2, 8) and dbl.l_csi == (2, 5)
    with pytest.raises(ConfigError, match="each hop must carry DM-RS"):
        _one_prb((1,), 8, 4)
    with pytest.raises(ConfigError, match="n_symb_hop"):
        _one_prb((1, 5), 8, 8)


def test_hopping_harq_ack_split_with_ulsch():
    # 6 symbols of one PRB, DM-RS at 0 and 3, hops 0-2 and 3-5; Q_m = 2, N_L = 1 (b = 2).
    # M = 48, M_0 = 48; β = 126 makes α M_0 bind: Q'_ACK = ceil(0.65 * 48) = 32, G_ACK = 64.
    res = _one_prb((0, 3), 6, 3)
    sch = SchConfig(tbs=24, target_code_rate=0.5, qm=2)
    plan = uci_pusch_plan(res, UciPuschConfig(o_ack=3, beta_offset_ack=126.0, alpha=0.65), sch=sch)
    assert plan.q_ack == 32
    # G^ACK(1) = 2 floor(64 / 4) = 32, G^ACK(2) = 2 ceil(64 / 4) = 32
    assert dict(plan.hop_split)["ack"] == (32, 32)
    # hop 1 from l^(1) = 1: symbol 1 whole (24 bits), then 8 bits in symbol 2 with
    # d = floor(24 / 8) = 3 on ceil(8 / 2) = 4 REs; hop 2 from l^(2) = 4 the same
    m_sc = res.m_sc
    expected = _bits(2, m_sc, [(1, range(12)), (2, [0, 3, 6, 9]), (4, range(12)), (5, [0, 3, 6, 9])])
    np.testing.assert_array_equal(plan.ack_index, expected)
    ulsch = np.setdiff1d(np.arange(plan.g), expected)
    np.testing.assert_array_equal(plan.ulsch_index, ulsch)
    assert plan.g_ulsch == 96 - 64
    # without hopping the same HARQ-ACK fills symbols 1 and 2, then 16 bits of symbol 4
    # (d = floor(24 / 16) = 1 on 8 REs)
    flat = uci_pusch_plan(dataclasses.replace(res, n_symb_hop=0), plan.uci, sch=sch)
    np.testing.assert_array_equal(flat.ack_index, _bits(2, m_sc, [(1, range(12)), (2, range(12)),
                                                                    (4, range(8))]))


def test_hopping_reserved_harq_ack_csi_with_ulsch():
    # 8 symbols, DM-RS at 1 and 5, hops 0-3 and 4-7: l^(i) = 2, 6; l_CSI^(i) = 0, 4.
    # M = 72, M_0 = 60, sum K_r = 70 (TBS 24: B = 40, BG2, Z_c = 7, K = 10 Z_c), α = 1, R Q_m
    # not used. Q'_ACK (1 bit) = ceil(20 * 72 / 70) = 21; Q'_rvd = ceil(2 * 20 * 72 / 70) = 42;
    # Q'_CSI1 = Q'_CSI2 = ceil((12 + 6) * 1.125 * 72 / 70) = 21.
    res = _one_prb((1, 5), 8, 4)
    sch = SchConfig(tbs=24, target_code_rate=0.5, qm=2)
    assert sch_plan(sch).seg.c * sch_plan(sch).seg.k == 70
    uci = UciPuschConfig(o_ack=1, o_csi1=12, o_csi2=12, beta_offset_ack=20.0,
                         beta_offset_csi1=1.125, beta_offset_csi2=1.125, alpha=1.0)
    plan = uci_pusch_plan(res, uci, sch=sch)
    assert (plan.q_ack, plan.q_ack_rvd, plan.q_csi1, plan.q_csi2) == (21, 42, 21, 21)
    # G^rvd = 84 -> (42, 42); G^ACK = 42 -> (20, 22); CSI parts 42 -> (20, 22)
    assert dict(plan.hop_split) == {"rvd": (42, 42), "ack": (20, 22), "csi1": (20, 22),
                                    "csi2": (20, 22)}
    m = res.m_sc
    # step 1: 42 bits from symbol 2 (all 12 REs), then 18 bits in symbol 3: d = 1 on 9 REs;
    # same in the second hop from symbol 6. Step 3, CSI part 1 off the reserved REs: 20 bits in
    # symbol 0 (10 REs), 22 bits in symbol 4 (11 REs). CSI part 2 on what is left, reserved
    # REs included: symbol 0 REs 10-11 then 16 bits in symbol 2 (REs 0-7); symbol 4 RE 11
    # then 20 bits in symbol 6 (REs 0-9). Step 5: 20 bits on the reserved REs of symbol 2
    # (REs 0-9) and 22 on those of symbol 6 (REs 0-10).
    np.testing.assert_array_equal(plan.csi1_index, _bits(2, m, [(0, range(10)), (4, range(11))]))
    np.testing.assert_array_equal(plan.csi2_index, _bits(2, m, [(0, [10, 11]), (2, range(8)),
                                                                (4, [11]), (6, range(10))]))
    np.testing.assert_array_equal(plan.ack_index, _bits(2, m, [(2, range(10)), (6, range(11))]))
    # HARQ-ACK punctures CSI part 2 on symbol 2 REs 0-7 and symbol 6 REs 0-9, UL-SCH elsewhere
    np.testing.assert_array_equal(plan.csi2_index[plan.csi2_punctured],
                                  _bits(2, m, [(2, range(8)), (6, range(10))]))
    np.testing.assert_array_equal(plan.ulsch_index[plan.ulsch_punctured],
                                  _bits(2, m, [(2, [8, 9]), (6, [10])]))
    assert plan.g_ulsch == 144 - 42 - 42


def test_hopping_without_ulsch_first_hop_capped_by_m3():
    # 10 symbols, DM-RS at 2 and 5, hops 0-4 and 5-9: l^(i) = 3, 6; l_CSI^(i) = 0, 6.
    # M = 96, M_1 = M_2 = 48, M_3 = 24 (symbols 3-4), M_0 = 72; R = 0.5, Q_m = 2.
    # Q'_ACK = ceil(3 * 20 / 1) = 60 (< 72), Q'_CSI1 = min(ceil(18 * 1.125 / 1), 96 - 60) = 21,
    # Q'_CSI2 = 96 - 60 - 21 = 15.
    res = _one_prb((2, 5), 10, 5)
    uci = UciPuschConfig(o_ack=3, o_csi1=12, o_csi2=5, beta_offset_ack=20.0,
                         beta_offset_csi1=1.125, beta_offset_csi2=1.125)
    plan = uci_pusch_plan(res, uci, target_code_rate=0.5)
    assert (plan.q_ack, plan.q_csi1, plan.q_csi2) == (60, 21, 15)
    # G^ACK(1) = min(2 floor(120 / 4), M_3 * 2) = 48, G^ACK(2) = 72;
    # G^CSI1(1) = min(2 floor(42 / 4), M_1 * 2 - G^ACK(1)) = 20, G^CSI1(2) = 22;
    # G^CSI2(1) = M_1 * 2 - G^ACK(1) - G^CSI1(1) = 28, G^CSI2(2) = 96 - 72 - 22 = 2
    assert dict(plan.hop_split)["ack"] == (48, 72)
    assert dict(plan.hop_split)["csi1"] == (20, 22)
    assert dict(plan.hop_split)["csi2"] == (28, 2)
    m = res.m_sc
    np.testing.assert_array_equal(plan.ack_index, _bits(2, m, [(3, range(12)), (4, range(12)),
                                                               (6, range(12)), (7, range(12)),
                                                               (8, range(12))]))
    np.testing.assert_array_equal(plan.csi1_index, _bits(2, m, [(0, range(10)), (9, range(11))]))
    np.testing.assert_array_equal(plan.csi2_index, _bits(2, m, [(0, [10, 11]), (1, range(12)),
                                                                (9, [11])]))
    assert plan.g_ulsch == 0 and plan.ulsch_index.size == 0


def test_hopping_without_ulsch_harq_ack_and_csi1_only():
    # 8 symbols, DM-RS at 1 and 5; 2 HARQ-ACK bits (reserved REs), CSI part 1 alone, R = 0.5:
    # Q'_ACK = Q'_rvd = ceil(2 * 8 / 1) = 16, Q'_CSI1 = M - Q'_rvd = 56.
    # G^ACK(i) = (16, 16); G^CSI1(1) = M_1 * 2 - G^ACK(1) = 56, G^CSI1(2) = M_2 * 2 - G^ACK(2) = 56
    res = _one_prb((1, 5), 8, 4)
    plan = uci_pusch_plan(res, UciPuschConfig(o_ack=2, o_csi1=12, beta_offset_ack=8.0),
                          target_code_rate=0.5)
    assert (plan.q_ack, plan.q_ack_rvd, plan.q_csi1) == (16, 16, 56)
    assert dict(plan.hop_split) == {"rvd": (16, 16), "ack": (16, 16), "csi1": (56, 56),
                                    "csi2": (0, 0)}
    m = res.m_sc
    # reserved: 16 bits in symbol 2 (d = 1, REs 0-7) and symbol 6; CSI part 1 around them
    np.testing.assert_array_equal(plan.ack_index, _bits(2, m, [(2, range(8)), (6, range(8))]))
    np.testing.assert_array_equal(plan.csi1_index, _bits(
        2, m, [(0, range(12)), (2, range(8, 12)), (3, range(12)),
               (4, range(12)), (6, range(8, 12)), (7, range(12))]))


@pytest.mark.parametrize("o_ack,o_csi1,o_csi2,ulsch", [
    (2, 20, 30, True), (9, 15, 0, True), (1, 0, 0, True), (4, 20, 40, False), (0, 15, 20, False)])
def test_hopping_round_trip(rng, o_ack, o_csi1, o_csi2, ulsch):
    res = _resources(n_prb=4, dmrs=(0, 7), n_layers=1, qm=4)
    res = dataclasses.replace(res, n_symb_hop=7)
    uci = UciPuschConfig(o_ack=o_ack, o_csi1=o_csi1, o_csi2=o_csi2, beta_offset_ack=8.0,
                         beta_offset_csi1=4.0, beta_offset_csi2=2.5, alpha=0.8)
    sch = SchConfig(tbs=600, target_code_rate=0.4, qm=4) if ulsch else None
    plan = uci_pusch_plan(res, uci, sch=sch, target_code_rate=0.3)
    # every UCI part lands in both hops, in the proportions of the split
    hop2 = res.n_symb_hop
    for name in ("ack", "csi1", "csi2"):
        index = getattr(plan, f"{name}_index")
        share = dict(plan.hop_split)[name]
        assert index.size == sum(share)
        if index.size:
            assert (_positions(plan, index)[0] >= hop2).sum() == share[1]
    payload = {n: rng.integers(0, 2, size=o, dtype=np.uint8)
               for n, o in (("ack", o_ack), ("csi1", o_csi1), ("csi2", o_csi2)) if o}
    tb = rng.integers(0, 2, size=600, dtype=np.uint8)
    cw = pusch_uci_encode(plan, ulsch=sch_encode(tb, sch, g=plan.g_ulsch, rv=0) if ulsch else None,
                          **payload)
    c_init = scrambling_c_init(n_rnti=3, n_id=9)
    rx = 4.0 * (1.0 - 2.0 * pusch_scramble(cw, c_init))
    x, y = pusch_uci_placeholders(plan)
    dec = pusch_uci_decode(plan, pusch_descramble_llrs(rx, c_init, x_indices=x, y_indices=y))
    for name, bits in payload.items():
        np.testing.assert_array_equal(getattr(dec, name).bits, bits)
    if ulsch:
        assert sch_decode(dec.ulsch_llr, sch, g=plan.g_ulsch, rv=0).tb_crc_ok
