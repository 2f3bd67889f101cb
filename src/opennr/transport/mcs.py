"""TS 38.214 §5.1.3.1, §6.1.4.1 — modulation and coding scheme (MCS) index tables.

The six MCS index tables of TS 38.214 are transcribed once below as data, each row being
``(I_MCS, Q_m, R x 1024, spectral efficiency)``:

=================  ===========================================================  =============
table              use                                                          RRC name
=================  ===========================================================  =============
``"5.1.3.1-1"``    PDSCH, and PUSCH without transform precoding                 ``qam64``
``"5.1.3.1-2"``    PDSCH/PUSCH, up to 256QAM                                    ``qam256``
``"5.1.3.1-3"``    PDSCH/PUSCH, low spectral efficiency                         ``qam64LowSE``
``"5.1.3.1-4"``    PDSCH, up to 1024QAM                                         ``qam1024``
``"6.1.4.1-1"``    PUSCH with transform precoding, 64QAM                        (``qam64``)
``"6.1.4.1-2"``    PUSCH with transform precoding, 64QAM low SE                 (``qam64LowSE``)
=================  ===========================================================  =============

In Tables 6.1.4.1-1/2 the lowest rows depend on ``q`` (§6.1.4.1): ``q = 1`` when the higher
layer parameter *tp-pi2BPSK* is configured (pi/2-BPSK), otherwise ``q = 2``; those rows have
``Q_m = q`` and ``R x 1024 = r / q`` with the ``r`` written in the table (for example
``240 / q``), so their spectral efficiency does not depend on ``q``.

Rows marked *reserved* (``R`` is ``None`` in the data) carry only a modulation order: they
are valid for retransmissions only, where the transport block size is that of the initial
transmission (§5.1.3.2, §6.1.4.2).
"""

from __future__ import annotations

from dataclasses import dataclass

from opennr._validate import check_int
from opennr.errors import ConfigError

__all__ = [
    "MCS_TABLES",
    "MCS_TABLE_ALIASES",
    "Q_DEPENDENT",
    "McsEntry",
    "max_modulation_order",
    "mcs_entry",
    "mcs_table_number",
]

Q_DEPENDENT = "q"
"""Marker in the Q_m column of Tables 6.1.4.1-1/2 for the rows whose Q_m is ``q``."""

