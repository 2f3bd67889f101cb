"""Compiled kernels of code block desegmentation (inverse of TS 38.212 §5.2.2)."""

from __future__ import annotations

import numba

from opennr.coding._crc_kernels import crc_bits


@numba.njit(cache=True, nogil=True)
def desegment_kernel(blocks, c, k_prime, n_data, b_len, table, crc_len, out, block_rem):
    """Join the first ``n_data`` bits of the ``c`` code blocks of each row of ``blocks``
    (n, c, K'') uint8 into ``out`` (n, b_len) (the last ``c * n_data - b_len`` are dropped), and
    when ``crc_len > 0`` write the remainder of the CRC (slicing ``table``) of each block's first
    ``k_prime`` bits into ``block_rem`` (n, c) int64.
    """
    for b in range(blocks.shape[0]):
        dst = out[b]
        for r in range(c):
            src = blocks[b, r]
            if crc_len > 0:
                block_rem[b, r] = crc_bits(src[:k_prime], table, crc_len)
            start = r * n_data
            stop = min(start + n_data, b_len)
            part = dst[start:stop]
            for i in range(stop - start):
                part[i] = src[i]
