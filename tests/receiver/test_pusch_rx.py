"""PUSCH reference receiver: noiseless round trips of every ulsch vector (to the transport block)
and every ulsch_uci vector (the codeword LLR signs, placeholders included), transform
precoding with pi/2-BPSK and QAM, BLER against SNR over AWGN, HARQ combining, noisy frequency
selective operation with LS and perfect CSI, descrambling with placeholders, errors; UCI on
the PUSCH: the ulsch_uci vectors from payloads back to transport block and UCI, AWGN round
trips (CP-OFDM and transform precoding, with and without UL-SCH and frequency hopping, 1-2
HARQ-ACK bits puncturing), hops estimated apart."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from conftest import as_int, load_vector, pusch_vector_config, vector_files
from opennr.errors import ConfigError
from opennr.modulation import modulate
from opennr.numerology import Carrier
from opennr.physical.dmrs import DmrsConfig
from opennr.physical.pusch import (
    PLACEHOLDER_X,
    PLACEHOLDER_Y,
    PuschConfig,
    pusch_bit_capacity,
    pusch_descramble_llrs,
    pusch_grid,
    pusch_mux_plan,
    pusch_precoding_matrix,
    pusch_scramble,
    pusch_transmit,
)
from opennr.physical.scrambling import scrambling_c_init
from opennr.receiver.pusch_rx import pusch_demodulate, pusch_receive
from opennr.transport import HarqBuffer, SchConfig, UciPuschConfig, sch_encode


def _crandn(rng, *shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)


@pytest.mark.parametrize("path", vector_files("ulsch"), ids=lambda p: p.name[28:60])
def test_ulsch_vectors_round_trip_to_the_transport_block(path, rng):
    v = load_vector(path)
    carrier, cfg = pusch_vector_config(v)
    tb = np.atleast_1d(as_int(v["trblk_out"])).astype(np.uint8)
    sch = SchConfig(tbs=tb.size, target_code_rate=float(v["TargetCodeRateby1024"]) / 1024,
                    qm=int(v["Qm"]), n_layers=cfg.n_layers)
    cw = np.atleast_2d(as_int(v["codeword_out"]))
    rv = np.atleast_1d(as_int(v["rv_out"]))
    tx = pusch_grid(cw[0], carrier, cfg, n_slot=1)
    # a random flat channel from the ρ ports to ρ + 1 antennas
    h = _crandn(rng, cfg.n_antenna_ports + 1, cfg.n_antenna_ports)
    y = np.einsum("rp,plk->rlk", h, tx)
    res = pusch_receive(y, carrier, cfg, sch_config=sch, rv=int(rv[0]), n_slot=1)
    assert res.tb_crc_ok
    np.testing.assert_array_equal(res.tb, tb)
    np.testing.assert_array_equal(res.demod.llrs < 0, cw[0].astype(bool))


@pytest.mark.parametrize("path", vector_files("ulsch_uci"), ids=lambda p: p.name[27:60])
def test_ulsch_uci_vectors_llr_signs(path):
    v = load_vector(path)
    carrier, cfg = pusch_vector_config(v)
    cw = np.atleast_2d(as_int(v["codeword_out"]))[-1]
    tx = pusch_grid(cw, carrier, cfg, n_slot=2)
    x_ind, y_ind = np.flatnonzero(cw == PLACEHOLDER_X), np.flatnonzero(cw == PLACEHOLDER_Y)
    demod = pusch_demodulate(tx, carrier, cfg, n_slot=2, x_indices=x_ind, y_indices=y_ind)
    llr = demod.llrs
    coded = cw >= 0
    np.testing.assert_array_equal(llr[coded] < 0, cw[coded].astype(bool))
    assert np.all(llr[coded] != 0)
    # x carries nothing; y repeats the coded bit before its run
    assert np.all(llr[x_ind] == 0)
    for i in y_ind:
        j = i
        while cw[j] == PLACEHOLDER_Y:
            j -= 1
        if cw[j] == PLACEHOLDER_X:
            assert llr[i] == 0
        else:
            assert (llr[i] < 0) == bool(cw[j]) and llr[i] != 0


def _tb_slot(carrier, cfg, sch, rng, rv=0, n_slot=0):
    g = pusch_bit_capacity(carrier, cfg)
    tb = rng.integers(0, 2, sch.tbs, dtype=np.uint8)
    return tb, pusch_grid(sch_encode(tb, sch, g=g, rv=rv), carrier, cfg, n_slot=n_slot)


@pytest.mark.parametrize(("modulation", "n_prb"), [("pi/2-BPSK", 6), ("QPSK", 15),
                                                   ("16QAM", 9), ("64QAM", 10)])
def test_transform_precoding_round_trip(modulation, n_prb, rng):
    carrier = Carrier(n_size_grid=20)
    cfg = PuschConfig(prb_set=tuple(range(2, 2 + n_prb)), modulation=modulation,
                      transform_precoding=True, dmrs=DmrsConfig(additional_position=1),
                      group_hopping=True, n_antenna_ports=2, tpmi=3)
    qm = cfg.qm
    sch = SchConfig(tbs=400, target_code_rate=0.4, qm=qm)
    tb = rng.integers(0, 2, sch.tbs, dtype=np.uint8)
    cw = sch_encode(tb, sch, g=pusch_bit_capacity(carrier, cfg), rv=0)
    tx = pusch_grid(cw, carrier, cfg, n_slot=4)
    h = _crandn(rng, 2, 2)
    y = np.einsum("rp,plk->rlk", h, tx)
    res = pusch_receive(y, carrier, cfg, sch_config=sch, n_slot=4)
    assert res.tb_crc_ok
    np.testing.assert_array_equal(res.tb, tb)
    # the deprecoded symbols are the modulation symbols of the scrambled codeword
    d = modulate(pusch_scramble(cw, scrambling_c_init(cfg.n_rnti, carrier.n_cell_id)), modulation)
    np.testing.assert_allclose(res.demod.symbols[0], d, atol=1e-4)
    # per OFDM symbol the effective noise is one value (the mean over its subcarriers)
    nv = res.demod.noise_var_eff.reshape(-1, 12 * n_prb)
    assert np.all(nv == nv[:, :1])


def test_transform_precoding_noise_variance_is_the_mean_over_subcarriers(rng):
    # a frequency-selective channel: ZF noise differs per subcarrier; after the IDFT every
    # symbol of an OFDM symbol sees the mean, and the measured error power agrees with it
    carrier = Carrier(n_size_grid=12)
    cfg = PuschConfig(prb_set=tuple(range(12)), modulation="QPSK", transform_precoding=True)
    g = pusch_bit_capacity(carrier, cfg)
    cw = rng.integers(0, 2, g, dtype=np.uint8)
    tx = pusch_grid(cw, carrier, cfg)
    k = np.arange(carrier.n_subcarriers)
    h = (1.0 + 0.7 * np.exp(-2j * np.pi * k * 3.0 / k.size))[None, None, None, :]
    h = np.broadcast_to(h, (1, 1, 14, k.size))
    n0 = 0.01
    y = h[:, 0] * tx + np.sqrt(n0) * _crandn(rng, 1, 14, k.size)
    d = pusch_demodulate(y, carrier, cfg, estimator="perfect", h_true=h, noise_var=n0,
                         equalizer="zf")
    expected = n0 * np.mean(1.0 / np.abs(h[0, 0, 0]) ** 2)
    np.testing.assert_allclose(d.noise_var_eff, expected, rtol=1e-4)
    ref = (np.sign(d.symbols.real) + 1j * np.sign(d.symbols.imag)) / np.sqrt(2)
    err = np.mean(np.abs(d.symbols - ref) ** 2)
    assert 0.85 < err / expected < 1.15


def test_awgn_bler_falls_with_snr(rng):
    carrier = Carrier(n_size_grid=8)
    cfg = PuschConfig(modulation="16QAM", dmrs=DmrsConfig(additional_position=1))
    sch = SchConfig(tbs=2000, target_code_rate=0.5, qm=4)
    errors = []
    for snr in (2.0, 6.0, 12.0):
        n0 = 10 ** (-snr / 10)
        err = 0
        for s in range(6):
            _, tx = _tb_slot(carrier, cfg, sch, rng, n_slot=s)
            y = tx + np.sqrt(n0) * _crandn(rng, *tx.shape)
            err += not pusch_receive(y, carrier, cfg, sch_config=sch, n_slot=s).tb_crc_ok
        errors.append(err)
    assert errors[0] == 6 and errors[-1] == 0
    assert errors == sorted(errors, reverse=True)


@pytest.mark.parametrize(("estimator", "equalizer"), [("ls", "mmse"), ("perfect", "mmse"),
                                                      ("ls", "irc")])
def test_two_layers_codebook_frequency_selective_noisy(estimator, equalizer, rng):
    carrier = Carrier(scs=30, n_size_grid=24)
    cfg = PuschConfig(n_layers=2, n_antenna_ports=4, tpmi=3, modulation="16QAM",
                      dmrs=DmrsConfig(additional_position=1))
    sch = SchConfig(tbs=4000, target_code_rate=0.45, qm=4, n_layers=2)
    tb, tx = _tb_slot(carrier, cfg, sch, rng, n_slot=3)
    n_rx = 4
    f = np.arange(carrier.n_subcarriers) * 30e3
    taps = _crandn(rng, n_rx, 4, 3) * np.sqrt([0.6, 0.3, 0.1])
    delays = np.array([0.0, 0.2e-6, 0.5e-6])
    hp = np.einsum("rpd,dk->rpk", taps, np.exp(-2j * np.pi * delays[:, None] * f))
    hp = np.broadcast_to(hp[:, :, None, :], (n_rx, 4, 14, f.size))
    n0 = 0.02
    y = np.einsum("rplk,plk->rlk", hp, tx) + np.sqrt(n0) * _crandn(rng, n_rx, 14, f.size)
    h_eff = np.einsum("rplk,pj->rjlk", hp, pusch_precoding_matrix(cfg))
    res = pusch_receive(y, carrier, cfg, sch_config=sch, n_slot=3, estimator=estimator,
                        h_true=h_eff, equalizer=equalizer)
    assert res.tb_crc_ok
    np.testing.assert_array_equal(res.tb, tb)
    assert 0.7 < res.demod.estimate.noise_var / n0 < 1.4


def test_harq_combines_two_weak_transmissions(rng):
    carrier = Carrier(n_size_grid=10)
    cfg = PuschConfig(modulation="QPSK")
    sch = SchConfig(tbs=1500, target_code_rate=0.5, qm=2)
    g = pusch_bit_capacity(carrier, cfg)
    tb = rng.integers(0, 2, sch.tbs, dtype=np.uint8)
    harq = HarqBuffer()
    oks = []
    for tx_i, rv in enumerate((0, 2)):
        tx = pusch_grid(sch_encode(tb, sch, g=g, rv=rv), carrier, cfg, n_slot=tx_i)
        y = tx + np.sqrt(0.8) * _crandn(rng, *tx.shape)      # 1 dB: one copy is not enough
        res = pusch_receive(y, carrier, cfg, sch_config=sch, rv=rv, harq=harq, ndi=0,
                            n_slot=tx_i, noise_var=0.8)
        oks.append(res.tb_crc_ok)
    assert oks == [False, True]
    np.testing.assert_array_equal(res.tb, tb)


def test_descramble_placeholders_oracle(rng):
    # hard decisions of noiseless LLRs descrambled with the placeholders give the codeword
    cw = rng.integers(0, 2, 60)
    cw[5], cw[6:9] = 1, PLACEHOLDER_X          # [c0 x x x]
    cw[20:24] = [0, PLACEHOLDER_Y, PLACEHOLDER_X, PLACEHOLDER_X]  # [c0 y x x]
    cw[40:43] = [1, PLACEHOLDER_Y, PLACEHOLDER_Y]
    c_init = scrambling_c_init(7, 99)
    scrambled = pusch_scramble(cw, c_init).astype(np.float32)
    llr = 3.0 * (1.0 - 2.0 * scrambled)
    out = pusch_descramble_llrs(llr, c_init, x_indices=np.flatnonzero(cw == -1),
                                y_indices=np.flatnonzero(cw == -2))
    coded = cw >= 0
    np.testing.assert_array_equal(out[coded] < 0, cw[coded].astype(bool))
    assert np.all(out[cw == -1] == 0)
    assert out[21] == out[20] and out[41] == out[40] and out[42] == out[40]
    # without placeholders it is plain descrambling
    plain = pusch_descramble_llrs(llr, c_init)
    np.testing.assert_array_equal(plain[coded], out[coded])


def test_errors(rng):
    carrier = Carrier(n_size_grid=6)
    cfg = PuschConfig()
    sch = SchConfig(tbs=200, target_code_rate=0.3, qm=2)
    _, tx = _tb_slot(carrier, cfg, sch, rng)
    with pytest.raises(TypeError, match="sch_config"):
        pusch_receive(tx, carrier, cfg, sch_config="x")
    with pytest.raises(TypeError, match="config"):
        pusch_receive(tx, carrier, DmrsConfig(), sch_config=sch)
    with pytest.raises(ValueError, match="noise_var"):
        pusch_receive(tx, carrier, cfg, sch_config=sch, noise_var=-1.0)
    with pytest.raises(ConfigError, match=r"equalizer|method"):
        pusch_receive(tx, carrier, cfg, sch_config=sch, equalizer="ml")
    with pytest.raises(ConfigError, match="estimator"):
        pusch_receive(tx, carrier, cfg, sch_config=sch, estimator="magic")
    with pytest.raises(ValueError, match="grid"):
        pusch_receive(tx[:, :3], carrier, cfg, sch_config=sch)
    with pytest.raises(ValueError, match="h_true"):
        pusch_receive(tx, carrier, cfg, sch_config=sch, estimator="perfect")
    g = pusch_bit_capacity(carrier, cfg)
    with pytest.raises(ValueError, match="y_indices"):
        pusch_demodulate(tx, carrier, cfg, y_indices=[0])
    with pytest.raises(ValueError, match="x_indices"):
        pusch_demodulate(tx, carrier, cfg, x_indices=[g])
    with pytest.raises(ValueError, match="both"):
        pusch_demodulate(tx, carrier, cfg, x_indices=[3], y_indices=[3])


@pytest.mark.parametrize("tp", [False, True], ids=["cp-ofdm", "dft-s-ofdm"])
def test_frequency_hopping_each_hop_estimated_on_its_own(tp, rng):
    # the two hops see unrelated channels: decoding needs the estimate of each hop
    carrier = Carrier(n_size_grid=40)
    cfg = PuschConfig(prb_set=tuple(range(2, 14)), modulation="16QAM", transform_precoding=tp,
                      frequency_hopping="intra-slot", rb_offset=20,
                      dmrs=DmrsConfig(additional_position=1))
    sch = SchConfig(tbs=1200, target_code_rate=0.5, qm=4)
    tb, tx = _tb_slot(carrier, cfg, sch, rng, n_slot=5)
    h0, h1 = _crandn(rng, 2, 1), _crandn(rng, 2, 1)
    h = np.empty((2, 1, 14, carrier.n_subcarriers), np.complex64)
    h[:, :, :7], h[:, :, 7:] = h0[:, :, None, None], h1[:, :, None, None]
    y = np.einsum("rjlk,jlk->rlk", h, tx)
    y += np.sqrt(1e-3) * _crandn(rng, *y.shape)
    res = pusch_receive(y, carrier, cfg, sch_config=sch, n_slot=5)
    assert res.tb_crc_ok
    np.testing.assert_array_equal(res.tb, tb)
    est = res.demod.estimate.h
    np.testing.assert_allclose(est[:, 0, 4, 2 * 12:14 * 12], h0 * np.ones((1, 144)), atol=0.05)
    np.testing.assert_allclose(est[:, 0, 9, 22 * 12:34 * 12], h1 * np.ones((1, 144)), atol=0.05)
    assert 0.5e-3 < res.demod.estimate.noise_var < 2e-3
    res = pusch_receive(y, carrier, cfg, sch_config=sch, n_slot=5, estimator="perfect", h_true=h)
    np.testing.assert_array_equal(res.tb, tb)
    # with the first hop's channel taken for the whole slot, the block is lost
    wrong = np.ascontiguousarray(np.broadcast_to(h[:, :, :1], h.shape))
    assert not pusch_receive(y, carrier, cfg, sch_config=sch, n_slot=5, estimator="perfect",
                             h_true=wrong).tb_crc_ok


# --- UCI multiplexed on the PUSCH (TS 38.212 §6.2.7, §6.3.2) -----------------------------

def _vector_uci(v):
    def on(name):
        return int(v["Enable" + name])

    uci = UciPuschConfig(o_ack=on("ACK") * int(v["NumACKBits"]),
                         o_csi1=on("CSI1") * int(v["NumCSI1Bits"]),
                         o_csi2=on("CSI2") * int(v["NumCSI2Bits"]),
                         beta_offset_ack=float(v["BetaOffsetACK"]),
                         beta_offset_csi1=float(v["BetaOffsetCSI1"]),
                         beta_offset_csi2=float(v["BetaOffsetCSI2"]), alpha=float(v["UCIScaling"]))
    return uci, bool(on("ULSCH"))


@pytest.mark.parametrize("path", vector_files("ulsch_uci"), ids=lambda p: p.name[27:60])
def test_ulsch_uci_vectors_round_trip_to_the_payloads(path, rng):
    v = load_vector(path)
    carrier, cfg = pusch_vector_config(v)
    uci, has_ulsch = _vector_uci(v)
    r = float(v["TargetCodeRateby1024"]) / 1024
    tb = np.atleast_1d(as_int(v["trblk_out"])).astype(np.uint8)
    sch = SchConfig(tbs=tb.size, target_code_rate=r, qm=cfg.qm, n_layers=cfg.n_layers) \
        if has_ulsch else None
    n_slots = np.atleast_2d(v["codeword_out"]).shape[0]
    s = 0       # RV 0 (the second slot's RV 2 of these allocations is not self-decodable)
    payload = {name: as_int(v[key]).reshape(n_slots, -1)[s].astype(np.uint8)
               for name, key in (("ack", "effACK_out"), ("csi1", "csi1_out"), ("csi2", "csi2_out"))
               if getattr(uci, "o_" + name)}
    rv = int(np.atleast_1d(as_int(v["rv_out"]))[s])
    tx = pusch_transmit(carrier, cfg, tb=tb if has_ulsch else None, sch=sch, rv=rv, uci=uci,
                        target_code_rate=r, n_slot=1, **payload)
    h = _crandn(rng, cfg.n_antenna_ports + 1, cfg.n_antenna_ports)
    y = np.einsum("rp,plk->rlk", h, tx)
    res = pusch_receive(y, carrier, cfg, sch_config=sch, uci=uci, target_code_rate=r, rv=rv,
                        n_slot=1)
    if has_ulsch:
        assert res.tb_crc_ok
        np.testing.assert_array_equal(res.tb, tb)
    else:
        assert res.ulsch is None and res.tb is None and not res.tb_crc_ok
    for name in ("ack", "csi1", "csi2"):
        dec = getattr(res, name)
        if name in payload:
            np.testing.assert_array_equal(dec.bits, payload[name])
            assert dec.crc_ok
        else:
            assert dec is None


def _awgn(rng, tx, n_rx, n0):
    """Through a random flat channel of unit power per link to ``n_rx`` antennas, with noise."""
    h = _crandn(rng, n_rx, tx.shape[0]) / np.sqrt(tx.shape[0])
    y = np.einsum("rp,plk->rlk", h, tx)
    return y + np.sqrt(n0) * _crandn(rng, *y.shape)


UCI_CASES = [
    # (transform precoding, hopping, UL-SCH, O_ACK, O_CSI1, O_CSI2)
    (False, False, True, 1, 0, 0),
    (False, False, True, 2, 20, 40),
    (False, False, True, 7, 30, 0),
    (False, False, False, 2, 20, 40),
    (False, True, True, 2, 15, 30),
    (False, True, False, 12, 40, 60),
    (True, False, True, 1, 12, 24),
    (True, False, False, 0, 30, 50),
    (True, True, True, 3, 0, 0),
]


@pytest.mark.parametrize(("tp", "hopping", "ulsch", "o_ack", "o_csi1", "o_csi2"), UCI_CASES)
def test_uci_round_trip_awgn(tp, hopping, ulsch, o_ack, o_csi1, o_csi2, rng):
    carrier = Carrier(n_size_grid=30)
    extra = dict(frequency_hopping="intra-slot", rb_offset=15) if hopping else {}
    cfg = PuschConfig(prb_set=tuple(range(2, 14)), modulation="16QAM", transform_precoding=tp,
                      dmrs=DmrsConfig(additional_position=1), n_rnti=101, **extra)
    sch = SchConfig(tbs=1800, target_code_rate=0.45, qm=4) if ulsch else None
    uci = UciPuschConfig(o_ack=o_ack, o_csi1=o_csi1, o_csi2=o_csi2, beta_offset_ack=8.0,
                         beta_offset_csi1=4.0, beta_offset_csi2=4.0, alpha=1.0)
    payload = {n: rng.integers(0, 2, o, dtype=np.uint8)
               for n, o in (("ack", o_ack), ("csi1", o_csi1), ("csi2", o_csi2)) if o}
    tb = rng.integers(0, 2, 1800, dtype=np.uint8) if ulsch else None
    tx = pusch_transmit(carrier, cfg, tb=tb, sch=sch, uci=uci, target_code_rate=0.45, n_slot=3,
                        **payload)
    y = _awgn(rng, tx, 2, 10 ** (-9.0 / 10))            # 9 dB, LS estimation
    res = pusch_receive(y, carrier, cfg, sch_config=sch, uci=uci, target_code_rate=0.45, n_slot=3)
    for name, bits in payload.items():
        dec = getattr(res, name)
        np.testing.assert_array_equal(dec.bits, bits, err_msg=name)
        assert dec.crc_ok
    if ulsch:
        assert res.tb_crc_ok
        np.testing.assert_array_equal(res.tb, tb)
        plan = pusch_mux_plan(carrier, cfg, uci, sch=sch)
        assert res.uci.ulsch_llr.shape == (plan.g_ulsch,)
        # 1-2 HARQ-ACK bits puncture the UL-SCH: those LLRs are erasures
        if 0 < o_ack <= 2:
            assert plan.ulsch_punctured.any()
            assert np.all(res.uci.ulsch_llr[plan.ulsch_punctured] == 0)


def test_uci_with_hopping_needs_each_hop_estimated(rng):
    # UCI split between two hops with unrelated channels: both halves decode only with the
    # estimate of their own hop
    carrier = Carrier(n_size_grid=40)
    cfg = PuschConfig(prb_set=tuple(range(2, 14)), modulation="QPSK", frequency_hopping="intra-slot",
                      rb_offset=20, dmrs=DmrsConfig(additional_position=1))
    sch = SchConfig(tbs=800, target_code_rate=0.4, qm=2)
    uci = UciPuschConfig(o_ack=10, o_csi1=25, o_csi2=30, beta_offset_ack=5.0,
                         beta_offset_csi1=2.0, beta_offset_csi2=2.0)
    payload = {n: rng.integers(0, 2, o, dtype=np.uint8)
               for n, o in (("ack", 10), ("csi1", 25), ("csi2", 30))}
    tb = rng.integers(0, 2, 800, dtype=np.uint8)
    tx = pusch_transmit(carrier, cfg, tb=tb, sch=sch, uci=uci, n_slot=2, **payload)
    h = np.empty((2, 1, 14, carrier.n_subcarriers), np.complex64)
    h[:, :, :7], h[:, :, 7:] = -1j, 1.0       # the second hop a quarter turn away
    y = np.einsum("rjlk,jlk->rlk", h, tx) + np.sqrt(0.01) * _crandn(rng, 2, 14, h.shape[-1])
    res = pusch_receive(y, carrier, cfg, sch_config=sch, uci=uci, n_slot=2)
    assert res.tb_crc_ok
    for name, bits in payload.items():
        np.testing.assert_array_equal(getattr(res, name).bits, bits)
    plan = pusch_mux_plan(carrier, cfg, uci, sch=sch)
    assert all(min(split) > 0 for _, split in plan.hop_split[1:])
    assert plan.g_ulsch > 2 * sch.tbs
    # the first hop's channel used for the whole slot: the UCI is lost
    wrong = np.ascontiguousarray(np.broadcast_to(h[:, :, :1], h.shape))
    bad = pusch_receive(y, carrier, cfg, sch_config=sch, uci=uci, n_slot=2, estimator="perfect",
                        h_true=wrong)
    assert not (bad.tb_crc_ok and bad.ack.crc_ok and bad.csi1.crc_ok and bad.csi2.crc_ok)


def test_uci_receive_errors(rng):
    carrier = Carrier(n_size_grid=6)
    cfg = PuschConfig()
    tx = np.zeros((1, 14, 72), np.complex64)
    with pytest.raises(ValueError, match="UL-SCH, UCI or both"):
        pusch_receive(tx, carrier, cfg)
    with pytest.raises(TypeError, match="uci"):
        pusch_receive(tx, carrier, cfg, uci={"o_ack": 1})
    with pytest.raises(ConfigError, match="target_code_rate"):
        pusch_receive(tx, carrier, cfg, uci=UciPuschConfig(o_ack=1, o_csi1=20))


@pytest.mark.parametrize("ulsch", [True, False])
def test_csi1_decodes_before_the_csi2_size_is_known(ulsch, rng):
    # O_CSI2 may follow from CSI part 1: HARQ-ACK and CSI part 1 decode with any O_CSI2 (their
    # REs depend on CSI part 2 being present, not on its size); CSI part 2 then needs the size
    carrier = Carrier(n_size_grid=20)
    cfg = PuschConfig(prb_set=tuple(range(10)), modulation="QPSK")
    sch = SchConfig(tbs=600, target_code_rate=0.4, qm=2) if ulsch else None
    uci = UciPuschConfig(o_ack=2, o_csi1=14, o_csi2=40, beta_offset_csi1=2.0, beta_offset_csi2=2.0)
    payload = {n: rng.integers(0, 2, o, dtype=np.uint8) for n, o in (("ack", 2), ("csi1", 14),
                                                                      ("csi2", 40))}
    tb = rng.integers(0, 2, 600, dtype=np.uint8) if ulsch else None
    tx = pusch_transmit(carrier, cfg, tb=tb, sch=sch, uci=uci, target_code_rate=0.4, **payload)
    guess = dataclasses.replace(uci, o_csi2=12)
    first = pusch_receive(tx, carrier, cfg, sch_config=sch, uci=guess, target_code_rate=0.4)
    np.testing.assert_array_equal(first.ack.bits, payload["ack"])
    np.testing.assert_array_equal(first.csi1.bits, payload["csi1"])
    assert first.csi1.crc_ok and not first.csi2.crc_ok
    again = pusch_receive(tx, carrier, cfg, sch_config=sch, uci=uci, target_code_rate=0.4)
    np.testing.assert_array_equal(again.csi2.bits, payload["csi2"])
    assert again.csi2.crc_ok and (again.tb_crc_ok or not ulsch)
