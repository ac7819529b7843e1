"""Each library's side of the finite-element pages, for pg.run_isolated:
one call per side and thread setting measures a whole sweep (a fresh
process costs seconds to start) and returns a `Side`.

JAX steps are compiled ahead of time, once, apart from the clock, and the
compiled executable is timed; compile time comes from JAX's own events.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jax
import numpy as np

from perfguide.compilation import compile_log
from perfguide.sweeps import predicted_cost_s
from perfguide.timing import Timing, time_call
from workloads.fem.memory import measure_memory
from workloads.fem.mesh import BoxMesh, box_mesh
from workloads.fem.methods import (RESIDUAL_METHODS, STIFFNESS_METHODS,
                                   Prepared, methods_of, prepare_residual,
                                   prepare_stiffness, to_scipy_step)
from workloads.fem.pattern import CsrPattern, csr_pattern

Key = tuple[str, str, int]  # (experiment, variant, n)
SLOW_CALL_S = 1.0  # a call predicted longer than this gets 3 repeats
JACOBIAN_VARIANTS = tuple(
    (m, "float64") for m in methods_of("jax", STIFFNESS_METHODS)
) + (("jax_vmap", "float32"),)


@dataclass
class Side:
    """What one side measured in its process: timings and compile times
    by (experiment, variant, n), XLA's cost analyses, roofs, solutions,
    the memory of one warm assembly by method (n, what, MiB), and streams
    of each step's own bytes by (experiment, variant): (MB, bytes/s)."""

    timings: dict[Key, Timing] = field(default_factory=dict)
    compile_s: dict[Key, float] = field(default_factory=dict)
    cost: dict[Key, dict[str, float]] = field(default_factory=dict)
    roofs: dict[str, Any] = field(default_factory=dict)
    solutions: dict[str, Any] = field(default_factory=dict)
    memory: dict[str, tuple[int, str, float]] = field(default_factory=dict)
    streams: dict[tuple[str, str], tuple[float, float]] = field(
        default_factory=dict)

    def record(self, recorder: Any, threads: int) -> None:
        """Add every timing to a page's Recorder, with its thread setting
        and, for JAX steps, the compile time measured apart."""
        for (experiment, variant, n), timing in self.timings.items():
            key = (experiment, variant, n)
            recorder.add(experiment, variant, n, timing, threads=threads,
                         compile_s=self.compile_s.get(key))


def merge_sides(*sides: Side) -> Side:
    """One Side holding every side's measurements (keys do not overlap)."""
    merged = Side()
    for side in sides:
        for name in Side.__dataclass_fields__:
            getattr(merged, name).update(getattr(side, name))
    return merged


def variant_label(method: str, dtype: str = "float64") -> str:
    """Record name of a method, with ' float32' when it ran in float32."""
    return method if dtype == "float64" else f"{method} {dtype}"


def sweep_displacement(mesh: BoxMesh) -> np.ndarray:
    """The random displacement every side uses at this mesh size."""
    return np.random.default_rng(mesh.n).standard_normal(mesh.num_dofs)


def time_point(fn: Callable[..., Any], args: tuple, n: int,
               history: dict[int, float], one_call: bool = False) -> Timing:
    """time_call at mesh size n. A call predicted (from `history`, the
    medians at smaller n) to take over SLOW_CALL_S gets 3 repeats of one
    call (min-max); `one_call` steps (NumPy, scikit-fem) 5 such repeats.
    The first and calibration calls of time_call are the warm-up."""
    if predicted_cost_s(history, n) > SLOW_CALL_S:
        timing = time_call(fn, *args, repeats=3, warmup=0, target_s=0.0)
    elif one_call:
        timing = time_call(fn, *args, repeats=5, warmup=0, target_s=0.0)
    else:
        timing = time_call(fn, *args)
    history[n] = timing.median_s
    return timing


def measure_compiled(side: Side, key: Key, prepared: Prepared,
                     history: dict[int, float],
                     pattern: CsrPattern | None = None,
                     cost: bool = False) -> Any:
    """Compile a JAX step ahead of time (recording how long it took), time
    it (to a SciPy matrix where a `pattern` is given) and, with `cost`,
    keep XLA's estimate of its flops and bytes. Returns the executable."""
    with compile_log() as log:
        compiled = prepared.fn.lower(*prepared.args).compile()
    side.compile_s[key] = log.total_s
    step = compiled
    if pattern is not None:
        step = to_scipy_step(prepared.method, compiled, pattern)
    side.timings[key] = time_point(step, prepared.args, key[2], history)
    if cost:
        analysis = compiled.cost_analysis()
        side.cost[key] = {"flops": float(analysis["flops"]),
                          "bytes": float(analysis["bytes accessed"])}
    return compiled


def last_level_cache_bytes() -> int:
    """The largest cache of cpu0, from /sys (0 where it cannot be read)."""
    import glob

    sizes = []
    for path in glob.glob("/sys/devices/system/cpu/cpu0/cache/index*/size"):
        text = open(path).read().strip().upper()
        scale = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1], 1)
        sizes.append(int(text.rstrip("KMG")) * scale)
    return max(sizes, default=0)


