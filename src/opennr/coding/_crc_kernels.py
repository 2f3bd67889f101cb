"""Compiled kernels of the CRC calculation (TS 38.212 §5.1)."""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def crc_table(poly, length):
    """Byte table ``T[v] = (v * D^L) mod g(D)`` for the L-bit polynomial ``poly`` (g without D^L)."""
    table = np.zeros(256, dtype=np.uint32)
    mask = (1 << length) - 1
    top = 1 << (length - 1)
    for v in range(256):
        reg = 0
        for i in range(7, -1, -1):
            fb = ((reg & top) != 0) ^ ((v >> i) & 1)
            reg = (reg << 1) & mask
            if fb:
                reg ^= poly
        table[v] = reg
    return table


@numba.njit(cache=True, nogil=True)
def crc_remainder_kernel(bits, table, poly, length, out):
    """Remainder of ``bits[b] * D^L`` modulo g(D) for each row ``b`` of ``bits`` (n, A).

    The first ``A mod 8`` bits go bit by bit, the rest a byte at a time through ``table``.
    """
    n, a = bits.shape
    mask = (1 << length) - 1
    top = 1 << (length - 1)
    head = a % 8
    for b in range(n):
        row = bits[b]
        reg = 0
        for i in range(head):
            fb = ((reg & top) != 0) ^ row[i]
            reg = (reg << 1) & mask
            if fb:
                reg ^= poly
        for i in range(head, a, 8):
            byte = ((row[i] << 7) | (row[i + 1] << 6) | (row[i + 2] << 5) | (row[i + 3] << 4)
                    | (row[i + 4] << 3) | (row[i + 5] << 2) | (row[i + 6] << 1) | row[i + 7])
            if length >= 8:
                reg = ((reg << 8) & mask) ^ table[((reg >> (length - 8)) ^ byte) & 0xFF]
            else:
                reg = table[((reg << (8 - length)) ^ byte) & 0xFF]
        out[b] = reg


@numba.njit(cache=True, nogil=True)
def crc_attach_kernel(bits, table, poly, length, out):
    """Copy ``bits`` (n, A) into ``out`` (n, A+L) and append the L parity bits, MSB first."""
    n, a = bits.shape
    rem = np.zeros(n, dtype=np.int64)
    crc_remainder_kernel(bits, table, poly, length, rem)
    for b in range(n):
        src = bits[b]
        dst = out[b]
        for i in range(a):
            dst[i] = src[i]
        r = rem[b]
        for i in range(length):
            dst[a + i] = (r >> (length - 1 - i)) & 1
