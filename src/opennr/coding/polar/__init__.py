"""TS 38.212 §5.3.1, §5.4.1 — polar codes: construction, encoding, rate matching, CA-SCL decoding."""

from opennr.coding.polar.construction import (
    BIT_DATA,
    BIT_FROZEN,
    BIT_PC,
    PolarCode,
    polar_code,
    polar_mother_length,
    reliability_sequence,
    uci_parity_check_bits,
)
from opennr.coding.polar.decoder import MAX_LIST_SIZE, PolarDecodeResult, polar_decode
from opennr.coding.polar.encoder import polar_encode
from opennr.coding.polar.interleaver import K_IL_MAX, PI_IL_MAX, polar_interleaver_pattern
from opennr.coding.polar.ratematch import (
    SHORTENED_LLR,
    SUBBLOCK_PATTERN,
    polar_bit_interleaver_pattern,
    polar_rate_match,
    polar_rate_match_index,
    polar_rate_recover,
    polar_subblock_pattern,
)

__all__ = [
    "BIT_DATA",
    "BIT_FROZEN",
    "BIT_PC",
    "K_IL_MAX",
    "MAX_LIST_SIZE",
    "PI_IL_MAX",
    "SHORTENED_LLR",
    "SUBBLOCK_PATTERN",
    "PolarCode",
    "PolarDecodeResult",
    "polar_bit_interleaver_pattern",
    "polar_code",
    "polar_decode",
    "polar_encode",
    "polar_interleaver_pattern",
    "polar_mother_length",
    "polar_rate_match",
    "polar_rate_match_index",
    "polar_rate_recover",
    "polar_subblock_pattern",
    "reliability_sequence",
    "uci_parity_check_bits",
]