def large_stream_mb(at_least_mb: float) -> float:
    """A stream size of at least `at_least_mb` and 4x the last-level cache."""
    return max(at_least_mb, 4 * last_level_cache_bytes() / 1e6)


def measure_bandwidth(side: Side, stream_mb: float) -> None:
    """The bandwidth roof of this process: a chained, donated JAX `2 * x`
    over at least 4x the last-level cache (perfguide.roofs)."""
    from perfguide.roofs import stream_timing

    megabytes = large_stream_mb(stream_mb)
    stream, nbytes = stream_timing(megabytes, "float64")
    side.timings["roofs", "stream, 4x last-level cache", int(megabytes)] = (
        stream)
    side.roofs.update(bandwidth=nbytes / stream.median_s,
                      stream_mb=nbytes / 2e6, backend=jax.default_backend())


def measure_peak(side: Side, n: int) -> None:
    """The compute roof of this process: the faster of XLA's and BLAS's
    (NumPy's) float64 n x n matrix product, both recorded."""
    from perfguide.roofs import matmul_timing

    jax.config.update("jax_enable_x64", True)
    xla = matmul_timing(n, "float64")
    a = np.random.default_rng(0).standard_normal((n, n))
    blas = time_call(np.matmul, a, a, repeats=5, target_s=0.5)
    side.timings["roofs", "float64 matmul", n] = xla
    side.timings["roofs", "float64 matmul (BLAS)", n] = blas
    side.roofs["xla_peak_flops"] = 2 * n**3 / xla.median_s
    side.roofs["blas_peak_flops"] = 2 * n**3 / blas.median_s
    side.roofs["peak_flops"] = max(side.roofs["xla_peak_flops"],
                                   side.roofs["blas_peak_flops"])


