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


def stream_bandwidth(megabytes: float = 256, dtype: str = "float64") -> float:
    """Bytes per second a jitted `2 * x` moves (reads x once, writes the result once): the memory roof."""
    if dtype == "float64":
        jax.config.update("jax_enable_x64", True)
    x = jnp.asarray(np.ones(int(megabytes * 1e6) // np.dtype(dtype).itemsize, dtype=dtype))
    timing = time_call(jax.jit(lambda x: 2 * x), x, repeats=5, target_s=0.5)
    return 2 * x.nbytes / timing.median_s
