"""Compiled CA-SCL decoder of polar codes (TS 38.212 §5.3.1; list decoding after Tal and Vardy).

The code tree is walked node by node (fast simplified SCL): the bit indices are covered by
subtrees of five kinds, found once per code (see ``decoder._code_nodes``):

* rate-0 (all frozen): no decision; the path metric takes the penalties of the node LLRs;
* repetition (frozen, then one data bit last) and single data leaves: one decision per path,
  computed with exactly the same LLR arithmetic as leaf-by-leaf decoding;
* rate-1 (all data) and single parity check (SPC: first bit frozen, then data): decided on the
  node's codeword ``x``. For min-sum updates the leaf-by-leaf path metric of a prefix is the least
  penalty ``sum |alpha_i| [x_i != HD(alpha_i)]`` over the node codewords that complete it, so the
  list kept after the node is the ``L`` best (path, codeword) pairs. Those flip only the
  ``L - 1`` (rate-1) or ``L`` (SPC) least reliable node bits; the decoder forks on them in order
  of reliability (the SPC parity is kept by the least reliable bit; once the list is full and a
  fork keeps no flip, later forks cannot either), which yields the same list as leaf-by-leaf
  decoding without the LLR updates inside the node. The path metrics are the same up to the
  float32 rounding of those skipped ``g`` updates, so decisions can differ only where two
  candidates tie to within that rounding.
* parity-check leaves (§5.3.1.2), decided from each path's own cyclic register.

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

#: Node kinds of the decoding schedule.
NODE_RATE0, NODE_REP, NODE_RATE1, NODE_SPC, NODE_PC = 0, 1, 2, 3, 4


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


@numba.njit(cache=True, nogil=True, inline="always")
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
        xa = alpha[src:src + h]
        xb = alpha[src + h:src + 2 * h]
        out = alpha[dst:dst + h]
        bb = beta[bsrc:bsrc + h]
        for i in range(h):
            a = xa[i]
            b = xb[i]
            out[i] = b - a if bb[i] else b + a
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
        xa = alpha[src:src + h]
        xb = alpha[src + h:src + 2 * h]
        out = alpha[dst:dst + h]
        for i in range(h):
            a = xa[i]
            b = xb[i]
            m = min(abs(a), abs(b))
            out[i] = -m if (a < 0) != (b < 0) else m
        s -= 1
    return dst


@numba.njit(cache=True, nogil=True, inline="always")
def _store_bits(phi, stop, path, n_log, list_size, beta, beta_slot, beta_ref, x):
    """Propagate the codeword ``x[:2^stop]`` of the layer-``stop`` node at leaf ``phi`` into the
    partial sums of ``path``: up through the layers where the node is a right child (``[left XOR
    right, right]``), built in place at the end of the slot of the first layer where it is a left
    child."""
    top = stop
    while top < n_log and (phi >> top) & 1:
        top += 1
    if top == n_log:
        return
    big = 1 << top
    j = _writable(beta_slot, beta_ref, path, top, list_size)
    base = list_size * (big - 1) + j * big
    dst = beta[base:base + big]
    size = 1 << stop
    tail = dst[big - size:]
    for i in range(size):
        tail[i] = x[i]
    for s in range(stop, top):
        h = 1 << s
        left = list_size * (h - 1) + beta_slot[path, s] * h
        lb = beta[left:left + h]
        right = dst[big - h:big]
        out = dst[big - 2 * h:big - h]
        for i in range(h):
            out[i] = lb[i] ^ right[i]


@numba.njit(cache=True, nogil=True, inline="always")
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


@numba.njit(cache=True, nogil=True, inline="always")
def _select(cand, active, n_active, list_size, keep0, keep1, idx):
    """Mark the ``L`` best of the candidates ``cand[2p + b]`` of the active paths (ties in index
    order) in ``keep0`` / ``keep1``; returns True when some ``b = 1`` candidate is kept."""
    any1 = False
    for p in range(list_size):
        keep0[p] = False
        keep1[p] = False
    if 2 * n_active <= list_size:
        for p in range(list_size):
            if active[p]:
                keep0[p] = True
                keep1[p] = True
                any1 = True
        return any1
    if n_active == list_size:
        # Full list: when the better branch of every path ranks before the worse branch of every
        # path, the better branches are the L best.
        gv = -np.inf
        gi = -1
        bv = np.inf
        bi = 2 * list_size
        for p in range(list_size):
            c0 = cand[2 * p]
            c1 = cand[2 * p + 1]
            if c1 < c0:
                if c1 > gv or (c1 == gv and 2 * p + 1 > gi):
                    gv = c1
                    gi = 2 * p + 1
                if c0 < bv:
                    bv = c0
                    bi = 2 * p
            else:
                if c0 > gv or (c0 == gv and 2 * p > gi):
                    gv = c0
                    gi = 2 * p
                if c1 < bv:
                    bv = c1
                    bi = 2 * p + 1
        if gv < bv or (gv == bv and gi < bi):
            for p in range(list_size):
                if cand[2 * p + 1] < cand[2 * p]:
                    keep1[p] = True
                    any1 = True
                else:
                    keep0[p] = True
            return any1
        # Otherwise the rank of each candidate among all (metric, then index), without branches.
        for c in range(2 * list_size):
            v = cand[c]
            r = 0
            for d in range(2 * list_size):
                w = cand[d]
                r += (w < v) | ((w == v) & (d < c))
            if r < list_size:
                if c & 1:
                    keep1[c >> 1] = True
                    any1 = True
                else:
                    keep0[c >> 1] = True
        return any1
    # List not full: stable insertion sort of the candidate metrics of the active paths.
    m = 0
    for p in range(list_size):
        if active[p]:
            for b in range(2):
                x = 2 * p + b
                v = cand[x]
                r = m - 1
                while r >= 0 and cand[idx[r]] > v:
                    idx[r + 1] = idx[r]
                    r -= 1
                idx[r + 1] = x
                m += 1
    for r in range(min(list_size, m)):
        q = idx[r]
        if q & 1:
            keep1[q >> 1] = True
            any1 = True
        else:
            keep0[q >> 1] = True
    return any1


@numba.njit(cache=True, nogil=True, inline="always")
def _fork(p, q, kk, n_log, alpha_slot, alpha_ref, beta_slot, beta_ref, pc_reg, bits, flips):
    """Make free path ``q`` a copy of path ``p`` (sharing its LLR and partial-sum slots)."""
    for s in range(n_log):
        alpha_slot[q, s] = alpha_slot[p, s]
        alpha_ref[s, alpha_slot[p, s]] += 1
        beta_slot[q, s] = beta_slot[p, s]
        beta_ref[s, beta_slot[p, s]] += 1
    pc_reg[q] = pc_reg[p]
    flips[q] = flips[p]
    bits[q, :kk] = bits[p, :kk]


@numba.njit(cache=True, nogil=True, inline="always")
def _apply(cand, flip_mask, kk, list_size, n_log, active, n_active, keep0, keep1, metric, flips, dec,
           split, alpha_slot, alpha_ref, beta_slot, beta_ref, pc_reg, bits):
    """Apply the selection: drop paths with no kept branch, give the ``b = 1`` branch of a path
    keeping both to a free path (lowest first). ``dec[p]`` is the branch of each path; a
    ``b = 1`` branch XORs ``flip_mask`` onto ``flips``. Returns the number of active paths."""
    for p in range(list_size):
        if active[p] and not keep0[p] and not keep1[p]:
            _release(p, n_log, alpha_slot, alpha_ref, beta_slot, beta_ref)
            active[p] = False
            n_active -= 1
    n_split = 0
    for p in range(list_size):
        if active[p]:
            if keep0[p] and keep1[p]:
                split[n_split] = p
                n_split += 1
                dec[p] = 0
            else:
                dec[p] = 1 if keep1[p] else 0
            metric[p] = cand[2 * p + dec[p]]
    q = 0
    for r in range(n_split):
        p = split[r]
        while active[q]:
            q += 1
        _fork(p, q, kk, n_log, alpha_slot, alpha_ref, beta_slot, beta_ref, pc_reg, bits, flips)
        metric[q] = cand[2 * p + 1]
        dec[q] = 1
        active[q] = True
        n_active += 1
    for p in range(list_size):
        if active[p] and dec[p]:
            flips[p] ^= flip_mask
    return n_active


@numba.njit(cache=True, nogil=True)
def _least_reliable(alpha, off, size, m, pos, w):
    """The ``m`` node bits of least ``|alpha|`` (ties: lower index first) into ``pos`` and their
    magnitudes into ``w``, in increasing order."""
    c = 0
    for i in range(size):
        v = abs(alpha[off + i])
        if c == m and w[m - 1] <= v:
            continue
        r = c - 1 if c < m else m - 2
        while r >= 0 and w[r] > v:
            w[r + 1] = w[r]
            pos[r + 1] = pos[r]
            r -= 1
        w[r + 1] = v
        pos[r + 1] = i
        if c < m:
            c += 1


@numba.njit(cache=True, nogil=True)
def scl_decode_kernel(llr, n_log, node_kind, node_phi, node_layer, bit_type, interleaver, list_size, use_pc,
                      crc_poly, crc_len, prefix_ones, crc_mask, out_bits, out_ok):
    """CA-SCL decoding of every row of ``llr`` (B, N) float32 into out_bits (B, K) uint8, out_ok (B,).

    The schedule ``node_kind``, ``node_phi``, ``node_layer`` (int8, int32, int8 arrays) lists the
    nodes covering the bit indices in order (kinds ``NODE_*``, first leaf, layer); ``bit_type``
    (N,) int8 marks frozen (0), data (1) and parity-check (2) bits; ``interleaver`` (K,) int32 is
    ``Π`` of §5.3.1.1 (``c_{Π(k)} = c'_k``). Paths are ranked by the min-sum path metric (penalty
    ``|LLR|`` for a decision against the LLR); the first path in metric order whose CRC
    (``crc_poly``, ``crc_len`` bits, after ``prefix_ones`` leading ones, CRC XOR ``crc_mask``)
    checks is returned, else the best path with ``out_ok`` False.
    """
    n_rows = llr.shape[0]
    n = 1 << n_log
    k_total = out_bits.shape[1]
    n_nodes = node_kind.shape[0]
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
    flips = np.zeros(big, dtype=np.int64)
    bits = np.zeros((big, max(k_total, 1)), dtype=np.uint8)
    cand = np.zeros(2 * big, dtype=np.float64)
    keep0 = np.zeros(big, dtype=np.bool_)
    keep1 = np.zeros(big, dtype=np.bool_)
    dec = np.zeros(big, dtype=np.uint8)
    split = np.zeros(big, dtype=np.int64)
    idx = np.zeros(2 * big, dtype=np.int64)
    pos = np.zeros((big, big), dtype=np.int32)  # per slot of the node layer: least reliable bits
    wts = np.zeros((big, big), dtype=np.float32)
    work = np.zeros(n, dtype=np.float32)
    pens = np.zeros(n, dtype=np.float32)
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
        flips[:] = 0
        n_active = 1
        kk = 0
        for nd in range(n_nodes):
            kind = node_kind[nd]
            phi = node_phi[nd]
            s = np.int64(node_layer[nd])
            size = 1 << s
            if kind == NODE_RATE0:
                # All zeros; for min-sum updates the leaf-by-leaf path metric penalty equals the
                # sum of |LLR| over the negative node LLRs.
                tmp_a[:size] = 0
                for p in range(big):
                    if active[p]:
                        off = _node_llr(phi, s, p, n_log, big, alpha, alpha_slot, alpha_ref, beta, beta_slot)
                        node = alpha[off:off + size]
                        pen = 0.0
                        for i in range(size):
                            v = node[i]
                            if v < 0:
                                pen -= v
                        metric[p] += pen
                        if use_pc:
                            for _ in range(size % 5):
                                y = pc_reg[p]
                                pc_reg[p] = (y >> 1) | ((y & 1) << 4)
                        _store_bits(phi, s, p, n_log, big, beta, beta_slot, beta_ref, tmp_a)
                continue
            if kind == NODE_PC:
                for p in range(big):
                    if active[p]:
                        off = _node_llr(phi, 0, p, n_log, big, alpha, alpha_slot, alpha_ref, beta, beta_slot)
                        lam = alpha[off]
                        y = pc_reg[p]
                        pc_reg[p] = (y >> 1) | ((y & 1) << 4)
                        u = np.uint8(pc_reg[p] & 1)
                        if u == 0 and lam < 0:
                            metric[p] -= lam
                        elif u == 1 and lam > 0:
                            metric[p] += lam
                        tmp_a[0] = u
                        _store_bits(phi, 0, p, n_log, big, beta, beta_slot, beta_ref, tmp_a)
                continue
            if kind == NODE_REP:
                # Frozen leaves then one data bit: the same LLR arithmetic and metric sums as
                # leaf-by-leaf decoding (frozen sub-nodes of 2^(s-1), ..., 1 leaves, then g).
                for p in range(big):
                    if active[p]:
                        off = _node_llr(phi, s, p, n_log, big, alpha, alpha_slot, alpha_ref, beta, beta_slot)
                        work[:size] = alpha[off:off + size]
                        h = size >> 1
                        while h > 0:
                            wa = work[:h]
                            wb = work[h:2 * h]
                            # Penalties of the frozen half (negative f values), then g in place;
                            # the penalties are summed in leaf order (adding zeros changes nothing).
                            wd = pens[:h]
                            for i in range(h):
                                a = wa[i]
                                b = wb[i]
                                wd[i] = min(abs(a), abs(b)) if (a < 0) != (b < 0) else np.float32(0.0)
                                wa[i] = b + a
                            pen = 0.0
                            for i in range(h):
                                pen += wd[i]
                            metric[p] += pen
                            h >>= 1
                        lam = work[0]
                        cand[2 * p] = metric[p] - lam if lam < 0 else metric[p]
                        cand[2 * p + 1] = metric[p] + lam if lam > 0 else metric[p]
                        if use_pc:
                            for _ in range(size % 5):
                                y = pc_reg[p]
                                pc_reg[p] = (y >> 1) | ((y & 1) << 4)
                _select(cand, active, n_active, big, keep0, keep1, idx)
                n_active = _apply(cand, 0, kk, big, n_log, active, n_active, keep0, keep1, metric, flips, dec,
                                  split, alpha_slot, alpha_ref, beta_slot, beta_ref, pc_reg, bits)
                for p in range(big):
                    if active[p]:
                        u = dec[p]
                        bits[p, kk] = u
                        if use_pc:
                            pc_reg[p] ^= u
                        tmp_a[:size] = u
                        _store_bits(phi, s, p, n_log, big, beta, beta_slot, beta_ref, tmp_a)
                kk += 1
                continue
            # Rate-1 or SPC node: hard decisions, then forks on the least reliable bits.
            spc = kind == NODE_SPC
            m = min(big if spc else big - 1, size)
            for p in range(big):
                if active[p]:
                    off = _node_llr(phi, s, p, n_log, big, alpha, alpha_slot, alpha_ref, beta, beta_slot)
                    j = alpha_slot[p, s]
                    flips[p] = 0
                    if m > 0:
                        _least_reliable(alpha, off, size, m, pos[j], wts[j])
                    if spc:
                        node = alpha[off:off + size]
                        par = 0
                        for i in range(size):
                            par ^= node[i] < 0
                        if par:
                            flips[p] = 1
                            metric[p] += wts[j, 0]
            j0 = 1 if spc else 0
            for f in range(j0, m):
                for p in range(big):
                    if active[p]:
                        j = alpha_slot[p, s]
                        w = np.float64(wts[j, f])
                        if spc:
                            w0 = np.float64(wts[j, 0])
                            w = w - w0 if flips[p] & 1 else w + w0
                        cand[2 * p] = metric[p]
                        cand[2 * p + 1] = metric[p] + w
                mask = (np.int64(1) << f) | (np.int64(1) if spc else np.int64(0))
                full = n_active == big
                any1 = _select(cand, active, n_active, big, keep0, keep1, idx)
                n_active = _apply(cand, mask, kk, big, n_log, active, n_active, keep0, keep1, metric, flips,
                                  dec, split, alpha_slot, alpha_ref, beta_slot, beta_ref, pc_reg, bits)
                if full and not any1:
                    # Full list and no flip kept: later flips cost at least as much, none is kept.
                    break
            for p in range(big):
                if active[p]:
                    j = alpha_slot[p, s]
                    off = big * (size - 1) + j * size
                    node = alpha[off:off + size]
                    xa = tmp_a[:size]
                    for i in range(size):
                        xa[i] = node[i] < 0
                    fl = flips[p]
                    f = 0
                    while fl:
                        if fl & 1:
                            xa[pos[j, f]] ^= 1
                        fl >>= 1
                        f += 1
                    # u = x G (G is its own inverse) for the data bits and the PC register.
                    ub = tmp_b[:size]
                    ub[:] = xa
                    h = 1
                    while h < size:
                        for i0 in range(0, size, 2 * h):
                            for i in range(i0, i0 + h):
                                ub[i] ^= ub[i + h]
                        h *= 2
                    q = kk
                    for i in range(size):
                        if bit_type[phi + i] == 1:
                            bits[p, q] = ub[i]
                            q += 1
                        if use_pc:
                            y = pc_reg[p]
                            y = (y >> 1) | ((y & 1) << 4)
                            if bit_type[phi + i] == 1:
                                y ^= ub[i]
                            pc_reg[p] = y
                    _store_bits(phi, s, p, n_log, big, beta, beta_slot, beta_ref, xa)
            kk += size - 1 if spc else size
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
