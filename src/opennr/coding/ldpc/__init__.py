"""TS 38.212 §5.3.2, §5.4.2 — LDPC base graphs, encoding and rate matching."""

from opennr.coding.ldpc.basegraph import (
    LIFTING_SIZE_SETS,
    LIFTING_SIZES,
    LdpcCode,
    ldpc_code,
    lifting_set_index,
    parity_check_matrix,
)
from opennr.coding.ldpc.encoder import ldpc_encode, ldpc_lifting_size

__all__ = [
    "LIFTING_SIZES",
    "LIFTING_SIZE_SETS",
    "LdpcCode",
    "ldpc_code",
    "ldpc_encode",
    "ldpc_lifting_size",
    "lifting_set_index",
    "parity_check_matrix",
]
