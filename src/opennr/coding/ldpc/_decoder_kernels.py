"""Compiled kernels of the layered LDPC decoder (TS 38.212 §5.3.2 codes; decoding is not normative).

State of one code block, kept cache-resident (about 0.7 MB for BG1 with ``Z_c`` = 384):

* ``buf``: a posteriori LLRs of the ``n_cols * zc`` lifted variable nodes, one *doubled* block of
  ``2*zc`` values per base graph column ``j``: variable ``j*zc + v`` sits at ``2*j*zc + v`` and at
  ``2*j*zc + zc + v``. Only a window of ``zc`` consecutive positions is current at a time.
* ``msg``: check-to-variable messages, ``zc`` per base graph edge: lane ``z`` of edge ``e`` (row
  ``i``, column ``j``, shift ``P``) connects check ``i*zc + z`` with variable
  ``j*zc + (z + P) mod zc`` and is stored at ``msg[e*zc + z]``.

Layered schedule: the rows of the base graph are processed in order, each as ``zc`` parallel checks
with the lanes in the innermost loop (vectorised by LLVM). Edge ``e`` reads and updates the window
``[P, P + zc)`` of its column block, so lane ``z`` meets variable ``(z + P) mod zc`` through one
contiguous run of ``zc`` values: no gathers and no loop split at the wrap-around. Before the next
edge on the same column (shift ``P'``) reads it, the part of the window ``[P', P' + zc)`` outside
``[P, P + zc)`` (``|P' - P|`` values) is copied from its mirror. The schedule of these moves is
built per code block by :func:`schedule` (it depends on the number of rows used).

Min-sum rows run in two passes: pass 1 computes the extrinsic inputs ``t = app - msg`` and the
check state (smallest magnitude ``m1``, second smallest ``m2``, whose sign bit carries the parity
of the signs of all ``t``); pass 2 recomputes ``t`` (cheaper than storing it, stores bound this
loop) and writes the new message and a posteriori LLR. An edge's message uses ``m2`` when
``|t| == m1`` and ``m1`` otherwise (on ties both are equal, so no index is needed); both
magnitudes (normalized, offset, capped, with the parity sign) are formed once per check between
the passes.

Measured on an AVX-512 x86-64 core (BG1, ``Z_c`` = 384, 5 iterations): about 0.34 ns per edge and
lane plus about 35 µs per code block; neither fewer float operations per edge (the magnitudes once
per check) nor lane chunks sized for the L1 cache changed the first figure, and messages kept as
per-check magnitudes plus an int8 code per edge (4 times less message memory) were 40% slower
(more loads and conversions per edge). Loops that write more than two views of the state with
old messages read (e.g. edges in pairs in pass 2) are not vectorised at all.

Array arguments must be C-contiguous; scalars are ``float32`` where they meet LLR arithmetic, so
that the lanes stay 16 wide in an AVX-512 register.
"""

from __future__ import annotations

import math

import numba
import numpy as np

#: Algorithm codes of :func:`decode_batch`.
ALG_MINSUM = 0
ALG_SPA = 1


@numba.njit(cache=True, nogil=True)
def rows_used(llr, zc, k_b, n_core, n_rows):
    """Number of base graph rows that can carry information for one code block.

    Row ``i >= n_core`` has a single degree-one parity column ``k_b + i``; when all its LLRs are 0
    (not transmitted) every message the row sends to the other columns is 0, so the row and all
    later rows are skipped. ``llr`` is the code block without the ``2*zc`` punctured bits.
    """
    # Chunks of 64 values from the end, each tested with an integer OR of the bits without the
    # sign (vectorised; +0 and -0 are zero), then the last nonzero value of the chunk.
    word = llr.view(np.uint32)
    mag = np.uint32(0x7FFFFFFF)
    j = llr.shape[0]
    while j >= 64:
        chunk = word[j - 64:j]
        nz = np.uint32(0)
        for z in range(64):
            nz |= chunk[z]
        if nz & mag:
            break
        j -= 64
    j -= 1
    while j >= 0 and llr[j] == 0:
        j -= 1
    last_col = (j + 2 * zc) // zc if j >= 0 else 0
    return min(n_rows, max(n_core, last_col - k_b + 1))


