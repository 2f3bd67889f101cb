"""Tests of the TS 38.214 MCS index tables (§5.1.3.1, §6.1.4.1)."""

from __future__ import annotations

import itertools

import pytest

from conftest import load_vector, vector_files
from opennr.errors import ConfigError
from opennr.transport.mcs import (
    MCS_TABLE_ALIASES,
    MCS_TABLES,
    Q_DEPENDENT,
    max_modulation_order,
    mcs_entry,
    mcs_table_number,
)

# mcstableidx of the vectors: Tables 5.1.3.1-1/2/3, then 6.1.4.1-1/2 (tp-pi2BPSK on, q = 1).
VECTOR_TABLES = {1: "qam64", 2: "qam256", 3: "qam64LowSE", 4: "tp-qam64", 5: "tp-qam64LowSE"}


def test_every_table_has_32_rows_in_order():
    assert set(MCS_TABLES) == {"5.1.3.1-1", "5.1.3.1-2", "5.1.3.1-3", "5.1.3.1-4",
                               "6.1.4.1-1", "6.1.4.1-2"}
    for rows in MCS_TABLES.values():
        assert [r[0] for r in rows] == list(range(32))


@pytest.mark.parametrize("table", sorted(MCS_TABLES))
@pytest.mark.parametrize("tp_pi2bpsk", [False, True])
def test_spectral_efficiency_is_qm_times_rate(table, tp_pi2bpsk):
    # The printed spectral efficiency is Q_m * R rounded to 4 decimals: catches typos in
    # either column, and checks the q rule of Tables 6.1.4.1-1/2.
    for i in range(32):
        e = mcs_entry(table, i, tp_pi2bpsk=tp_pi2bpsk, retransmission=True)
        if e.reserved:
            continue
        assert abs(e.spectral_efficiency - e.qm * e.target_code_rate) <= 0.5e-4 + 1e-12, (table, i)


@pytest.mark.parametrize("table", sorted(MCS_TABLES))
def test_rate_increases_and_reserved_rows_at_the_end(table):
    entries = [mcs_entry(table, i, tp_pi2bpsk=True, retransmission=True) for i in range(32)]
    used = [e for e in entries if not e.reserved]
    # Q_m never decreases; within one Q_m the code rate strictly increases.
    for a, b in itertools.pairwise(used):
        assert a.qm < b.qm or (a.qm == b.qm and a.target_code_rate < b.target_code_rate)
    n_used = len(used)
    assert all(e.reserved for e in entries[n_used:])
    # Reserved rows list each modulation order of the table once, in increasing order.
    reserved_qm = [e.qm for e in entries[n_used:]]
    assert reserved_qm == sorted(set(reserved_qm))
    assert set(reserved_qm) == {e.qm for e in used}


def test_q_dependent_rows():
    e2 = mcs_entry("6.1.4.1-1", 0)
    e1 = mcs_entry("6.1.4.1-1", 0, tp_pi2bpsk=True)
    assert (e2.qm, e2.target_code_rate * 1024) == (2, 120)
    assert (e1.qm, e1.target_code_rate * 1024) == (1, 240)
    assert mcs_entry("6.1.4.1-2", 5, tp_pi2bpsk=True).target_code_rate * 1024 == 198
    assert mcs_entry("6.1.4.1-2", 5).target_code_rate * 1024 == 99
    assert mcs_entry("6.1.4.1-2", 6, tp_pi2bpsk=True).qm == 2
    assert mcs_entry("6.1.4.1-1", 28, tp_pi2bpsk=True, retransmission=True).qm == 1
    assert mcs_entry("6.1.4.1-1", 28, retransmission=True).qm == 2
    n_q_rows = {t: sum(r[1] == Q_DEPENDENT for r in rows) for t, rows in MCS_TABLES.items()}
    assert n_q_rows == {"5.1.3.1-1": 0, "5.1.3.1-2": 0, "5.1.3.1-3": 0, "5.1.3.1-4": 0,
                        "6.1.4.1-1": 3, "6.1.4.1-2": 7}
    # tp-pi2BPSK does nothing to the other tables.
    assert mcs_entry("qam64", 0, tp_pi2bpsk=True) == mcs_entry("qam64", 0)


def test_pdsch_vectors_mcs():
    for path in vector_files("pdsch") + vector_files("pdsch_short"):
        v = load_vector(path)
        e = mcs_entry(VECTOR_TABLES[int(v["mcstableidx"])], int(v["imcs"]))
        assert e.qm == int(v["Qm"])
        assert e.target_code_rate * 1024 == float(v["TargetCodeRateby1024"])


def test_ulsch_vectors_mcs():
    for path in vector_files("ulsch"):
        v = load_vector(path)
        e = mcs_entry(VECTOR_TABLES[int(v["mcstableidx"])], int(v["imcs"]), tp_pi2bpsk=True)
        assert e.qm == int(v["Qm"]), path.name
        assert e.target_code_rate * 1024 == float(v["TargetCodeRateby1024"]), path.name


def test_spot_values():
    assert mcs_entry("qam256", 20).target_code_rate * 1024 == 682.5
    assert mcs_entry("qam1024", 23).qm == 10
    assert mcs_entry("qam1024", 23).target_code_rate * 1024 == 805.5
    assert mcs_entry("qam64LowSE", 0).target_code_rate * 1024 == 30
    assert mcs_entry("5.1.3.1-1", 28).spectral_efficiency == 5.5547


def test_aliases_and_max_modulation_order():
    for alias, number in MCS_TABLE_ALIASES.items():
        assert mcs_table_number(alias) == number
        assert mcs_table_number(number) == number
    assert [max_modulation_order(t) for t in ("qam64", "qam256", "qam64LowSE", "qam1024",
                                              "tp-qam64", "tp-qam64LowSE")] == [6, 8, 6, 10, 6, 6]


@pytest.mark.parametrize(("table", "i_mcs"), [("qam64", 29), ("qam64", 31), ("qam256", 28),
                                              ("qam64LowSE", 29), ("qam1024", 27),
                                              ("tp-qam64", 28), ("tp-qam64LowSE", 31)])
def test_reserved_index_needs_retransmission(table, i_mcs):
    with pytest.raises(ConfigError, match=r"i_mcs=.*reserved in Table .*retransmission"):
        mcs_entry(table, i_mcs)
    e = mcs_entry(table, i_mcs, retransmission=True)
    assert e.reserved and e.target_code_rate is None and e.spectral_efficiency is None
    assert e.qm in (1, 2, 4, 6, 8, 10)


def test_bad_arguments():
    with pytest.raises(ConfigError, match="table='qam512'"):
        mcs_entry("qam512", 0)
    with pytest.raises(ConfigError, match="i_mcs=32: must be <= 31"):
        mcs_entry("qam64", 32)
    with pytest.raises(ConfigError, match="i_mcs=-1"):
        mcs_entry("qam64", -1)
    with pytest.raises(ConfigError, match="must be an integer"):
        mcs_entry("qam64", 1.0)
