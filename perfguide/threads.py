"""Thread limits that hold for every library in a process: XLA:CPU, PyTorch, OpenMP and BLAS.

XLA:CPU in the pinned jaxlib sizes its thread pool from the CPU affinity mask of the process
when its backend starts; `--xla_cpu_multi_thread_eigen=false` and `intra_op_parallelism_threads`
do not limit it. tests/test_threads.py shows both with `matmul_parallelism` (CPU seconds per
wall second of a large matrix product): at most 1 when pinned to one core, above 1.3 on two cores
with or without those flags; quiet, a 2048² product took about twice as long on one core of two.
So a process is limited to N threads by pinning it to N cores *before* any library starts,
and by telling each library N as well: PyTorch's intra- and inter-op pools, OpenMP, and the
BLAS pools through their variables and `threadpoolctl`.
"""

import os
import sys
from typing import Any

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def all_cores() -> int:
    """Cores this process may run on (its affinity mask), which is what 'all cores' means here."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def thread_settings() -> list[int]:
    """The two settings every cross-library comparison is reported at: 1 thread each, all cores each."""
    return sorted({1, all_cores()})


def thread_label(threads: int) -> str:
    """'1 core' or 'N cores' for legends and tables: what a setting really grants.

    A process limited to one core runs its library's pool *and* the Python thread that dispatches
    to it on that core, so '1 core' is the honest name; each library's pool is told 1 thread.
    """
    return "1 core" if threads == 1 else f"{threads} cores"


def thread_environment(threads: int) -> dict[str, str]:
    """Environment variables that limit OpenMP, BLAS and Numba pools to `threads` (set before import)."""
    return {name: str(threads) for name in THREAD_VARIABLES}


def limit_loaded_libraries(threads: int) -> None:
    """Tell the libraries already imported to use `threads`: PyTorch's two pools, BLAS/OpenMP pools."""
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        torch.set_num_threads(threads)
        try:
            torch.set_num_interop_threads(threads)
        except RuntimeError:  # only possible before PyTorch's first parallel work
            pass
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=threads)


def thread_counts(xla_started: bool = True) -> dict[str, Any]:
    """Effective thread counts of this process: cores it may use (XLA:CPU's limit), PyTorch, Numba,
    BLAS/OpenMP."""
    counts: dict[str, Any] = {"cores_allowed": all_cores(), "xla_cpu": all_cores() if xla_started else None}
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        counts["torch_intra_op"] = torch.get_num_threads()
        counts["torch_inter_op"] = torch.get_num_interop_threads()
    if "numba" in sys.modules:
        counts["numba"] = sys.modules["numba"].get_num_threads()
    try:
        from threadpoolctl import threadpool_info

        counts["pools"] = {
            f"{pool['internal_api']} ({os.path.basename(pool['filepath'])})": pool["num_threads"]
            for pool in threadpool_info()
        }
    except ImportError:
        counts["pools"] = None
    counts["variables"] = {name: os.environ[name] for name in THREAD_VARIABLES if name in os.environ}
    return counts


def torch_thread_counts() -> dict[str, int]:
    """PyTorch's intra- and inter-op thread counts in this process (imports PyTorch)."""
    import torch

    return {"intra_op": torch.get_num_threads(), "inter_op": torch.get_num_interop_threads()}


def matmul_parallelism(n: int = 2048, calls: int = 5) -> float:
    """CPU seconds per wall second of this process while XLA:CPU runs large matrix products.

    At most 1 when the process may only use one core, whatever else the machine runs; up to the
    number of cores when XLA's pool spreads the product over them.
    """
    import time

    import jax

    a = jax.random.normal(jax.random.key(0), (n, n))
    product = jax.jit(lambda x: x @ x)
    product(a).block_until_ready()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        product(a).block_until_ready()
    return (time.process_time() - cpu) / (time.perf_counter() - wall)
