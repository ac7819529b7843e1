"""The whole time loop compiled by Numba, float32 throughout as the rolled
JAX loops are: rows in parallel (`prange`) when the process has more than
one thread, a serial loop when it has one."""

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from workloads.advection.problem import DT


@cache
def numba_loop(parallel: bool) -> Callable[..., np.ndarray]:
    """`run(d, v, steps, dt)` compiled lazily by `numba.njit`; the first
    call compiles."""
    import numba

    @numba.njit(parallel=parallel)
    def run(d: Any, v: Any, steps: int, dt: Any) -> Any:
        rows, cols = d.shape
        a, b = d.copy(), np.empty_like(d)
        half = np.float32(0.5)
        for _ in range(steps):
            for i in numba.prange(rows):
                lo, hi = max(i - 1, 0), min(i + 1, rows - 1)
                scale = half if 0 < i < rows - 1 else np.float32(1.0)
                for j in range(cols):
                    grad = (a[hi, j] - a[lo, j]) * scale
                    b[i, j] = a[i, j] + dt * (-v[i, j] * grad)
            a, b = b, a
        return a

    return run


def numba_threads() -> int:
    """Numba's thread count in this process (`NUMBA_NUM_THREADS`, which
    `pg.run_isolated` sets before import)."""
    import numba

    return int(numba.get_num_threads())


def run_numba(d: np.ndarray, v: np.ndarray, steps: int,
              dt: float = DT) -> np.ndarray:
    """`steps` steps in Numba's compiled loop, `parallel=True` only with
    more than one thread (dt as float32, like JAX's)."""
    run = numba_loop(parallel=numba_threads() > 1)
    return run(d, v, steps, np.float32(dt))