# Each row: (I_MCS, Q_m, R x 1024, spectral efficiency). R x 1024 is None for reserved rows.
# In Tables 6.1.4.1-1/2 a Q_m of Q_DEPENDENT means "q", and R x 1024 of those rows is the
# numerator r of "r / q" as printed in the table.
MCS_TABLES: dict[str, tuple[tuple[int, int | str, float | None, float | None], ...]] = {
    # TS 38.214 Table 5.1.3.1-1: MCS index table 1 for PDSCH (qam64).
    "5.1.3.1-1": (
        (0, 2, 120, 0.2344), (1, 2, 157, 0.3066), (2, 2, 193, 0.3770),
        (3, 2, 251, 0.4902), (4, 2, 308, 0.6016), (5, 2, 379, 0.7402),
        (6, 2, 449, 0.8770), (7, 2, 526, 1.0273), (8, 2, 602, 1.1758),
        (9, 2, 679, 1.3262), (10, 4, 340, 1.3281), (11, 4, 378, 1.4766),
        (12, 4, 434, 1.6953), (13, 4, 490, 1.9141), (14, 4, 553, 2.1602),
        (15, 4, 616, 2.4063), (16, 4, 658, 2.5703), (17, 6, 438, 2.5664),
        (18, 6, 466, 2.7305), (19, 6, 517, 3.0293), (20, 6, 567, 3.3223),
        (21, 6, 616, 3.6094), (22, 6, 666, 3.9023), (23, 6, 719, 4.2129),
        (24, 6, 772, 4.5234), (25, 6, 822, 4.8164), (26, 6, 873, 5.1152),
        (27, 6, 910, 5.3320), (28, 6, 948, 5.5547),
        (29, 2, None, None), (30, 4, None, None), (31, 6, None, None),
    ),
    # TS 38.214 Table 5.1.3.1-2: MCS index table 2 for PDSCH (qam256).
    "5.1.3.1-2": (
        (0, 2, 120, 0.2344), (1, 2, 193, 0.3770), (2, 2, 308, 0.6016),
        (3, 2, 449, 0.8770), (4, 2, 602, 1.1758), (5, 4, 378, 1.4766),
        (6, 4, 434, 1.6953), (7, 4, 490, 1.9141), (8, 4, 553, 2.1602),
        (9, 4, 616, 2.4063), (10, 4, 658, 2.5703), (11, 6, 466, 2.7305),
        (12, 6, 517, 3.0293), (13, 6, 567, 3.3223), (14, 6, 616, 3.6094),
        (15, 6, 666, 3.9023), (16, 6, 719, 4.2129), (17, 6, 772, 4.5234),
        (18, 6, 822, 4.8164), (19, 6, 873, 5.1152), (20, 8, 682.5, 5.3320),
        (21, 8, 711, 5.5547), (22, 8, 754, 5.8906), (23, 8, 797, 6.2266),
        (24, 8, 841, 6.5703), (25, 8, 885, 6.9141), (26, 8, 916.5, 7.1602),
        (27, 8, 948, 7.4063),
        (28, 2, None, None), (29, 4, None, None), (30, 6, None, None), (31, 8, None, None),
    ),
    # TS 38.214 Table 5.1.3.1-3: MCS index table 3 for PDSCH (qam64LowSE).
    "5.1.3.1-3": (
        (0, 2, 30, 0.0586), (1, 2, 40, 0.0781), (2, 2, 50, 0.0977),
        (3, 2, 64, 0.1250), (4, 2, 78, 0.1523), (5, 2, 99, 0.1934),
        (6, 2, 120, 0.2344), (7, 2, 157, 0.3066), (8, 2, 193, 0.3770),
        (9, 2, 251, 0.4902), (10, 2, 308, 0.6016), (11, 2, 379, 0.7402),
        (12, 2, 449, 0.8770), (13, 2, 526, 1.0273), (14, 2, 602, 1.1758),
        (15, 4, 340, 1.3281), (16, 4, 378, 1.4766), (17, 4, 434, 1.6953),
        (18, 4, 490, 1.9141), (19, 4, 553, 2.1602), (20, 4, 616, 2.4063),
        (21, 6, 438, 2.5664), (22, 6, 466, 2.7305), (23, 6, 517, 3.0293),
        (24, 6, 567, 3.3223), (25, 6, 616, 3.6094), (26, 6, 666, 3.9023),
        (27, 6, 719, 4.2129), (28, 6, 772, 4.5234),
        (29, 2, None, None), (30, 4, None, None), (31, 6, None, None),
    ),
    # TS 38.214 Table 5.1.3.1-4: MCS index table 4 for PDSCH (qam1024).
    "5.1.3.1-4": (
        (0, 2, 120, 0.2344), (1, 2, 193, 0.3770), (2, 2, 449, 0.8770),
        (3, 4, 378, 1.4766), (4, 4, 490, 1.9141), (5, 4, 616, 2.4063),
        (6, 6, 466, 2.7305), (7, 6, 517, 3.0293), (8, 6, 567, 3.3223),
        (9, 6, 616, 3.6094), (10, 6, 666, 3.9023), (11, 6, 719, 4.2129),
        (12, 6, 772, 4.5234), (13, 6, 822, 4.8164), (14, 6, 873, 5.1152),
        (15, 8, 682.5, 5.3320), (16, 8, 711, 5.5547), (17, 8, 754, 5.8906),
        (18, 8, 797, 6.2266), (19, 8, 841, 6.5703), (20, 8, 885, 6.9141),
        (21, 8, 916.5, 7.1602), (22, 8, 948, 7.4063), (23, 10, 805.5, 7.8662),
        (24, 10, 853, 8.3301), (25, 10, 900.5, 8.7939), (26, 10, 948, 9.2578),
        (27, 2, None, None), (28, 4, None, None), (29, 6, None, None),
        (30, 8, None, None), (31, 10, None, None),
    ),
    # TS 38.214 Table 6.1.4.1-1: MCS index table for PUSCH with transform precoding and
    # 64QAM. Rows 0-1: Q_m = q, R x 1024 = 240/q, 314/q.
    "6.1.4.1-1": (
        (0, Q_DEPENDENT, 240, 0.2344), (1, Q_DEPENDENT, 314, 0.3066), (2, 2, 193, 0.3770),
        (3, 2, 251, 0.4902), (4, 2, 308, 0.6016), (5, 2, 379, 0.7402),
        (6, 2, 449, 0.8770), (7, 2, 526, 1.0273), (8, 2, 602, 1.1758),
        (9, 2, 679, 1.3262), (10, 4, 340, 1.3281), (11, 4, 378, 1.4766),
        (12, 4, 434, 1.6953), (13, 4, 490, 1.9141), (14, 4, 553, 2.1602),
        (15, 4, 616, 2.4063), (16, 4, 658, 2.5703), (17, 6, 466, 2.7305),
        (18, 6, 517, 3.0293), (19, 6, 567, 3.3223), (20, 6, 616, 3.6094),
        (21, 6, 666, 3.9023), (22, 6, 719, 4.2129), (23, 6, 772, 4.5234),
        (24, 6, 822, 4.8164), (25, 6, 873, 5.1152), (26, 6, 910, 5.3320),
        (27, 6, 948, 5.5547),
        (28, Q_DEPENDENT, None, None), (29, 2, None, None), (30, 4, None, None),
        (31, 6, None, None),
    ),
    # TS 38.214 Table 6.1.4.1-2: MCS index table 2 for PUSCH with transform precoding and
    # 64QAM (low SE). Rows 0-5: Q_m = q, R x 1024 = 60/q, 80/q, 100/q, 128/q, 156/q, 198/q.
    "6.1.4.1-2": (
        (0, Q_DEPENDENT, 60, 0.0586), (1, Q_DEPENDENT, 80, 0.0781),
        (2, Q_DEPENDENT, 100, 0.0977), (3, Q_DEPENDENT, 128, 0.1250),
        (4, Q_DEPENDENT, 156, 0.1523), (5, Q_DEPENDENT, 198, 0.1934),
        (6, 2, 120, 0.2344), (7, 2, 157, 0.3066), (8, 2, 193, 0.3770),
        (9, 2, 251, 0.4902), (10, 2, 308, 0.6016), (11, 2, 379, 0.7402),
        (12, 2, 449, 0.8770), (13, 2, 526, 1.0273), (14, 2, 602, 1.1758),
        (15, 2, 679, 1.3262), (16, 4, 378, 1.4766), (17, 4, 434, 1.6953),
        (18, 4, 490, 1.9141), (19, 4, 553, 2.1602), (20, 4, 616, 2.4063),
        (21, 4, 658, 2.5703), (22, 4, 699, 2.7305), (23, 4, 772, 3.0156),
        (24, 6, 567, 3.3223), (25, 6, 616, 3.6094), (26, 6, 666, 3.9023),
        (27, 6, 772, 4.5234),
        (28, Q_DEPENDENT, None, None), (29, 2, None, None), (30, 4, None, None),
        (31, 6, None, None),
    ),
}

