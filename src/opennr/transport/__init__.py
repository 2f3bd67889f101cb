"""Transport channels (TS 38.212 §6-7) and their sizes (TS 38.214 §5.1.3, §6.1.4).

- :mod:`opennr.transport.mcs` — MCS index tables (TS 38.214 §5.1.3.1, §6.1.4.1).
- :mod:`opennr.transport.tbs` — transport block size (TS 38.214 §5.1.3.2, §6.1.4.2) and
  TBS_LBRM (TS 38.212 §5.4.2.1).
- :mod:`opennr.transport.sch` — DL-SCH (TS 38.212 §7.2) and UL-SCH without UCI (§6.2) coding
  and decoding.
- :mod:`opennr.transport.harq` — HARQ soft buffers and processes.
- :mod:`opennr.transport.bch` — BCH (TS 38.212 §7.1) and the MIB (TS 38.331).
- :mod:`opennr.transport.dci` — DCI formats (TS 38.212 §7.3.1); :mod:`opennr.transport.dci_coding` —
  DCI coding (§7.3.2-§7.3.4).
- :mod:`opennr.transport.uci` — UCI coding on the PUCCH and PUSCH (TS 38.212 §6.3.1, §6.3.2).
- :mod:`opennr.transport.uci_pusch` — UCI resources on the PUSCH and data/control multiplexing
  (TS 38.212 §6.3.2.4.1, §6.2.7).
"""

from opennr.transport.bch import (
    BchDecodeResult,
    Mib,
    bch_decode,
    bch_encode,
    mib_bits,
    mib_from_bits,
)
from opennr.transport.dci import (
    Dci,
    DciConfig,
    DciField,
    DciFormat,
    dci_format,
    dci_formats,
    riv_decode,
    riv_encode,
)
from opennr.transport.dci_coding import DciDecodeResult, dci_decode, dci_encode
from opennr.transport.harq import HarqBuffer, HarqEntity
from opennr.transport.mcs import McsEntry, max_modulation_order, mcs_entry, mcs_table_number
from opennr.transport.sch import (
    SchConfig,
    SchDecodeResult,
    SchPlan,
    sch_base_graph,
    sch_decode,
    sch_encode,
    sch_plan,
)
from opennr.transport.tbs import n_prb_lbrm, tbs_lbrm, transport_block_size
from opennr.transport.uci import UciDecodeResult, uci_crc_length, uci_decode, uci_encode, uci_min_e
from opennr.transport.uci_pusch import (
    PuschUciDecodeResult,
    PuschUciResources,
    UciPuschConfig,
    UciPuschPlan,
    pusch_uci_decode,
    pusch_uci_encode,
    pusch_uci_placeholders,
    pusch_uci_resources,
    uci_pusch_plan,
    ulsch_uci_demultiplex,
    ulsch_uci_multiplex,
)

__all__ = [
    "BchDecodeResult",
    "Dci",
    "DciConfig",
    "DciDecodeResult",
    "DciField",
    "DciFormat",
    "HarqBuffer",
    "HarqEntity",
    "McsEntry",
    "Mib",
    "PuschUciDecodeResult",
    "PuschUciResources",
    "SchConfig",
    "SchDecodeResult",
    "SchPlan",
    "UciDecodeResult",
    "UciPuschConfig",
    "UciPuschPlan",
    "bch_decode",
    "bch_encode",
    "dci_decode",
    "dci_encode",
    "dci_format",
    "dci_formats",
    "max_modulation_order",
    "mcs_entry",
    "mcs_table_number",
    "mib_bits",
    "mib_from_bits",
    "n_prb_lbrm",
    "pusch_uci_decode",
    "pusch_uci_encode",
    "pusch_uci_placeholders",
    "pusch_uci_resources",
    "riv_decode",
    "riv_encode",
    "sch_base_graph",
    "sch_decode",
    "sch_encode",
    "sch_plan",
    "tbs_lbrm",
    "transport_block_size",
    "uci_crc_length",
    "uci_decode",
    "uci_encode",
    "uci_min_e",
    "uci_pusch_plan",
    "ulsch_uci_demultiplex",
    "ulsch_uci_multiplex",
]
