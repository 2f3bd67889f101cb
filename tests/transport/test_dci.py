"""DCI formats (TS 38.212 §7.3.1): field widths, size alignment (§7.3.1.0), packing, RIV."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from opennr.errors import ConfigError
from opennr.transport.dci import (
    ANTENNA_PORTS_TABLE_7_3_1_2_2_1,
    DciConfig,
    dci_format,
    dci_formats,
    n_rbg,
    rbg_size,
    riv_decode,
    riv_encode,
)


@pytest.mark.parametrize("n", [1, 2, 3, 24, 51, 52, 106, 275])
def test_riv_is_a_bijection_onto_0_to_n_n_plus_1_over_2(n):
    rivs = {}
    for start in range(n):
        for length in range(1, n - start + 1):
            riv = riv_encode(n, start, length)
            assert riv not in rivs
            rivs[riv] = (start, length)
            assert riv_decode(n, riv) == (start, length)
    assert set(rivs) == set(range(n * (n + 1) // 2))


def test_riv_formula_branches():
    # TS 38.214 §5.1.2.2.2 with N = 52: L - 1 <= 26 uses N(L-1) + start, else N(N-L+1) + N-1-start.
    assert riv_encode(52, 3, 10) == 52 * 9 + 3
    assert riv_encode(52, 2, 40) == 52 * 13 + 49


def test_rbg_size_table_and_n_rbg():
    assert [rbg_size(n, 1) for n in (1, 36, 37, 72, 73, 144, 145, 275)] == [2, 2, 4, 4, 8, 8, 16, 16]
    assert [rbg_size(n, 2) for n in (36, 37, 73, 275)] == [4, 8, 16, 16]
    assert n_rbg(52, 0, 1) == 13
    assert n_rbg(52, 3, 1) == 14          # ceil((52 + 3 mod 4) / 4)


def _widths(fmt):
    return {f.name: f.width for f in fmt.fields}


def test_format_1_0_in_css_uses_the_coreset0_size():
    fmt = dci_format("1_0", DciConfig(n_size_bwp_dl=106, n_size_coreset0=48), "common")
    # 1 + ceil(log2(48*49/2)) + 4 + 1 + 5 + 1 + 2 + 4 + 2 + 2 + 3 + 3
    assert _widths(fmt)["frequency_domain_resource_assignment"] == 11
    assert fmt.size == 39 and fmt.n_rb == 48


def test_format_0_0_in_css_is_padded_to_1_0():
    f = dci_formats(DciConfig(n_size_bwp_dl=106, n_size_bwp_ul=106, n_size_coreset0=48))
    f00 = f[("0_0", "common")]
    assert f00.size == f[("1_0", "common")].size == 39
    assert _widths(f00)["frequency_domain_resource_assignment"] == 13
    assert _widths(f00)["padding"] == 39 - 33


def test_format_0_0_in_css_truncates_the_fdra_msbs_when_longer():
    cfg = DciConfig(n_size_bwp_dl=6, n_size_bwp_ul=273)
    f = dci_formats(cfg)
    # 1_0: 28 + ceil(log2 21) = 33; 0_0: 20 + ceil(log2(273*274/2)) = 36 -> 3 MSBs truncated
    assert f[("1_0", "common")].size == 33
    f00 = f[("0_0", "common")]
    assert f00.size == 33 and "padding" not in _widths(f00)
    assert _widths(f00)["frequency_domain_resource_assignment"] == 13


def test_uss_fallback_formats_padded_to_the_larger():
    f = dci_formats(DciConfig(n_size_bwp_dl=52, n_size_bwp_ul=106, uss_fallback=True))
    assert f[("1_0", "ue")].size == 39 and f[("0_0", "ue")].size == 39
    assert _widths(f[("0_0", "ue")])["padding"] == 6


def test_format_1_1_fields_and_size():
    fmt = dci_format("1_1", DciConfig(n_size_bwp_dl=52))
    w = _widths(fmt)
    assert w["frequency_domain_resource_assignment"] == 11 and w["antenna_ports"] == 4
    assert w["pdsch_to_harq_feedback_timing"] == 3 and w["dai"] == 2
    assert fmt.size == 45
    two = dci_format("1_1", DciConfig(n_size_bwp_dl=52, two_codewords=True, dmrs_type_dl=2,
                                      dmrs_max_length_dl=2, tci_present=True, n_bwp_dl=2,
                                      resource_allocation_dl="dynamicSwitch", cbg_dl=4))
    w = _widths(two)
    assert w["frequency_domain_resource_assignment"] == 14        # max(13 RBGs, 11) + 1
    assert w["antenna_ports"] == 6 and w["tci"] == 3 and w["bandwidth_part_indicator"] == 2
    assert w["mcs_2"] == 5 and w["cbg_transmission_information"] == 8


def test_format_0_1_gets_one_bit_when_equal_to_the_fallback_size():
    f = dci_formats(DciConfig(n_size_bwp_dl=52, n_size_bwp_ul=52))
    # 0_1: 1 + 11 + 4 + 5 + 1 + 2 + 4 + 2 (DAI) + 2 + 3 (antenna ports) + 2 + 1 + 1 = 39
    assert f[("0_0", "ue")].size == 39
    f01 = f[("0_1", "ue")]
    assert f01.size == 40 and _widths(f01)["padding"] == 1
    assert _widths(f01)["antenna_ports"] == 3


@pytest.mark.parametrize("ports, rank, subset, bits", [
    (4, 4, "fullyAndPartialAndNonCoherent", 6), (4, 4, "partialAndNonCoherent", 5),
    (4, 4, "nonCoherent", 4), (4, 1, "fullyAndPartialAndNonCoherent", 5), (4, 1, "nonCoherent", 2),
    (2, 2, "fullyAndPartialAndNonCoherent", 4), (2, 1, "nonCoherent", 1), (1, 1, "nonCoherent", 0),
])
def test_precoding_information_width(ports, rank, subset, bits):
    cfg = DciConfig(n_ports_ul=ports, max_rank_ul=rank, codebook_subset=subset)
    assert _widths(dci_format("0_1", cfg)).get("precoding_information_and_layers", 0) == bits


def test_non_codebook_sri_width():
    cfg = DciConfig(tx_config_ul="nonCodebook", n_srs_resources=4, max_rank_ul=4)
    assert _widths(dci_format("0_1", cfg))["srs_resource_indicator"] == 4   # 15 combinations
    cfg = DciConfig(tx_config_ul="nonCodebook", n_srs_resources=4, max_rank_ul=1)
    assert _widths(dci_format("0_1", cfg))["srs_resource_indicator"] == 2


def test_too_many_sizes_moves_the_uss_fallback_to_the_css_size():
    f = dci_formats(DciConfig(n_size_bwp_dl=106, n_size_bwp_ul=106, n_size_coreset0=48))
    assert f[("1_0", "ue")].size == f[("1_0", "common")].size == 39
    sizes = {f[k].size for k in [("1_0", "common"), ("1_0", "ue"), ("0_1", "ue"), ("1_1", "ue")]}
    assert len(sizes) <= 3


def test_format_2_x_sizes():
    f = dci_formats(DciConfig(payload_size_2_0=22, sfi_bits=5, payload_size_2_1=30, n_tpc_blocks=3,
                              tpc_closed_loop=True))
    assert f[("2_0", "common")].size == 22 and _widths(f[("2_0", "common")])["padding"] == 2
    assert sum(1 for x in f[("2_1", "common")].fields if x.name.startswith("preemption")) == 2
    assert f[("2_2", "common")].size == f[("1_0", "common")].size


FORMATS = [("0_0", "common"), ("1_0", "common"), ("0_0", "ue"), ("1_0", "ue"), ("0_1", "ue"), ("1_1", "ue")]


@given(st.sampled_from(FORMATS), st.integers(0, 2**32 - 1))
def test_pack_unpack_round_trip(key, seed):
    cfg = DciConfig(n_size_bwp_dl=106, n_size_bwp_ul=51, two_codewords=True, n_ports_ul=4, max_rank_ul=2,
                    codebook_subset="partialAndNonCoherent", csi_request_bits=3)
    fmt = dci_format(key[0], cfg, key[1])
    rng = np.random.default_rng(seed)
    values = {f.name: int(rng.integers(0, 1 << f.width)) for f in fmt.fields
              if f.name not in ("identifier", "padding")}
    bits = fmt.pack(values)
    assert bits.shape == (fmt.size,) and bits[0] == (1 if key[0].startswith("1") else 0)
    dci = fmt.unpack(bits)
    assert dci.format == key[0]
    for name, value in values.items():
        assert dci[name] == value
    assert fmt.matches(bits)


def test_pack_puts_fields_msb_first():
    fmt = dci_format("1_0", DciConfig(n_size_bwp_dl=52))
    bits = fmt.pack(mcs=0b10011, frequency_domain_resource_assignment=riv_encode(52, 0, 52))
    riv = int("".join(map(str, bits[1:12])), 2)
    assert riv_decode(52, riv) == (0, 52)
    assert bits[1 + 11 + 4 + 1:1 + 11 + 4 + 1 + 5].tolist() == [1, 0, 0, 1, 1]


def test_identifier_separates_formats_of_equal_size():
    f = dci_formats(DciConfig(n_size_bwp_dl=52, n_size_bwp_ul=52))
    ul, dl = f[("0_0", "ue")], f[("1_0", "ue")]
    assert ul.size == dl.size
    assert dl.matches(dl.pack()) and not ul.matches(dl.pack())
    assert ul.matches(ul.pack()) and not dl.matches(ul.pack())


def test_antenna_port_table_7_3_1_2_2_1():
    # One codeword, type 1, maxLength 1: value 2 is ports 0,1 with one CDM group without data.
    assert ANTENNA_PORTS_TABLE_7_3_1_2_2_1[2] == (1, (0, 1))
    assert ANTENNA_PORTS_TABLE_7_3_1_2_2_1[10] == (2, (0, 1, 2, 3))
    assert len(ANTENNA_PORTS_TABLE_7_3_1_2_2_1) == 12


@pytest.mark.parametrize("call, field", [
    (lambda: dci_format("1_0", DciConfig()).pack(mcs=32), "mcs"),
    (lambda: dci_format("1_0", DciConfig()).pack(antenna_ports=1), "antenna_ports"),
    (lambda: dci_format("1_0", DciConfig()).pack(identifier=0), "identifier"),
    (lambda: dci_format("1_0", DciConfig()).unpack(np.zeros(38, np.uint8)), "bits"),
    (lambda: dci_format("1_1", DciConfig(), "common"), "search_space"),
    (lambda: dci_format("3_0", DciConfig()), "format"),
    (lambda: DciConfig(two_codewords=True, cbg_dl=8), "cbg_dl"),
    (lambda: DciConfig(n_ports_ul=2, max_rank_ul=4), "max_rank_ul"),
    (lambda: DciConfig(n_size_bwp_dl=276), "n_size_bwp_dl"),
    (lambda: riv_decode(52, 52 * 53 // 2), "riv"),
    (lambda: riv_encode(52, 50, 3), "l_rbs"),
])
def test_bad_input_raises_config_error(call, field):
    with pytest.raises(ConfigError) as err:
        call()
    assert err.value.field == field
