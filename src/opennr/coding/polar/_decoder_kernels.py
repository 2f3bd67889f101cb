"""Compiled CA-SCL decoder of polar codes (TS 38.212 §5.3.1; list decoding after Tal and Vardy).

Layout of the working state for list size ``L`` and ``N = 2^n``:

* ``alpha``: LLR arrays of layers ``s = 0 .. n-1`` (a node of layer ``s`` has ``2^s`` LLRs), ``L``
  slots per layer, slot ``j`` of layer ``s`` at ``L (2^s - 1) + j 2^s``; the channel LLRs sit
  after them as layer ``n`` (one slot).
* ``beta``: same layout (without layer ``n``) for the partial sums of the completed left child
  of the current node of each layer.
* Each path points to one slot per layer (``alpha_slot``, ``beta_slot``); slots are shared
  between paths after a split and reference counted. Every write to a layer overwrites the
  whole array, so a shared slot is never copied: the writer takes a free slot instead.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True, inline="always")
def _writable(slot_of, refs, path, s, list_size):
    """Slot of layer ``s`` owned by ``path`` alone (taking a free one if it is shared)."""
    j = slot_of[path, s]
    if refs[s, j] == 1:
        return j
    refs[s, j] -= 1
    for f in range(list_size):
        if refs[s, f] == 0:
            refs[s, f] = 1
            slot_of[path, s] = f
            return f
    return -1  # unreachable: at most L paths hold slots


@numba.njit(cache=True, nogil=True)
def _node_llr(phi, stop, path, n_log, list_size, alpha, alpha_slot, alpha_ref, beta, beta_slot):
    """Update the LLRs of ``path`` down to the node of layer ``stop`` whose first leaf is ``phi``.

    Returns the offset of that node's ``2^stop`` LLRs in ``alpha``.
    """
    if phi == 0:
        s = n_log - 1
    else:
        t = 0
        while (phi >> t) & 1 == 0:
            t += 1
        # g at layer t: parent at layer t + 1, left sibling partial sums at layer t.
        h = 1 << t
        ps = t + 1
        if ps == n_log:
            src = list_size * ((1 << n_log) - 1)
        else:
            src = list_size * ((1 << ps) - 1) + alpha_slot[path, ps] * (1 << ps)
        j = _writable(alpha_slot, alpha_ref, path, t, list_size)
        dst = list_size * (h - 1) + j * h
        bsrc = list_size * (h - 1) + beta_slot[path, t] * h
        for i in range(h):
            a = alpha[src + i]
            b = alpha[src + h + i]
            if beta[bsrc + i]:
                alpha[dst + i] = b - a
            else:
                alpha[dst + i] = b + a
        s = t - 1
        if t == stop:
            return dst
    # f from layer s + 1 down to layer stop.
    dst = 0
    while s >= stop:
        h = 1 << s
        ps = s + 1
        if ps == n_log:
            src = list_size * ((1 << n_log) - 1)
        else:
            src = list_size * ((1 << ps) - 1) + alpha_slot[path, ps] * (1 << ps)
        j = _writable(alpha_slot, alpha_ref, path, s, list_size)
        dst = list_size * (h - 1) + j * h
        for i in range(h):
            a = alpha[src + i]
            b = alpha[src + h + i]
            aa = abs(a)
            ab = abs(b)
            m = aa if aa < ab else ab
            if (a < 0) != (b < 0):
                m = -m
            alpha[dst + i] = m
        s -= 1
    return dst


@numba.njit(cache=True, nogil=True)
def _store_bits(phi, stop, u, path, n_log, list_size, beta, beta_slot, beta_ref, tmp_a, tmp_b):
    """Propagate the decisions of the layer-``stop`` node at leaf ``phi`` into the partial sums.

    The node's ``2^stop`` partial sums are all ``u`` (a single leaf, or a frozen node of zeros).
    """
    cur = tmp_a
    nxt = tmp_b
    size = 1 << stop
    for i in range(size):
        cur[i] = u
    s = stop
    while s < n_log and (phi >> s) & 1:
        left = list_size * (size - 1) + beta_slot[path, s] * size
        for i in range(size):
            c = cur[i]
            nxt[i] = beta[left + i] ^ c
            nxt[size + i] = c
        tmp = cur
        cur = nxt
        nxt = tmp
        size *= 2
        s += 1
    if s < n_log:
        j = _writable(beta_slot, beta_ref, path, s, list_size)
        dst = list_size * (size - 1) + j * size
        for i in range(size):
            beta[dst + i] = cur[i]


@numba.njit(cache=True, nogil=True)
def _release(path, n_log, alpha_slot, alpha_ref, beta_slot, beta_ref):
    for s in range(n_log):
        alpha_ref[s, alpha_slot[path, s]] -= 1
        beta_ref[s, beta_slot[path, s]] -= 1


@numba.njit(cache=True, nogil=True)
def _crc_ok(c, k_total, crc_poly, crc_len, prefix_ones, crc_mask):
    """CRC check of ``c`` (K bits, the last ``crc_len`` the CRC, XOR ``crc_mask``)."""
    if crc_len == 0:
        return True
    top = np.int64(1) << (crc_len - 1)
    full = (np.int64(1) << crc_len) - 1
    reg = np.int64(0)
    for i in range(prefix_ones + k_total - crc_len):
        bit = 1 if i < prefix_ones else c[i - prefix_ones]
        fb = ((reg & top) != 0) ^ (bit != 0)
        reg = (reg << 1) & full
        if fb:
            reg ^= crc_poly
    for i in range(crc_len):
        p = (reg >> (crc_len - 1 - i)) & 1
        if p != (c[k_total - crc_len + i] ^ crc_mask[i]):
            return False
    return True


@numba.njit(cache=True, nogil=True)
def scl_decode_kernel(llr, n_log, bit_type, frozen_layer, interleaver, list_size, use_pc, crc_poly, crc_len,
                      prefix_ones, crc_mask, out_bits, out_ok):
    """CA-SCL decoding of every row of ``llr`` (B, N) float32 into out_bits (B, K) uint8, out_ok (B,).

    ``bit_type`` (N,) int8 marks frozen (0), data (1) and parity-check (2) bits; ``frozen_layer``
    (N,) int8 is the layer of the largest all-frozen node whose first leaf is that index, else -1
    (such nodes are decided at once, with the same metric as leaf by leaf); ``interleaver``
    (K,) int32 is ``Π`` of §5.3.1.1 (``c_{Π(k)} = c'_k``). Paths are ranked by the min-sum path
    metric (penalty ``|LLR|`` for a decision against the LLR); the first path in metric order whose
    CRC (``crc_poly``, ``crc_len`` bits, after ``prefix_ones`` leading ones, CRC XOR ``crc_mask``)
    checks is returned, else the best path with ``out_ok`` False.
    """
    n_rows = llr.shape[0]
    n = 1 << n_log
    k_total = out_bits.shape[1]
    big = list_size
    alpha = np.empty(big * (n - 1) + n, dtype=np.float32)
    beta = np.zeros(big * (n - 1) + 1, dtype=np.uint8)
    alpha_slot = np.zeros((big, n_log + 1), dtype=np.int32)
    beta_slot = np.zeros((big, n_log + 1), dtype=np.int32)
    alpha_ref = np.zeros((n_log + 1, big), dtype=np.int32)
    beta_ref = np.zeros((n_log + 1, big), dtype=np.int32)
    active = np.zeros(big, dtype=np.bool_)
    metric = np.zeros(big, dtype=np.float64)
    pc_reg = np.zeros(big, dtype=np.int64)
    bits = np.zeros((big, k_total), dtype=np.uint8)
    leaf = np.zeros(big, dtype=np.float32)
    cand = np.zeros(2 * big, dtype=np.float64)
    keep0 = np.zeros(big, dtype=np.bool_)
    keep1 = np.zeros(big, dtype=np.bool_)
    dec = np.zeros(big, dtype=np.uint8)
    split = np.zeros(big, dtype=np.int64)
    idx = np.zeros(2 * big, dtype=np.int64)
    tmp_a = np.zeros(n, dtype=np.uint8)
    tmp_b = np.zeros(n, dtype=np.uint8)
    c = np.zeros(k_total, dtype=np.uint8)
    order = np.zeros(big, dtype=np.int64)
    chan = big * (n - 1)
    for row in range(n_rows):
        alpha[chan:chan + n] = llr[row]
        alpha_slot[:, :] = 0
        beta_slot[:, :] = 0
        alpha_ref[:, :] = 0
        beta_ref[:, :] = 0
        alpha_ref[:, 0] = 1
        beta_ref[:, 0] = 1
        active[:] = False
        active[0] = True
        metric[:] = 0.0
        pc_reg[:] = 0
        n_active = 1
        kk = 0
        phi = 0
        while phi < n:
            t = bit_type[phi]
            stop = frozen_layer[phi]
            if stop >= 0:
                # Frozen node of 2^stop leaves: all zeros; for min-sum updates its leaf-by-leaf
                # path metric penalty equals the sum of |LLR| over its negative node LLRs.
                size = 1 << stop
                for p in range(big):
                    if active[p]:
                        off = _node_llr(phi, stop, p, n_log, big, alpha, alpha_slot, alpha_ref, beta,
                                        beta_slot)
                        pen = 0.0
                        for i in range(size):
                            v = alpha[off + i]
                            if v < 0:
                                pen -= v
                        metric[p] += pen
                        if use_pc:
                            for _ in range(size % 5):
                                y = pc_reg[p]
                                pc_reg[p] = (y >> 1) | ((y & 1) << 4)
                        _store_bits(phi, stop, 0, p, n_log, big, beta, beta_slot, beta_ref, tmp_a,
                                    tmp_b)
                phi += size
                continue
            for p in range(big):
                if active[p]:
                    off = _node_llr(phi, 0, p, n_log, big, alpha, alpha_slot, alpha_ref, beta,
                                    beta_slot)
                    leaf[p] = alpha[off]
                    if use_pc:
                        y = pc_reg[p]
                        pc_reg[p] = (y >> 1) | ((y & 1) << 4)
            if t == 2:
                for p in range(big):
                    if active[p]:
                        u = np.uint8(pc_reg[p] & 1)
                        lam = leaf[p]
                        if u == 0 and lam < 0:
                            metric[p] -= lam
                        elif u == 1 and lam > 0:
                            metric[p] += lam
                        _store_bits(phi, 0, u, p, n_log, big, beta, beta_slot, beta_ref, tmp_a, tmp_b)
                phi += 1
                continue
            # Data bit: every path splits into u = 0 and u = 1; keep the best L of them.
            for p in range(big):
                keep0[p] = False
                keep1[p] = False
                if active[p]:
                    lam = leaf[p]
                    cand[2 * p] = metric[p] - lam if lam < 0 else metric[p]
                    cand[2 * p + 1] = metric[p] + lam if lam > 0 else metric[p]
                else:
                    cand[2 * p] = np.inf
                    cand[2 * p + 1] = np.inf
            if 2 * n_active <= big:
                for p in range(big):
                    if active[p]:
                        keep0[p] = True
                        keep1[p] = True
            else:
                # Stable insertion sort of the 2L candidate metrics (ties keep index order).
                for a in range(2 * big):
                    idx[a] = a
                for a in range(1, 2 * big):
                    x = idx[a]
                    b = a - 1
                    while b >= 0 and cand[idx[b]] > cand[x]:
                        idx[b + 1] = idx[b]
                        b -= 1
                    idx[b + 1] = x
                for r in range(big):
                    q = idx[r]
                    if q & 1:
                        keep1[q >> 1] = True
                    else:
                        keep0[q >> 1] = True
            for p in range(big):
                if active[p] and not keep0[p] and not keep1[p]:
                    _release(p, n_log, alpha_slot, alpha_ref, beta_slot, beta_ref)
                    active[p] = False
                    n_active -= 1
            n_split = 0
            for p in range(big):
                if active[p]:
                    if keep0[p] and keep1[p]:
                        split[n_split] = p
                        n_split += 1
                        dec[p] = 0
                    else:
                        dec[p] = 1 if keep1[p] else 0
                    metric[p] = cand[2 * p + dec[p]]
            q = 0
            for r in range(n_split):  # the second branch (u = 1) goes to a free path
                p = split[r]
                while active[q]:
                    q += 1
                for s in range(n_log):
                    alpha_slot[q, s] = alpha_slot[p, s]
                    alpha_ref[s, alpha_slot[p, s]] += 1
                    beta_slot[q, s] = beta_slot[p, s]
                    beta_ref[s, beta_slot[p, s]] += 1
                pc_reg[q] = pc_reg[p]
                for i in range(kk):
                    bits[q, i] = bits[p, i]
                metric[q] = cand[2 * p + 1]
                dec[q] = 1
                active[q] = True
                n_active += 1
            for p in range(big):
                if active[p]:
                    u = dec[p]
                    bits[p, kk] = u
                    if use_pc:
                        pc_reg[p] ^= u
                    _store_bits(phi, 0, u, p, n_log, big, beta, beta_slot, beta_ref, tmp_a, tmp_b)
            kk += 1
            phi += 1
        # Paths in metric order; the first with a valid CRC wins.
        m = 0
        for p in range(big):
            if active[p]:
                order[m] = p
                m += 1
        for a in range(1, m):
            x = order[a]
            b = a - 1
            while b >= 0 and metric[order[b]] > metric[x]:
                order[b + 1] = order[b]
                b -= 1
            order[b + 1] = x
        chosen = order[0]
        ok = False
        for r in range(m):
            p = order[r]
            for i in range(k_total):
                c[interleaver[i]] = bits[p, i]
            if _crc_ok(c, k_total, crc_poly, crc_len, prefix_ones, crc_mask):
                chosen = p
                ok = True
                break
        for i in range(k_total):
            out_bits[row, interleaver[i]] = bits[chosen, i]
        out_ok[row] = ok
