"""TS 38.212 §5.3.1 — polar encoding (input bit interleaving, parity-check bits, ``d = u G_N``)."""

from __future__ import annotations

import numpy as np

from opennr._validate import as_bits
from opennr.coding.polar._encoder_kernels import polar_encode_kernel
from opennr.coding.polar.construction import polar_code

__all__ = ["polar_encode"]


def polar_encode(c, *, e: int, n_max: int, i_il: bool, n_pc: int = 0, n_pc_wm: int = 0) -> np.ndarray:
    """Polar-encode ``K`` bits (TS 38.212 §5.3.1), like MATLAB ``nrPolarEncode``.

    The input is interleaved (§5.3.1.1, when ``i_il``) into ``c'``, placed with its parity-check
    bits in the information set of :func:`polar_code` (§5.3.1.2) to form ``u``, and encoded as
    ``d = u G_N`` with ``G_N`` the ``n``-th Kronecker power of ``[[1, 0], [1, 1]]``.

    Parameters
    ----------
    c : array_like of uint8, shape (..., K)
        Input bits ``c_0 .. c_{K-1}`` (payload and CRC).
    e : int
        Rate-matching output length ``E`` (decides ``N`` and the rate-matching frozen bits).
    n_max : int
        9 (downlink) or 10 (uplink).
    i_il : bool
        Input bit interleaving ``I_IL``.
    n_pc, n_pc_wm : int
        Parity-check bits ``n_PC`` (0 or 3) and ``n_PC^wm`` (0 or 1); see
        :func:`~opennr.coding.polar.construction.uci_parity_check_bits`.

    Returns
    -------
    numpy.ndarray of uint8, shape (..., N)
        ``d_0 .. d_{N-1}``.

    Raises
    ------
    ConfigError
        If the code parameters are out of range (see :func:`polar_code`).
    ValueError
        If ``c`` is not a 0/1 array.
    """
    arr = as_bits("c", c)
    code = polar_code(arr.shape[-1], e, n_max, i_il, n_pc, n_pc_wm)
    lead = arr.shape[:-1]
    flat = arr.reshape(-1, code.k)
    c_prime = np.ascontiguousarray(flat[:, code.interleaver]) if code.i_il else flat
    out = np.empty((flat.shape[0], code.n), dtype=np.uint8)
    if flat.shape[0]:
        polar_encode_kernel(c_prime, code.bit_type, code.n_pc > 0, out)
    return out.reshape(*lead, code.n)