@numba.njit(cache=True, nogil=True)
def schedule(row_ptr, cols, shifts, n_rows_used, n_cols, zc, rot, frame0, first, last):
    """Fill the window schedule of the layered decoder for the first ``n_rows_used`` rows.

    ``frame0[j]``: start of the current window of column ``j`` at the start of an iteration (the
    shift of its first edge; 0 for unused columns). ``rot[e]``: ``P_next - P_e`` (signed), where
    ``P_next`` is the shift of the next edge on the same column (cyclically), i.e. how far the
    window moves after edge ``e``. ``first``/``last`` are int32 work arrays of length ``n_cols``.
    """
    for j in range(n_cols):
        first[j] = -1
        last[j] = -1
        frame0[j] = 0
    for e in range(row_ptr[n_rows_used]):
        j = cols[e]
        if first[j] < 0:
            first[j] = e
        else:
            rot[last[j]] = shifts[e] - shifts[last[j]]
        last[j] = e
    for j in range(n_cols):
        if first[j] >= 0:
            rot[last[j]] = shifts[first[j]] - shifts[last[j]]
            frame0[j] = shifts[first[j]]


@numba.njit(cache=True, nogil=True, inline="always")
def _move_window(col, s, d, zc):
    """Make the window ``[s + d, s + d + zc)`` of a doubled column block current.

    ``col`` holds ``2*zc`` values, variable ``v`` at ``v`` and ``v + zc``; only the window
    ``[s, s + zc)`` is current. The part of the new window outside it is copied from its mirror.
    """
    if d > 0:
        dst = col[s + zc:s + zc + d]
        src = col[s:s + d]
        for z in range(d):
            dst[z] = src[z]
    elif d < 0:
        dst = col[s + d:s]
        src = col[s + d + zc:s + zc]
        for z in range(-d):
            dst[z] = src[z]


@numba.njit(cache=True, nogil=True, inline="always")
def minsum_row(buf, msg, cols, shifts, rot, e0, e1, zc, scale, offset, msg_max, zero, first, m1,
               m2, n1, n2):
    """One layered min-sum update of the base graph row with edges ``e0:e1``.

    The message magnitude is ``max(scale * m - offset, 0)``: normalized min-sum with
    ``offset = 0``, offset min-sum with ``scale = 1``, both combined otherwise. ``zero`` is a
    float32 0 passed at run time, ``m1``, ``m2``, ``n1``, ``n2`` are ``zc`` float32 work arrays.
    ``first``: the row's old messages are all 0 (first iteration): ``msg`` is written, never
    read, so it needs no zeroing. Inlined into its caller: a call per row costs the reference
    counting of every array argument and view (atomic operations), about 7% of the decoder's
    time at ``Z_c`` = 384 and more at small ``Z_c``.
    """
    sentinel = np.float32(3.0e38)
    one = np.float32(1.0)
    for z in range(zc):
        m1[z] = sentinel
        m2[z] = sentinel
    # Pass 1: check state; m2's sign bit accumulates the parity of the signs of t. Edges go in
    # pairs (one load and store of the state per pair). The "+ zero" keeps LLVM from turning the
    # store of m1 into a (slow) masked store.
    e = e0
    while e + 1 < e1:
        c0 = 2 * cols[e] * zc + shifts[e]
        bv = buf[c0:c0 + zc]
        mv = msg[e * zc:e * zc + zc]
        c1 = 2 * cols[e + 1] * zc + shifts[e + 1]
        bw = buf[c1:c1 + zc]
        mw = msg[(e + 1) * zc:(e + 2) * zc]
        for z in range(zc):
            t = bv[z] if first else bv[z] - mv[z]
            u = bw[z] if first else bw[z] - mw[z]
            a = abs(t)
            b = abs(u)
            lo = min(a, b)
            hi = max(a, b)
            q = m2[z]
            p = m1[z]
            m2[z] = math.copysign(min(min(abs(q), hi), max(p, lo)), q * (t * u))
            m1[z] = min(p, lo) + zero
        e += 2
    if e < e1:
        c0 = 2 * cols[e] * zc + shifts[e]
        bv = buf[c0:c0 + zc]
        mv = msg[e * zc:e * zc + zc]
        for z in range(zc):
            t = bv[z] if first else bv[z] - mv[z]
            a = abs(t)
            q = m2[z]
            p = m1[z]
            m2[z] = math.copysign(min(abs(q), max(p, a)), q * t)
            m1[z] = min(p, a) + zero
    # The two message magnitudes of each check, with the parity of the signs: n1 for the edges
    # whose |t| is not m1, n2 for the one(s) whose |t| is m1. Magnitudes are capped at msg_max,
    # which bounds every a posteriori LLR (channel LLR plus the messages of its column) without a
    # clamp per update.
    for z in range(zc):
        q = m2[z]
        n1[z] = math.copysign(min(max(scale * m1[z] - offset, zero), msg_max), q)
        n2[z] = math.copysign(min(max(scale * abs(q) - offset, zero), msg_max), q)
    # Pass 2: new messages and a posteriori LLRs, in place in the window of the edge.
    for e in range(e0, e1):
        s = shifts[e]
        col = buf[2 * cols[e] * zc:2 * cols[e] * zc + 2 * zc]
        bv = col[s:s + zc]
        mv = msg[e * zc:e * zc + zc]
        for z in range(zc):
            t = bv[z] if first else bv[z] - mv[z]
            k1 = n1[z]
            k2 = n2[z]
            r = math.copysign(one, t) * (k2 if abs(t) == m1[z] else k1)
            mv[z] = r
            bv[z] = t + r
        _move_window(col, s, rot[e], zc)


