"""The four programs as Numba kernels, float32 throughout, parallel over
`prange` where a loop is written out; each compiled by its first call.
Only the reduction is compiled with `fastmath=True` (it lets LLVM keep
several partial sums); `a @ b` is handed to BLAS.

This module imports Numba: `sides.numba_side` imports it only in the Numba
process."""

import numba
import numpy as np
from numba import prange


@numba.njit(parallel=True)
def chain(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """0.2 x + sin x + cos 2x into `out`, float32 throughout."""
    for i in prange(x.shape[0]):
        v = x[i]
        out[i] = (np.float32(0.2) * v + np.sin(v)
                  + np.cos(np.float32(2) * v))
    return out


@numba.njit
def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b: Numba calls BLAS (SciPy's) for it."""
    return a @ b


@numba.njit(parallel=True, fastmath=True)  # may reassociate: vector sums
def sum_of_squares(x: np.ndarray) -> np.float32:
    """The sum of x², accumulated in float32."""
    total = np.float32(0)
    for i in prange(x.shape[0]):
        total += x[i] * x[i]
    return total


@numba.njit(parallel=True)
def laplacian(u: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Neighbours' sum minus 4 u at the interior points, into `out`."""
    m = u.shape[0]
    for i in prange(1, m - 1):
        for j in range(1, m - 1):
            out[i - 1, j - 1] = (u[i - 1, j] + u[i + 1, j] + u[i, j - 1]
                                 + u[i, j + 1] - np.float32(4) * u[i, j])
    return out


PROGRAMS = {"chain": chain, "matmul": matmul,
            "sum_of_squares": sum_of_squares, "laplacian": laplacian}
