"""Each library's side of the sweep: every program at every size, timed in
the process `pg.run_isolated` starts for it, and checked there against the
float64 reference (only the relative error comes back, not the arrays).

Every time is a latency: each call waited on, the cost of waiting
subtracted. A point's compile time is its first call beyond a steady call:
tracing and compiling for `jax.jit` and `torch.compile(dynamic=False)`
(both specialise to each shape, so every size compiles anew), the first
use of each primitive at that shape for JAX op by op, Numba's compilation
at the first size (once per type, whatever the size).

A side's *floor* for a program is the same program, called the same way,
on its smallest input (one element; a 3 × 3 grid for the stencil): the
fixed cost of every call and kernel it makes, with almost no work."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from perfguide.timing import Timing, block, time_call
from workloads.arrays import numpy_programs
from workloads.arrays.problems import PROGRAMS, elements, error, inputs

FLOOR_PROGRAMS = ("chain", "sum_of_squares", "laplacian")
Prepare = Callable[[str, tuple[np.ndarray, ...]], tuple[Any, ...]]
# variant -> (program -> its function, or None where the variant has none;
#             the inputs and outputs it is called with)
Variants = dict[str, tuple[Callable[[str], Any], Prepare]]


@dataclass(frozen=True)
class Point:
    """One program at one size on one side."""

    timing: Timing  # seconds per call, latency
    compile_s: float  # first call beyond a steady one
    error: float  # max |result - float64 reference| / the result's scale
    cpu_per_wall: float | None = None  # CPU s per wall s (largest size only)


@dataclass(frozen=True)
class Side:
    """What one process measured: variant -> program -> elements -> point
    (n for the product), and each variant's floors: program -> timing."""

    points: dict[str, dict[str, dict[int, Point]]]
    floors: dict[str, dict[str, Timing]]
    failed: dict[str, str] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


def cpu_per_wall(fn: Callable[..., Any], *args: Any,
                 min_s: float = 0.05) -> float:
    """CPU seconds of this process per wall second while `fn` runs: about
    1 when one core works, up to the number of cores when all do."""
    calls, wall, cpu = 0, time.perf_counter(), time.process_time()
    while calls < 3 or time.perf_counter() - wall < min_s:
        block(fn(*args))
        calls += 1
    return (time.process_time() - cpu) / (time.perf_counter() - wall)


def _sweep(variants: Variants, to_host: Callable[[Any], np.ndarray],
           sizes: list[int], matmul_sizes: list[int], runs: dict[str, Any]
           ) -> tuple[dict[str, dict[str, dict[int, Point]]],
                      dict[str, dict[str, Timing]]]:
    """Time every variant on every program and size, then its floors."""
    points: dict[str, dict[str, dict[int, Point]]] = {
        name: {} for name in variants}
    floors: dict[str, dict[str, Timing]] = {name: {} for name in variants}
    for program in PROGRAMS:
        fns = {name: (make(program), prepare)
               for name, (make, prepare) in variants.items()}
        fns = {name: pair for name, pair in fns.items() if pair[0] is not None}
        swept = matmul_sizes if program == "matmul" else sizes
        for size in swept:
            host = inputs(program, size)
            for name, (fn, prepare) in fns.items():
                args = prepare(program, host)
                timing = time_call(fn, *args, **runs)
                result = to_host(fn(*args))
                load = cpu_per_wall(fn, *args) if size == swept[-1] else None
                points[name].setdefault(program, {})[
                    size if program == "matmul" else elements(program, size)
                ] = Point(timing, timing.compile_s,
                          error(program, result, *host), load)
        if program in FLOOR_PROGRAMS:
            host = inputs(program, 1)
            for name, (fn, prepare) in fns.items():
                floors[name][program] = time_call(
                    fn, *prepare(program, host), **runs)
    return points, floors