@numba.njit(cache=True, nogil=True)
def _phi(x):
    """``phi(x) = -ln tanh(x/2) = ln((e^x + 1)/(e^x - 1))`` for ``x > 0``; ``phi(phi(x)) = x``."""
    return math.log1p(np.float32(2.0) / math.expm1(x))


@numba.njit(cache=True, nogil=True)
def spa_row(buf, msg, cols, shifts, rot, e0, e1, zc, a_min, a_max, pv, pre, run, sg):
    """One layered sum-product update (exact boxplus) of the base graph row with edges ``e0:e1``.

    The check-node rule is ``r_e = (prod_{k != e} sign t_k) phi(sum_{k != e} phi(|t_k|))``. The
    sums over ``k != e`` are formed from prefix and suffix sums (no subtraction, so no
    cancellation); inputs are clamped to ``[a_min, a_max]`` so that ``phi`` stays finite, which
    bounds message magnitudes by ``a_max``. ``pv``/``pre`` hold ``degree * zc`` float32 values,
    ``run``/``sg`` are ``zc`` float32 work arrays.
    """
    zero = np.float32(0.0)
    one = np.float32(1.0)
    for z in range(zc):
        run[z] = zero
        sg[z] = one
    for k in range(e1 - e0):
        e = e0 + k
        c0 = 2 * cols[e] * zc + shifts[e]
        bv = buf[c0:c0 + zc]
        mv = msg[e * zc:e * zc + zc]
        pk = pv[k * zc:k * zc + zc]
        qk = pre[k * zc:k * zc + zc]
        for z in range(zc):
            t = bv[z] - mv[z]
            p = _phi(min(max(abs(t), a_min), a_max))
            pk[z] = p
            qk[z] = run[z]
            run[z] += p
            sg[z] = math.copysign(one, sg[z] * t)
    for z in range(zc):
        run[z] = zero
    for k in range(e1 - e0 - 1, -1, -1):
        e = e0 + k
        s = shifts[e]
        col = buf[2 * cols[e] * zc:2 * cols[e] * zc + 2 * zc]
        bv = col[s:s + zc]
        mv = msg[e * zc:e * zc + zc]
        pk = pv[k * zc:k * zc + zc]
        qk = pre[k * zc:k * zc + zc]
        for z in range(zc):
            t = bv[z] - mv[z]
            others = qk[z] + run[z]
            run[z] += pk[z]
            r = math.copysign(min(_phi(others), a_max), sg[z] * t)
            mv[z] = r
            bv[z] = t + r
    # Windows move after the whole row: in the backward pass the edges run in reverse order.
    for e in range(e0, e1):
        s = shifts[e]
        col = buf[2 * cols[e] * zc:2 * cols[e] * zc + 2 * zc]
        _move_window(col, s, rot[e], zc)