def numpy_stream_bandwidth(megabytes: float) -> float:
    """Bytes/s of a chained, in-place NumPy `x *= 2` over `megabytes`."""
    x = np.ones(int(megabytes * 1e6) // 8)
    timing = time_call(np.multiply, x, 2.0, x, repeats=5, target_s=0.5)
    return 2 * x.nbytes / timing.median_s


def jax_sweep(sizes: list[int], n_cost: int, stream_mb: float) -> Side:
    """The JAX methods over the sweep: each Jacobian timed to a SciPy
    matrix (the `vmap` one also in float32), each residual; XLA's cost
    analysis at n_cost; the bandwidth roof of this process."""
    jax.config.update("jax_enable_x64", True)
    side, history = Side(), defaultdict(dict)
    for n in sizes:
        mesh = box_mesh(n)
        pattern = csr_pattern(mesh)
        for method, dtype in JACOBIAN_VARIANTS:
            prepared = prepare_stiffness(mesh, method, dtype=dtype,
                                         pattern=pattern)
            key = ("jacobian", variant_label(method, dtype), n)
            measure_compiled(side, key, prepared, history[key[:2]],
                             pattern, cost=n == n_cost)
        u = sweep_displacement(mesh)
        for method in methods_of("jax", RESIDUAL_METHODS):
            key = ("residual", method, n)
            measure_compiled(side, key, prepare_residual(mesh, method, u),
                             history[key[:2]], cost=n == n_cost)
    measure_bandwidth(side, stream_mb)
    return side


def numpy_sweep(sizes: list[int], largest_loop: int) -> Side:
    """NumPy and SciPy over the sweep: every NumPy method of the registry
    (the element loop only up to `largest_loop`), SciPy's CSR product
    K @ u, and the host's bandwidth (a NumPy stream)."""
    side, history = Side(), defaultdict(dict)
    for n in sizes:
        mesh = box_mesh(n)
        pattern = csr_pattern(mesh)
        u = sweep_displacement(mesh)
        for experiment, methods in (("jacobian", STIFFNESS_METHODS),
                                    ("residual", RESIDUAL_METHODS)):
            for method in methods_of("numpy", methods):
                if method == "numpy_loop" and n > largest_loop:
                    continue
                if experiment == "jacobian":
                    prepared = prepare_stiffness(mesh, method,
                                                 pattern=pattern)
                    step = to_scipy_step(method, prepared.fn, pattern)
                else:
                    prepared = prepare_residual(mesh, method, u)
                    step = prepared.fn
                side.timings[experiment, method, n] = time_point(
                    step, prepared.args, n, history[experiment, method],
                    one_call=True)
        K = prepare_stiffness(mesh, "numpy_slots", pattern=pattern).result()
        side.timings["residual", "scipy_matvec", n] = time_call(K.dot, u)
    host = numpy_stream_bandwidth(large_stream_mb(64))
    side.roofs["numpy_bandwidth"] = host
    return side


def skfem_sweep(sizes: list[int], largest: int) -> Side:
    """scikit-fem's assembly of K and of the residual, up to `largest`."""
    side, history = Side(), defaultdict(dict)
    for n in (n for n in sizes if n <= largest):
        mesh = box_mesh(n)
        u = sweep_displacement(mesh)
        for experiment, prepared in (
                ("jacobian", prepare_stiffness(mesh, "scikit_fem")),
                ("residual", prepare_residual(mesh, "scikit_fem", u))):
            side.timings[experiment, "scikit_fem", n] = time_point(
                prepared.fn, prepared.args, n, history[experiment],
                one_call=True)
    return side


def jax_limits(n_roof: int, n_solve: int, matmul_n: int, stream_mb: float,
               memory_n: int | None = None) -> Side:
    """What limits the JAX methods, in one process: with `memory_n`, first
    the memory of one warm assembly; at n_roof each compiled step alone
    (CSR values, no SciPy wrap) with XLA's cost analysis and a stream of
    its own bytes; the roofs (float64 matrix product, the faster of XLA's
    and BLAS's, and a large stream); at
    n_solve the `vmap` Jacobian to a SciPy matrix, the product J v, and
    the matrix-free CG solve."""
    from perfguide.roofs import stream_timing
    from workloads.fem.assembly import device_inputs
    from workloads.fem.mesh import face_conditions
    from workloads.fem.solve import matrix_free_cg

    jax.config.update("jax_enable_x64", True)
    side, history = Side(), defaultdict(dict)
    if memory_n is not None:
        measure_memory(side, methods_of("jax", STIFFNESS_METHODS), memory_n)
    mesh = box_mesh(n_roof)
    u = sweep_displacement(mesh)
    steps = [("jacobian", m, prepare_stiffness(mesh, m))
             for m in methods_of("jax", STIFFNESS_METHODS)]
    steps += [("residual", m, prepare_residual(mesh, m, u))
              for m in methods_of("jax", RESIDUAL_METHODS)]
    for experiment, method, prepared in steps:
        key = (experiment, method, n_roof)
        measure_compiled(side, key, prepared, history[key], cost=True)
        step_bytes = side.cost[key]["bytes"]  # XLA's estimate
        stream, nbytes = stream_timing(step_bytes / 2e6, "float64")
        side.streams[experiment, method] = (nbytes / 1e6,
                                            nbytes / stream.median_s)
    measure_peak(side, matmul_n)
    measure_bandwidth(side, stream_mb)

    mesh = box_mesh(n_solve)
    pattern = csr_pattern(mesh)
    u = sweep_displacement(mesh)
    vmap = prepare_stiffness(mesh, "jax_vmap", pattern=pattern)
    jvp = prepare_residual(mesh, "jax_jvp", u)
    for method, prepared in (("jax_vmap", vmap), ("jax_jvp", jvp)):
        key = ("breakeven", method, n_solve)
        wrap = pattern if method == "jax_vmap" else None
        measure_compiled(side, key, prepared, history[key], wrap)
    fixed, values = face_conditions(mesh)
    coords, elements, G, lam, mu = device_inputs(mesh, 1.0, 0.3, np.float64)
    args = (coords, elements, jax.numpy.asarray(fixed),
            jax.numpy.asarray(values), G, lam, mu, 1e-8)
    label = "CG, matrix-free (JAX jvp)"
    side.timings["solve", label, n_solve] = time_point(
        matrix_free_cg, args, n_solve, {}, one_call=True)
    u_free, iterations = matrix_free_cg(*args)
    side.solutions[label] = (np.asarray(u_free), int(iterations))
    return side


def numpy_limits(n_solve: int, memory_n: int | None = None) -> Side:
    """NumPy and SciPy: with `memory_n`, first the memory of one warm
    vectorised assembly; at n_solve SciPy's product K @ v, and the direct
    and CG solves on the assembled matrix."""
    from workloads.fem.mesh import face_conditions
    from workloads.fem.solve import solve_cg, solve_direct

    side = Side()
    if memory_n is not None:
        vectorised = [m for m in methods_of("numpy", STIFFNESS_METHODS)
                      if m != "numpy_loop"]
        measure_memory(side, tuple(vectorised), memory_n)
    mesh = box_mesh(n_solve)
    K = prepare_stiffness(mesh, "numpy_slots").result()
    u = sweep_displacement(mesh)
    side.timings["breakeven", "scipy_matvec", n_solve] = time_call(K.dot, u)
    fixed, values = face_conditions(mesh)
    for label, solve, args in (
            ("sparse direct (SuperLU)", solve_direct, (K, fixed, values)),
            ("CG, assembled (SciPy)", solve_cg, (K, fixed, values, 1e-8))):
        side.timings["solve", label, n_solve] = time_point(
            solve, args, n_solve, {}, one_call=True)
        side.solutions[label] = solve(*args)
    return side


def skfem_memory(memory_n: int) -> Side:
    """The memory of one warm scikit-fem assembly at memory_n."""
    side = Side()
    measure_memory(side, ("scikit_fem",), memory_n)
    return side
