"""Compiled kernels of the CRC calculation (TS 38.212 §5.1).

The register of an ``L``-bit CRC (``L <= 24``) is kept left-aligned in 32 bits and the input is
consumed 32 bits at a time (slicing by 4): with ``x = R ^ W`` for the next word ``W`` (first bit
most significant), ``R' = T3[x >> 24] ^ T2[(x >> 16) & 255] ^ T1[(x >> 8) & 255] ^ T0[x & 255]``,
where ``T_k[v] = (v * D^(8k + 32)) mod g(D)`` left-aligned. The register starts at zero, so
leading zero bits do not change it: a sequence of ``A`` bits is read as ``(-A) mod 32`` zeros
followed by the bits, which makes every word whole.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def crc_table(poly, length):
    """Slicing tables ``T`` (4, 256) uint32: ``T[k, v] = (v * D^(8k + 32)) mod g(D)``, left-aligned
    in 32 bits, for the L-bit polynomial ``poly`` (g without D^L)."""
    table = np.zeros((4, 256), dtype=np.uint32)
    g32 = np.uint32(poly << (32 - length))
    top = np.uint32(0x80000000)
    for v in range(256):
        reg = np.uint32(v << 24)
        for _ in range(8):
            if reg & top:
                reg = np.uint32((reg << np.uint32(1)) ^ g32)
            else:
                reg = np.uint32(reg << np.uint32(1))
        table[0, v] = reg
    for k in range(1, 4):
        for v in range(256):
            t = table[k - 1, v]
            table[k, v] = np.uint32(t << np.uint32(8)) ^ table[0, t >> np.uint32(24)]
    return table


@numba.njit(cache=True, nogil=True, inline="always")
def _head_word(row, stop):
    """Bits ``row[:stop]`` (fewer than 32, MSB first) as the low bits of a uint32 word."""
    w = np.uint32(0)
    for i in range(stop):
        w = np.uint32((w << np.uint32(1)) | np.uint32(row[i]))
    return w


@numba.njit(cache=True, nogil=True, inline="always")
def _word(row, start):
    """Bits ``row[start:start + 32]`` (MSB first) as a uint32 word; the 32 terms are independent
    (an OR reduction, vectorised)."""
    w = np.uint32(0)
    v = row[start:start + 32]
    for t in range(32):
        w |= np.uint32(v[t]) << np.uint32(31 - t)
    return w


@numba.njit(cache=True, nogil=True, inline="always")
def _step(x, t0, t1, t2, t3):
    m = np.uint32(255)
    return (t3[x >> np.uint32(24)] ^ t2[(x >> np.uint32(16)) & m] ^ t1[(x >> np.uint32(8)) & m]
            ^ t0[x & m])


@numba.njit(cache=True, nogil=True)
def crc_bits(row, table, length):
    """Remainder of ``row(D) * D^L`` modulo g(D) for the 0/1 uint8 sequence ``row``."""
    a = row.shape[0]
    head = a % 32
    t0 = table[0]
    t1 = table[1]
    t2 = table[2]
    t3 = table[3]
    reg = _step(_head_word(row, head), t0, t1, t2, t3)
    for s in range(head, a, 32):
        reg = _step(reg ^ _word(row, s), t0, t1, t2, t3)
    return np.int64(reg >> np.uint32(32 - length))


@numba.njit(cache=True, nogil=True)
def crc_remainder_kernel(bits, table, length, out):
    """Remainder of ``bits[b] * D^L`` modulo g(D) for each row ``b`` of ``bits`` (n, A)."""
    for b in range(bits.shape[0]):
        out[b] = crc_bits(bits[b], table, length)


@numba.njit(cache=True, nogil=True)
def crc_attach_kernel(bits, table, length, out):
    """Copy ``bits`` (n, A) into ``out`` (n, A+L) and append the L parity bits, MSB first."""
    n, a = bits.shape
    for b in range(n):
        src = bits[b]
        dst = out[b]
        for i in range(a):
            dst[i] = src[i]
        r = crc_bits(src, table, length)
        for i in range(length):
            dst[a + i] = (r >> (length - 1 - i)) & 1