@numba.njit(cache=True, nogil=True)
def hard_decisions(buf, frame0, n_cols, zc, hard):
    """``hard[j*zc + v] = 1`` where the a posteriori LLR of variable ``j*zc + v`` is negative, for
    the first ``n_cols`` columns."""
    for j in range(n_cols):
        f = frame0[j]
        # variable v is current at 2*j*zc + v for v >= f, and at 2*j*zc + zc + v for v < f
        src = buf[2 * j * zc + f:2 * j * zc + zc]
        dst = hard[j * zc + f:j * zc + zc]
        for v in range(zc - f):
            dst[v] = src[v] < 0
        src2 = buf[2 * j * zc + zc:2 * j * zc + zc + f]
        dst2 = hard[j * zc:j * zc + f]
        for v in range(f):
            dst2[v] = src2[v] < 0


@numba.njit(cache=True, nogil=True)
def app_natural(buf, frame0, n_cols, zc, out):
    """``out[j*zc + v]`` = a posteriori LLR of variable ``j*zc + v`` (undo the column windows)."""
    for j in range(n_cols):
        f = frame0[j]
        for v in range(f, zc):
            out[j * zc + v] = buf[2 * j * zc + v]
        for v in range(f):
            out[j * zc + v] = buf[2 * j * zc + zc + v]


@numba.njit(cache=True, nogil=True)
def syndrome_ok(hard, cols, shifts, row_ptr, n_rows_used, zc, acc):
    """True when the hard decisions satisfy the parity checks of the first ``n_rows_used`` rows."""
    for i in range(n_rows_used):
        for z in range(zc):
            acc[z] = 0
        for e in range(row_ptr[i], row_ptr[i + 1]):
            b0 = cols[e] * zc
            s = shifts[e]
            n1 = zc - s
            h1 = hard[b0 + s:b0 + zc]
            a1 = acc[:n1]
            for z in range(n1):
                a1[z] ^= h1[z]
            h2 = hard[b0:b0 + s]
            a2 = acc[n1:]
            for z in range(s):
                a2[z] ^= h2[z]
        bad = 0
        for z in range(zc):
            bad |= acc[z]
        if bad:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def decode_one(llr, row_ptr, cols, shifts, zc, k_b, n_core, n_rows, n_cols, algorithm,
               max_iterations, scales, offsets, early_termination, llr_max, msg_max, a_min, a_max,
               zero, all_columns, buf, msg, w1, w2, w3, w4, pv, pre, hard, acc, rot, frame0, first,
               last):
    """Decode one code block; returns ``(parity_ok, iterations)`` and leaves the hard decisions
    (natural order, the first ``k_b + m`` columns for ``m`` rows used) in ``hard`` and the rotated a
    posteriori LLRs in ``buf``/``frame0``. A block holding a NaN is not decoded: it returns
    ``(False, -1)``.

    ``llr``: ``(n_cols - 2) * zc`` float32 channel LLRs (the ``2*zc`` punctured bits excluded).
    ``scales``/``offsets``: min-sum normalization and offset of each iteration (float32,
    ``max_iterations`` values). ``all_columns``: fill every column of ``buf`` (for the a
    posteriori LLRs), not only those of the rows used (the others hold zeros).
    """
    m = rows_used(llr, zc, k_b, n_core, n_rows)
    schedule(row_ptr, cols, shifts, m, n_cols, zc, rot, frame0, first, last)
    n_used = min(n_cols, k_b + m)  # columns of the rows used
    # Channel LLRs into the rotated column blocks; punctured columns 0 and 1 start at 0. The
    # columns after n_used hold only zeros (rows_used counts a NaN as nonzero) and no row used
    # reads them: they are filled only for the a posteriori LLRs.
    for j in range(n_cols if all_columns else n_used):
        col = buf[2 * j * zc:2 * j * zc + 2 * zc]
        if j < 2:
            for z in range(2 * zc):
                col[z] = zero
            continue
        src = llr[(j - 2) * zc:(j - 1) * zc]
        nan = False
        for z in range(zc):
            x = src[z]
            nan |= x != x
            v = min(max(x, -llr_max), llr_max)
            col[z] = v
            col[zc + z] = v
        if nan:
            return False, -1
    if algorithm == ALG_SPA:
        for k in range(row_ptr[m] * zc):
            msg[k] = zero
    ok = False
    it = 0
    while it < max_iterations:
        it += 1
        for i in range(m):
            e0 = row_ptr[i]
            e1 = row_ptr[i + 1]
            if algorithm == ALG_SPA:
                spa_row(buf, msg, cols, shifts, rot, e0, e1, zc, a_min, a_max, pv, pre, w1, w2)
            else:
                minsum_row(buf, msg, cols, shifts, rot, e0, e1, zc, scales[it - 1], offsets[it - 1], msg_max,
                           zero, it == 1, w1, w2, w3, w4)
        if early_termination:
            hard_decisions(buf, frame0, n_used, zc, hard)
            if syndrome_ok(hard, cols, shifts, row_ptr, m, zc, acc):
                ok = True
                break
    if not ok:
        hard_decisions(buf, frame0, n_used, zc, hard)
        ok = syndrome_ok(hard, cols, shifts, row_ptr, m, zc, acc)
    return ok, it