MCS_TABLE_ALIASES: dict[str, str] = {
    "qam64": "5.1.3.1-1",
    "qam256": "5.1.3.1-2",
    "qam64LowSE": "5.1.3.1-3",
    "qam1024": "5.1.3.1-4",
    "tp-qam64": "6.1.4.1-1",
    "tp-qam64LowSE": "6.1.4.1-2",
}
"""Names accepted in place of table numbers: the RRC *mcs-Table* values, and ``tp-`` + that
value for PUSCH with transform precoding (Tables 6.1.4.1-1/2)."""

_CLAUSE = "TS 38.214 §5.1.3.1, §6.1.4.1"


@dataclass(frozen=True, slots=True)
class McsEntry:
    """One row of an MCS index table (TS 38.214 §5.1.3.1, §6.1.4.1).

    Attributes
    ----------
    qm : int
        Modulation order Q_m (1 pi/2-BPSK, 2 QPSK, 4 16QAM, 6 64QAM, 8 256QAM, 10 1024QAM).
    target_code_rate : float or None
        Target code rate R (the table's ``R x 1024`` divided by 1024); ``None`` for a reserved
        row (retransmissions only).
    spectral_efficiency : float or None
        Spectral efficiency as printed in the table; ``None`` for a reserved row.
    """

    qm: int
    target_code_rate: float | None
    spectral_efficiency: float | None

    @property
    def reserved(self) -> bool:
        """True for a reserved row (valid only for retransmissions)."""
        return self.target_code_rate is None


