"""Transport channels (TS 38.212 §6-7) and their sizes (TS 38.214 §5.1.3, §6.1.4).

- :mod:`opennr.transport.mcs` — MCS index tables (TS 38.214 §5.1.3.1, §6.1.4.1).
- :mod:`opennr.transport.tbs` — transport block size (TS 38.214 §5.1.3.2, §6.1.4.2) and
  TBS_LBRM (TS 38.212 §5.4.2.1).
"""

from opennr.transport.mcs import McsEntry, max_modulation_order, mcs_entry, mcs_table_number
from opennr.transport.tbs import n_prb_lbrm, tbs_lbrm, transport_block_size

__all__ = [
    "McsEntry",
    "max_modulation_order",
    "mcs_entry",
    "mcs_table_number",
    "n_prb_lbrm",
    "tbs_lbrm",
    "transport_block_size",
]