@numba.njit(cache=True, nogil=True)
def decode_range(llr, b0, b1, row_ptr, cols, shifts, zc, k_b, n_core, n_rows, n_cols, max_degree,
                 algorithm, max_iterations, scales, offsets, early_termination, llr_max, msg_max,
                 a_min, a_max, zero, bits, parity_ok, iterations, app):
    """Decode blocks ``b0:b1`` of ``llr`` one after the other with one set of work arrays (see
    :func:`decode_batch`); ``iterations[b] = -1`` marks a block holding a NaN."""
    n_blocks = llr.shape[0]
    k = k_b * zc
    n_vars = n_cols * zc
    n_edges = cols.shape[0]
    want_app = app.shape[0] == n_blocks
    buf = np.empty(2 * n_vars, np.float32)
    msg = np.empty(n_edges * zc, np.float32)
    w1 = np.empty(zc, np.float32)
    w2 = np.empty(zc, np.float32)
    w3 = np.empty(zc, np.float32)
    w4 = np.empty(zc, np.float32)
    n_spa = max_degree * zc if algorithm == ALG_SPA else 0
    pv = np.empty(n_spa, np.float32)
    pre = np.empty(n_spa, np.float32)
    hard = np.empty(n_vars, np.uint8)
    acc = np.empty(zc, np.uint8)
    rot = np.zeros(n_edges, np.int32)
    frame0 = np.empty(n_cols, np.int32)
    first = np.empty(n_cols, np.int32)
    last = np.empty(n_cols, np.int32)
    full = np.empty(n_vars if want_app else 0, np.float32)
    for b in range(b0, b1):
        ok, it = decode_one(llr[b], row_ptr, cols, shifts, zc, k_b, n_core, n_rows, n_cols,
                            algorithm, max_iterations, scales, offsets, early_termination,
                            llr_max, msg_max, a_min, a_max, zero, want_app, buf, msg, w1, w2, w3,
                            w4, pv, pre, hard, acc, rot, frame0, first, last)
        parity_ok[b] = ok
        iterations[b] = it
        if it < 0:
            continue
        bb = bits[b]
        for v in range(k):
            bb[v] = hard[v]
        if want_app:
            app_natural(buf, frame0, n_cols, zc, full)
            for v in range(n_vars - 2 * zc):
                app[b, v] = full[2 * zc + v]


@numba.njit(cache=True, nogil=True, parallel=True)
def decode_batch(llr, row_ptr, cols, shifts, zc, k_b, n_core, n_rows, n_cols, max_degree,
                 algorithm, max_iterations, scales, offsets, early_termination, llr_max, msg_max,
                 a_min, a_max, zero, n_chunks, bits, parity_ok, iterations, app):
    """Decode ``llr`` (B, (n_cols - 2) * zc) code blocks in parallel (one thread per block).

    Writes ``bits`` (B, k_b * zc) uint8, ``parity_ok`` (B,) bool, ``iterations`` (B,) int32 (-1
    for a block holding a NaN) and, when ``app.shape[0] == B``, the a posteriori LLRs ``app``
    (B, (n_cols - 2) * zc) float32 in the positions of ``llr``. Blocks go in ``n_chunks`` chunks,
    each with its own work arrays; each block is decoded independently, so the result does not
    depend on the number of threads or chunks.
    """
    n_blocks = llr.shape[0]
    for ch in numba.prange(n_chunks):
        decode_range(llr, ch * n_blocks // n_chunks, (ch + 1) * n_blocks // n_chunks, row_ptr,
                     cols, shifts, zc, k_b, n_core, n_rows, n_cols, max_degree, algorithm,
                     max_iterations, scales, offsets, early_termination, llr_max, msg_max, a_min,
                     a_max, zero, bits, parity_ok, iterations, app)
