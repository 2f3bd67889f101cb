"""TS 38.211 §7.3.1.6 — mapping from virtual to physical resource blocks of the PDSCH.

Non-interleaved mapping: VRB n is PRB n. Interleaved mapping (vrb-ToPRB-Interleaver n2/n4, bundle
size L_i ∈ {2, 4}): the N_BWP^size resource blocks of the bandwidth part i are split, in
increasing order, into N_bundle = ⌈(N_BWP^size + (N_BWP^start mod L_i)) / L_i⌉ bundles, bundle 0
holding L_i − (N_BWP^start mod L_i) blocks, bundle N_bundle − 1 holding
(N_BWP^start + N_BWP^size) mod L_i blocks when that is non-zero (else L_i), every other bundle
L_i. VRB bundle N_bundle − 1 goes to PRB bundle N_bundle − 1; VRB bundle j < N_bundle − 1 goes to
PRB bundle f(j) = r C + c with j = c R + r, r = 0 .. R − 1, c = 0 .. C − 1, R = 2 and
C = ⌊N_bundle / R⌋ (a 2-row block interleaver written by columns, read by rows).

The case of DCI format 1_0 in a common search space (bundles counted from the CORESET,
§7.3.1.6 first bullet list) is not covered.
"""

from __future__ import annotations

import functools

import numpy as np

from opennr._validate import check_choice, check_int
from opennr.errors import ConfigError

__all__ = ["vrb_bundles", "vrb_prb_map", "vrb_to_prb"]

_CLAUSE = "TS 38.211 §7.3.1.6"


def _check(n_start_bwp: int, n_size_bwp: int, bundle_size: int) -> tuple[int, int, int]:
    return (check_int("n_start_bwp", n_start_bwp, 0, 2473, "TS 38.211 §4.4.5"),
            check_int("n_size_bwp", n_size_bwp, 1, 275, "TS 38.211 §4.4.5"),
            check_choice("bundle_size", bundle_size, (2, 4), _CLAUSE))


def vrb_bundles(n_start_bwp: int, n_size_bwp: int, bundle_size: int) -> np.ndarray:
    """Resource-block bundles of a bandwidth part (TS 38.211 §7.3.1.6).

    Parameters
    ----------
    n_start_bwp, n_size_bwp : int
        N_BWP,i^start (CRB of the first block) and N_BWP,i^size.
    bundle_size : int
        L_i, 2 or 4.

    Returns
    -------
    numpy.ndarray of int64, shape (N_bundle + 1,)
        Bundle boundaries: bundle j holds the blocks edges[j] .. edges[j + 1] − 1 (counted from
        the start of the bandwidth part).
    """
    start, size, lsz = _check(n_start_bwp, n_size_bwp, bundle_size)
    first = lsz - start % lsz
    edges = [0]
    pos = min(first, size)
    while True:
        edges.append(pos)
        if pos >= size:
            break
        pos = min(pos + lsz, size)
    return np.array(edges, dtype=np.int64)


@functools.lru_cache(maxsize=64)
def _vrb_prb_map(n_start_bwp: int, n_size_bwp: int, bundle_size: int) -> np.ndarray:
    edges = vrb_bundles(n_start_bwp, n_size_bwp, bundle_size)
    n_bundle = edges.size - 1
    big_r = 2
    big_c = n_bundle // big_r
    f = np.arange(n_bundle, dtype=np.int64)
    for j in range(n_bundle - 1):
        c, r = divmod(j, big_r)
        f[j] = r * big_c + c
    out = np.empty(n_size_bwp, dtype=np.int64)
    for j in range(n_bundle):
        lo, hi = edges[j], edges[j + 1]
        out[lo:hi] = edges[f[j]] + np.arange(hi - lo)
    out.setflags(write=False)
    return out


def vrb_prb_map(n_start_bwp: int, n_size_bwp: int, bundle_size: int | None) -> np.ndarray:
    """The PRB of every VRB of a bandwidth part (TS 38.211 §7.3.1.6).

    Parameters
    ----------
    n_start_bwp, n_size_bwp : int
        N_BWP,i^start and N_BWP,i^size.
    bundle_size : int or None
        L_i (2 or 4) for the interleaved mapping; ``None`` for the non-interleaved one.

    Returns
    -------
    numpy.ndarray of int64, shape (N_BWP^size,)
        Element n is the PRB (from the start of the bandwidth part) of VRB n; read-only.

    Raises
    ------
    ConfigError
        A bandwidth part or bundle size outside its range.
    """
    if bundle_size is None:
        check_int("n_start_bwp", n_start_bwp, 0, 2473, "TS 38.211 §4.4.5")
        size = check_int("n_size_bwp", n_size_bwp, 1, 275, "TS 38.211 §4.4.5")
        out = np.arange(size, dtype=np.int64)
        out.setflags(write=False)
        return out
    return _vrb_prb_map(*_check(n_start_bwp, n_size_bwp, bundle_size))


def vrb_to_prb(vrbs: np.ndarray, *, n_start_bwp: int, n_size_bwp: int,
               bundle_size: int | None) -> np.ndarray:
    """PRBs of a set of VRBs, interleaved or not (TS 38.211 §7.3.1.6).

    Parameters
    ----------
    vrbs : array_like of int
        VRB numbers 0 .. N_BWP^size − 1.
    n_start_bwp, n_size_bwp : int
        N_BWP,i^start and N_BWP,i^size.
    bundle_size : int or None
        L_i, 2 or 4 (interleaved), or ``None`` (non-interleaved).

    Returns
    -------
    numpy.ndarray of int64
        The PRB (from the start of the bandwidth part) of each VRB, same shape as ``vrbs``.

    Raises
    ------
    ConfigError
        A VRB outside the bandwidth part; see :func:`vrb_prb_map`.

    Examples
    --------
    >>> vrb_to_prb([0, 1, 2, 3], n_start_bwp=0, n_size_bwp=12, bundle_size=2).tolist()
    [0, 1, 6, 7]
    """
    table = vrb_prb_map(n_start_bwp, n_size_bwp, bundle_size)
    v = np.asarray(vrbs)
    if v.size and not np.issubdtype(v.dtype, np.integer):
        raise ConfigError("vrbs", v.dtype, "must be integers", _CLAUSE)
    v = v.astype(np.int64)
    if v.size and (v.min() < 0 or v.max() >= table.size):
        raise ConfigError("vrbs", int(v.max() if v.max() >= table.size else v.min()),
                          f"must be in 0 .. {table.size - 1} (N_BWP^size)", _CLAUSE)
    return table[v]
