"""Each library's side of the sweep: every program at every size, timed in
the process `pg.run_isolated` starts for it, and checked there against the
float64 reference (only the relative error comes back, not the arrays).

Every time is a latency: each call waited on, the cost of waiting
subtracted. A point's compile time is its first call beyond a steady call:
tracing and compiling for `jax.jit` and `torch.compile`, the first use of
each primitive at that shape for JAX op by op, Numba's compilation at the
first size."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from perfguide.timing import Timing, time_call
from workloads.arrays import numpy_programs
from workloads.arrays.problems import PROGRAMS, error, inputs


@dataclass(frozen=True)
class Point:
    """One program at one size on one side."""

    timing: Timing  # seconds per call, latency
    compile_s: float  # first call beyond a steady one
    error: float  # max |result - float64 reference| / the result's scale


@dataclass(frozen=True)
class Side:
    """What one process measured: variant -> program -> size -> point."""

    points: dict[str, dict[str, dict[int, Point]]]
    floors: dict[str, Timing]  # variant -> x + 1 on one element
    failed: dict[str, str] = field(default_factory=dict)


def _sweep(variants: dict[str, Callable[[str], Any]],
           prepare: Callable[[str, tuple[np.ndarray, ...]], tuple[Any, ...]],
           to_host: Callable[[Any], np.ndarray], sizes: list[int],
           matmul_sizes: list[int], runs: dict[str, Any]
           ) -> dict[str, dict[str, dict[int, Point]]]:
    """Time `variants[name](program)` on every program and size."""
    points: dict[str, dict[str, dict[int, Point]]] = {
        name: {program: {} for program in PROGRAMS} for name in variants}
    for program in PROGRAMS:
        fns = {name: make(program) for name, make in variants.items()}
        for size in matmul_sizes if program == "matmul" else sizes:
            host = inputs(program, size)
            args = prepare(program, host)
            for name, fn in fns.items():
                timing = time_call(fn, *args, **runs)
                result = to_host(fn(*args))
                points[name][program][size] = Point(
                    timing, timing.compile_s, error(program, result, *host))
    return points


def numpy_side(sizes: list[int], matmul_sizes: list[int],
               runs: dict[str, Any]) -> Side:
    """NumPy, vectorised, into preallocated outputs."""
    one = np.ones(1, np.float32)
    points = _sweep({"NumPy": numpy_programs.PROGRAMS.__getitem__},
                    numpy_programs.arguments, np.asarray, sizes,
                    matmul_sizes, runs)
    floor = time_call(numpy_programs.add_one, one, np.empty_like(one), **runs)
    return Side(points, {"NumPy": floor})


def jax_side(sizes: list[int], matmul_sizes: list[int],
             runs: dict[str, Any]) -> Side:
    """JAX op by op (each primitive dispatched alone) and `jax.jit`."""
    import jax

    from workloads.arrays import jax_programs
    from workloads.elementwise import add_one

    variants = {"JAX op by op": jax_programs.PROGRAMS.__getitem__,
                "jax.jit": lambda p: jax.jit(jax_programs.PROGRAMS[p])}
    points = _sweep(variants, lambda p, host: tuple(map(jax.device_put, host)),
                    np.asarray, sizes, matmul_sizes, runs)
    one = jax.device_put(np.ones(1, np.float32))
    floors = {"JAX op by op": time_call(add_one, one, **runs),
              "jax.jit": time_call(jax.jit(add_one), one, **runs)}
    return Side(points, floors)


def torch_side(sizes: list[int], matmul_sizes: list[int],
               runs: dict[str, Any], device: str = "cpu") -> Side:
    """PyTorch eager and `torch.compile` (default options: its first call
    at a size compiles, a second shape recompiles with dynamic sizes)."""
    import torch

    from perfguide.devices import to_torch
    from workloads.arrays import torch_programs as tp

    failed: dict[str, str] = {}
    variants = {"PyTorch eager": tp.PROGRAMS.__getitem__,
                "torch.compile": lambda p: torch.compile(tp.PROGRAMS[p])}
    with torch.inference_mode():
        one = to_torch(np.ones(1, np.float32), device)
        floors = {"PyTorch eager": time_call(tp.add_one, one, **runs)}
        try:  # the floor's first call compiles: does torch.compile work here?
            floors["torch.compile"] = time_call(torch.compile(tp.add_one),
                                                one, **runs)
        except Exception as error:  # e.g. no C++ compiler: the page says so
            failed["torch.compile"] = f"{type(error).__name__}: {error}"[:300]
            del variants["torch.compile"]
        points = _sweep(variants, lambda p, host: tuple(
            to_torch(a, device) for a in host),
            lambda t: t.cpu().numpy(), sizes, matmul_sizes, runs)
    return Side(points, floors, failed)


def numba_side(sizes: list[int], matmul_sizes: list[int],
               runs: dict[str, Any]) -> Side:
    """Numba kernels, float32 throughout, `prange` over the
    NUMBA_NUM_THREADS threads that `pg.run_isolated` sets."""
    from workloads.arrays import numba_programs as nbp

    def prepare(program: str, host: tuple[np.ndarray, ...]) -> tuple:
        if program == "chain":
            return (*host, np.empty_like(host[0]))
        if program == "laplacian":
            m = host[0].shape[0]
            return (*host, np.empty((m - 2, m - 2), np.float32))
        return host

    points = _sweep({"Numba": nbp.PROGRAMS.__getitem__}, prepare,
                    np.asarray, sizes, matmul_sizes, runs)
    one = np.ones(1, np.float32)
    floor = time_call(nbp.add_one, one, np.empty_like(one), **runs)
    return Side(points, {"Numba": floor})