def mcs_table_number(table: str) -> str:
    """Resolve an MCS table name to its TS 38.214 table number.

    Parameters
    ----------
    table : str
        A table number (``"5.1.3.1-1"`` ... ``"5.1.3.1-4"``, ``"6.1.4.1-1"``, ``"6.1.4.1-2"``)
        or an alias from :data:`MCS_TABLE_ALIASES` (``"qam64"``, ``"qam256"``,
        ``"qam64LowSE"``, ``"qam1024"``, ``"tp-qam64"``, ``"tp-qam64LowSE"``).

    Returns
    -------
    str
        The table number, a key of :data:`MCS_TABLES`.

    Raises
    ------
    ConfigError
        If ``table`` is neither a table number nor an alias.
    """
    if isinstance(table, str):
        if table in MCS_TABLES:
            return table
        if table in MCS_TABLE_ALIASES:
            return MCS_TABLE_ALIASES[table]
    allowed = ", ".join(repr(t) for t in (*MCS_TABLES, *MCS_TABLE_ALIASES))
    raise ConfigError("table", table, f"must be one of {allowed}", _CLAUSE)


def mcs_entry(table: str, i_mcs: int, *, tp_pi2bpsk: bool = False,
              retransmission: bool = False) -> McsEntry:
    """Look up Q_m, R and the spectral efficiency of MCS index ``i_mcs``.

    TS 38.214 §5.1.3.1 (PDSCH, Tables 5.1.3.1-1..4) and §6.1.4.1 (PUSCH, the same tables
    without transform precoding, Tables 6.1.4.1-1/2 with it).

    Parameters
    ----------
    table : str
        Table number or alias, see :func:`mcs_table_number`.
    i_mcs : int
        MCS index I_MCS, 0..31.
    tp_pi2bpsk : bool, optional
        Whether *tp-pi2BPSK* is configured; sets ``q = 1`` (else ``q = 2``) in the rows of
        Tables 6.1.4.1-1/2 that depend on ``q``. It has no effect on the other tables.
    retransmission : bool, optional
        Allow a reserved index (valid only for a retransmission): the entry then has the
        modulation order and ``target_code_rate = spectral_efficiency = None``, since the
        transport block size is that of the initial transmission.

    Returns
    -------
    McsEntry
        ``(qm, target_code_rate, spectral_efficiency)``.

    Raises
    ------
    ConfigError
        Unknown table, ``i_mcs`` outside 0..31, or a reserved index without
        ``retransmission=True``.

    Examples
    --------
    >>> mcs_entry("qam64", 1)
    McsEntry(qm=2, target_code_rate=0.1533203125, spectral_efficiency=0.3066)
    >>> mcs_entry("6.1.4.1-1", 0, tp_pi2bpsk=True).qm
    1
    """
    number = mcs_table_number(table)
    i_mcs = check_int("i_mcs", i_mcs, 0, 31, _CLAUSE)
    _, qm, r1024, se = MCS_TABLES[number][i_mcs]
    q = 1 if tp_pi2bpsk else 2
    if qm == Q_DEPENDENT:
        qm = q
        if r1024 is not None:
            r1024 = r1024 / q
    if r1024 is None:
        if not retransmission:
            raise ConfigError(
                "i_mcs", i_mcs,
                f"is reserved in Table {number}: a reserved MCS index is valid only for a "
                "retransmission (pass retransmission=True to get its modulation order)",
                _CLAUSE)
        return McsEntry(qm=int(qm), target_code_rate=None, spectral_efficiency=None)
    return McsEntry(qm=int(qm), target_code_rate=r1024 / 1024, spectral_efficiency=se)


def max_modulation_order(table: str, *, tp_pi2bpsk: bool = False) -> int:
    """Largest modulation order Q_m of an MCS table.

    Used for TBS_LBRM (TS 38.212 §5.4.2.1: "maximum modulation order configured").

    Parameters
    ----------
    table : str
        Table number or alias, see :func:`mcs_table_number`.
    tp_pi2bpsk : bool, optional
        As in :func:`mcs_entry`.

    Returns
    -------
    int
        ``max Q_m`` over the rows of the table (6, 8 or 10).

    Raises
    ------
    ConfigError
        Unknown table.
    """
    number = mcs_table_number(table)
    return max(mcs_entry(number, i, tp_pi2bpsk=tp_pi2bpsk, retransmission=True).qm
               for i in range(32))
