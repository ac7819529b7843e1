"""The memory one warm assembly needs, measured the way each library can
report it exactly."""

from typing import Any

from workloads.fem.mesh import box_mesh
from workloads.fem.methods import Prepared, library, prepare_stiffness
from workloads.fem.pattern import csr_pattern


def xla_memory_mib(prepared: Prepared) -> float:
    """What a call of a jitted step allocates, from XLA's buffer plan, in
    MiB: temporaries and output, not the arguments it is handed (as
    `tracemalloc` counts for NumPy)."""
    compiled = prepared.fn.lower(*prepared.args).compile()
    stats = compiled.memory_analysis()
    total = (stats.temp_size_in_bytes + stats.output_size_in_bytes
             - stats.alias_size_in_bytes)
    return total / 2**20


def assembly_memory_mib(prepared: Prepared,
                        backend: str | None = None) -> tuple[str, float]:
    """(what was measured, MiB) for one call of a warm `prepared` step.

    NumPy and scikit-fem, anywhere: the peak that `tracemalloc` traces
    during the call above what it traced before (NumPy reports its
    arrays to it), after one warm-up call. A JAX method on the CPU: XLA's
    buffer plan without the arguments (temporaries and output), exact
    where resident memory is not, and read without running the step. In
    all three the inputs, allocated before the call, are left out. On a
    GPU: the
    device allocator's peak above what was in use before the call, after
    one warm-up call (its peak never goes down: measure in a fresh
    process, methods in order of growing memory, as the sides do).
    """
    import tracemalloc

    from perfguide.devices import memory_kind
    from perfguide.memory import device_memory_stats
    from perfguide.timing import block

    if library(prepared.method) == "jax" and (
            memory_kind(backend) == "host RSS"):
        return "XLA's buffer plan", xla_memory_mib(prepared)
    block(prepared())  # warm: first-touch costs fall outside the window
    if library(prepared.method) != "jax":
        tracemalloc.start()
        try:
            before, _ = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            block(prepared())
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return "tracemalloc", (peak - before) / 2**20
    before = device_memory_stats() or {}
    block(prepared())
    after = device_memory_stats() or {}
    peak = after.get("peak_bytes_in_use", 0) - before.get("bytes_in_use", 0)
    return "device memory", peak / 2**20


def measure_memory(side: Any, methods: tuple[str, ...], n: int) -> None:
    """The memory of one warm stiffness assembly per method at n, into
    `side.memory` as (n, what was measured, MiB)."""
    mesh = box_mesh(n)
    pattern = csr_pattern(mesh)
    for method in methods:
        prepared = prepare_stiffness(mesh, method, pattern=pattern)
        side.memory[method] = (n, *assembly_memory_mib(prepared))
