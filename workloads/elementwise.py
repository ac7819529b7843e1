"""The element-wise benchmark of the measuring chapter, one library's side per function.

Each `*_precision` / `*_sweep` function measures a whole sweep of one library and returns its
`Timing`s, so the chapter can call it through `pg.run_isolated` in a fresh process with its own
thread limit: the NumPy side and the JAX side never share a process or compete for cores. Both
sides draw the same data from the same seed. Every figure is taken in `latency` mode (each call
waited on, the cost of waiting subtracted), so the curves and the reference lines compare.

Also here: a NumPy array whose data starts at a chosen offset from a 64-byte boundary (to show
when `jax.device_put` on the CPU backend aliases a NumPy buffer instead of copying it). The
chapter's figures, tables and words live in `chapters/measuring.py`.
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from perfguide.timing import Timing, time_call

ALIGNMENT = 64  # bytes: the alignment XLA:CPU asks of a host buffer it may use in place
BYTES_MOVED = 8  # per float32 element of a + 1 or a copy: 4 read and 4 written


def f_numpy(x: np.ndarray) -> np.ndarray:
    """The benchmark function 0.2x + sin x + cos 2x, NumPy."""
    return 0.2 * x + np.sin(x) + np.cos(2 * x)


def f_numpy_out(x: np.ndarray, out: np.ndarray,
                tmp: np.ndarray) -> np.ndarray:
    """f into arrays the caller allocated once: no temporary is allocated."""
    np.multiply(x, 2, out=tmp)
    np.cos(tmp, out=tmp)
    np.sin(x, out=out)
    np.add(out, tmp, out=out)
    np.multiply(x, 0.2, out=tmp)
    return np.add(out, tmp, out=out)


def f_jax(x: Any) -> Any:
    """The same function with jax.numpy (jit it, or call it op by op)."""
    import jax.numpy as jnp

    return 0.2 * x + jnp.sin(x) + jnp.cos(2 * x)


def add_one(a: Any) -> Any:
    """`a + 1`: reads and writes each element once, into a fresh output."""
    return a + 1


def sample(length: int, dtype: str = "float32", seed: int = 0) -> np.ndarray:
    """`length` values uniform in [-10, 10), drawn in float64 and cast, the same on every side."""
    return np.random.default_rng(seed).uniform(-10, 10, length).astype(dtype)


def aligned_empty(length: int, dtype: Any = np.float32, offset: int = 0) -> np.ndarray:
    """An uninitialised array whose data starts `offset` bytes past a 64-byte boundary."""
    itemsize = np.dtype(dtype).itemsize
    raw = np.empty(length * itemsize + ALIGNMENT + offset, dtype=np.uint8)
    start = (-raw.ctypes.data) % ALIGNMENT + offset
    return raw[start : start + length * itemsize].view(dtype)


def shares_buffer(array: Any, host: np.ndarray) -> bool:
    """True when the JAX array's buffer is the NumPy array's memory (aliased, not copied)."""
    return bool(array.unsafe_buffer_pointer() == host.ctypes.data)


def numpy_precision(length: int, seed: int = 1) -> dict[str, Timing]:
    """NumPy: float64 (its default) and float32."""
    x64 = sample(length, "float64", seed)
    return {
        "NumPy float64": time_call(f_numpy, x64),
        "NumPy float32": time_call(f_numpy, x64.astype(np.float32)),
    }


def jax_precision(length: int, seed: int = 1) -> dict[str, Timing]:
    """JAX, jitted: float32 (its default) and float64."""
    import jax

    f_jit = jax.jit(f_jax)
    x64 = sample(length, "float64", seed)
    x32 = jax.device_put(x64.astype(np.float32))
    timings = {"JAX float32": time_call(f_jit, x32)}
    with jax.enable_x64(True):  # 64-bit mode for this block only
        timings["JAX float64"] = time_call(f_jit, jax.device_put(x64))
    return timings


@dataclass(frozen=True)
class Sweep:
    """One library's side of the size sweep, one Timing per length in each list."""

    curves: dict[str, list[Timing]]  # the function f, each way this side computes it
    add_one: list[Timing]  # a + 1 over the same array, into a freshly allocated output
    memcpy: list[Timing] = field(default_factory=list)  # np.copyto, preallocated
    floor: Timing | None = None  # a minimal jitted call (JAX side)


def numpy_sweep(lengths: list[int], seed: int = 2) -> Sweep:
    """NumPy side of the size sweep: f with temporaries and with `out=`, a + 1, and memcpy."""
    curves: dict[str, list[Timing]] = {"NumPy, with temporaries": [], "NumPy, out= preallocated": []}
    refs: dict[str, list[Timing]] = {"a + 1": [], "memcpy": []}
    for length in lengths:
        x = sample(length, "float32", seed)
        out, tmp = np.empty_like(x), np.empty_like(x)
        curves["NumPy, with temporaries"].append(time_call(f_numpy, x))
        curves["NumPy, out= preallocated"].append(time_call(f_numpy_out, x, out, tmp))
        refs["a + 1"].append(time_call(add_one, x))
        refs["memcpy"].append(time_call(np.copyto, out, x))
    return Sweep(curves, refs["a + 1"], refs["memcpy"])


def jax_sweep(lengths: list[int], seed: int = 2) -> Sweep:
    """JAX side of the size sweep: op by op, jitted, a + 1, and a minimal jitted call."""
    import jax

    f_jit, add_one_jit = jax.jit(f_jax), jax.jit(add_one)
    curves: dict[str, list[Timing]] = {"JAX op by op": [], "JAX jitted": []}
    refs = []
    for length in lengths:
        x = jax.device_put(sample(length, "float32", seed))
        curves["JAX op by op"].append(time_call(f_jax, x))
        curves["JAX jitted"].append(time_call(f_jit, x))
        refs.append(time_call(add_one_jit, x))
    return Sweep(curves, refs, floor=refs[0])  # a + 1 on the smallest 1-D array


def gbps(length: int, timing: Timing) -> float:
    """GB/s of an a + 1 or a copy of `length` float32 values, counting bytes read and written."""
    return BYTES_MOVED * length / timing.median_s / 1e9
