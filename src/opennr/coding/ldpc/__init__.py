"""TS 38.212 §5.3.2, §5.4.2 — LDPC base graphs, encoding, decoding and rate matching."""

from opennr.coding.ldpc.basegraph import (
    LIFTING_SIZE_SETS,
    LIFTING_SIZES,
    LdpcCode,
    ldpc_code,
    lifting_set_index,
    parity_check_matrix,
)
from opennr.coding.ldpc.decoder import LdpcDecoderConfig, LdpcDecodeResult, ldpc_decode
from opennr.coding.ldpc.encoder import ldpc_encode, ldpc_lifting_size
from opennr.coding.ldpc.ratematch import (
    FILLER_LLR,
    LdpcRateMatchPlan,
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

__all__ = [
    "FILLER_LLR",
    "LIFTING_SIZES",
    "LIFTING_SIZE_SETS",
    "LdpcCode",
    "LdpcDecodeResult",
    "LdpcDecoderConfig",
    "LdpcRateMatchPlan",
    "ldpc_bit_deinterleave",
    "ldpc_bit_interleave",
    "ldpc_bit_selection",
    "ldpc_code",
    "ldpc_decode",
    "ldpc_e_per_block",
    "ldpc_encode",
    "ldpc_k0",
    "ldpc_lifting_size",
    "ldpc_n_cb",
    "ldpc_rate_match",
    "ldpc_rate_match_plan",
    "ldpc_rate_recover",
    "lifting_set_index",
    "parity_check_matrix",
]
