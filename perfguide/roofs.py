"""Roofs measured on this machine: peak arithmetic (a large matrix product) and memory bandwidth."""

import jax
import jax.numpy as jnp
import numpy as np

from perfguide.timing import Timing, time_call


def matmul_timing(n: int = 2048, dtype: str = "float32", repeats: int = 5) -> Timing:
    """Latency of one jitted n×n matrix product (2n³ flops) on JAX's default device."""
    if dtype == "float64":
        jax.config.update("jax_enable_x64", True)
    a = jax.random.normal(jax.random.key(0), (n, n), dtype=dtype)
    return time_call(jax.jit(lambda x: x @ x), a, repeats=repeats, target_s=repeats * 0.1)


def peak_flops(n: int = 2048, dtype: str = "float32") -> float:
    """Floating-point operations per second of a large matrix product: the compute roof."""
    return 2 * n**3 / matmul_timing(n, dtype).median_s


class _Doubling:
    """`x = 2 * x` chained and donated: XLA writes into the input's buffer, nothing is allocated."""

    def __init__(self, x: jax.Array) -> None:
        self.x = x
        self.jitted = jax.jit(lambda x: 2 * x, donate_argnums=0)

    def __call__(self) -> jax.Array:
        self.x = self.jitted(self.x)
        return self.x


def stream_timing(megabytes: float = 256, dtype: str = "float64") -> tuple[Timing, int]:
    """Latency of a chained, donated `x = 2 * x` over `megabytes` (reads and writes x once), and its bytes."""
    if dtype == "float64":
        jax.config.update("jax_enable_x64", True)
    x = jnp.asarray(np.ones(int(megabytes * 1e6) // np.dtype(dtype).itemsize, dtype=dtype))
    return time_call(_Doubling(x), repeats=5, target_s=0.5), 2 * x.nbytes


def stream_bandwidth(megabytes: float = 256, dtype: str = "float64") -> float:
    """Bytes per second that a chained, donated `x = 2 * x` moves: the memory roof.

    Donation matters: a fresh output each call allocates (and page-faults) a new buffer, which
    here ran several times slower than the copy itself and would make a roof that is no roof.
    """
    timing, nbytes = stream_timing(megabytes, dtype)
    return nbytes / timing.median_s