def numpy_side(sizes: list[int], matmul_sizes: list[int],
               runs: dict[str, Any]) -> Side:
    """NumPy, vectorised: into preallocated outputs, and allocating."""
    variants: Variants = {
        "NumPy": (numpy_programs.PROGRAMS.__getitem__,
                  numpy_programs.arguments),
        "NumPy, allocating": (numpy_programs.ALLOCATING.get,
                              lambda p, host: host)}
    return Side(*_sweep(variants, np.asarray, sizes, matmul_sizes, runs))


def jax_side(sizes: list[int], matmul_sizes: list[int],
             runs: dict[str, Any]) -> Side:
    """JAX op by op (each primitive dispatched alone) and `jax.jit`; both
    allocate their output each call (JAX cannot write into a caller's
    buffer)."""
    import jax

    from workloads.arrays import jax_programs

    def prepare(program: str, host: tuple[np.ndarray, ...]) -> tuple:
        return tuple(map(jax.device_put, host))

    variants: Variants = {
        "JAX op by op": (jax_programs.PROGRAMS.__getitem__, prepare),
        "jax.jit": (lambda p: jax.jit(jax_programs.PROGRAMS[p]), prepare)}
    return Side(*_sweep(variants, np.asarray, sizes, matmul_sizes, runs),
                info={"backend": jax.default_backend()})


def torch_side(sizes: list[int], matmul_sizes: list[int],
               runs: dict[str, Any], device: str = "cpu") -> Side:
    """PyTorch eager into preallocated outputs (`out=`), and
    `torch.compile(dynamic=False)`, which allocates its output and, like
    `jax.jit`, compiles anew for every shape."""
    import torch

    from perfguide.devices import to_torch
    from workloads.arrays import numpy_programs as npp
    from workloads.arrays import torch_programs as tp

    def eager_args(program: str, host: tuple[np.ndarray, ...]) -> tuple:
        return tuple(to_torch(a, device)
                     for a in npp.arguments(program, host))

    def compiled_args(program: str, host: tuple[np.ndarray, ...]) -> tuple:
        return tuple(to_torch(a, device) for a in host)

    failed: dict[str, str] = {}
    variants: Variants = {
        "PyTorch eager": (tp.EAGER.__getitem__, eager_args),
        "torch.compile": (lambda p: torch.compile(tp.PROGRAMS[p],
                                                  dynamic=False),
                          compiled_args)}
    for limit in ("recompile_limit", "cache_size_limit"):  # a shape each
        if hasattr(torch._dynamo.config, limit):
            setattr(torch._dynamo.config, limit, 64)
    with torch.inference_mode():
        try:  # does torch.compile work here (a C++ compiler, say)?
            torch.compile(tp.chain, dynamic=False)(
                *compiled_args("chain", inputs("chain", 1)))
        except Exception as error:  # the page says so
            failed["torch.compile"] = f"{type(error).__name__}: {error}"[:300]
            del variants["torch.compile"]
        points, floors = _sweep(variants, lambda t: t.cpu().numpy(), sizes,
                                matmul_sizes, runs)
    return Side(points, floors, failed, {"device": device})


def numba_side(sizes: list[int], matmul_sizes: list[int],
               runs: dict[str, Any]) -> Side:
    """Numba kernels, float32 throughout, `prange` over the
    NUMBA_NUM_THREADS threads that `pg.run_isolated` sets."""
    import numba

    from workloads.arrays import numba_programs as nbp

    def prepare(program: str, host: tuple[np.ndarray, ...]) -> tuple:
        if program == "chain":
            return (*host, np.empty_like(host[0]))
        if program == "laplacian":
            m = host[0].shape[0]
            return (*host, np.empty((m - 2, m - 2), np.float32))
        return host

    variants: Variants = {"Numba": (nbp.PROGRAMS.__getitem__, prepare)}
    return Side(*_sweep(variants, np.asarray, sizes, matmul_sizes, runs),
                info={"svml": bool(numba.config.USING_SVML)})
