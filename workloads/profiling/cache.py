"""JAX's persistent compilation cache across fresh processes: each
process compiles the same programs, with the cache folder empty (cold) or
filled by the process before (warm).

Run `compile_programs` through `pg.run_isolated(..., env=cache_env(dir))`:
JAX reads the cache folder from JAX_COMPILATION_CACHE_DIR when it starts,
and every program is cached, however quickly it compiled."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np


def cache_env(folder: str) -> dict[str, str]:
    """The environment of a process that uses `folder` as its cache."""
    return {"JAX_COMPILATION_CACHE_DIR": folder,
            "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
            "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0"}


def fe_jacobian(n: int) -> tuple[Callable[..., Any], tuple]:
    """The FE Jacobian by autodiff (float32), jitted, and its arguments."""
    from workloads.fem import prepare_stiffness

    prepared = prepare_stiffness(n, "jax_autodiff", dtype=np.float32)
    return prepared.fn, prepared.args


def scanned_epoch(steps: int) -> tuple[Callable[..., Any], tuple]:
    """`steps` MLP training steps in one `nnx.scan`, and its arguments."""
    from workloads import mlp
    from workloads.profiling.steps import scanned

    run, stacked = scanned(mlp.make(32, 5, graph=False), steps)
    return run.run, ((), stacked)


PROGRAMS: dict[str, Callable[[int], tuple[Callable[..., Any], tuple]]] = {
    "FE Jacobian (autodiff)": fe_jacobian,
    "scanned training epoch": scanned_epoch,
}


def compile_programs(sizes: dict[str, int]) -> dict[str, Any]:
    """In this process, lower and compile each program of `sizes`; its
    phases' seconds from JAX's events, and the files in the cache."""
    import os

    from perfguide.compilation import compile_log

    folder = Path(os.environ["JAX_COMPILATION_CACHE_DIR"])
    found: dict[str, Any] = {}
    for name, size in sizes.items():
        fn: Any
        fn, args = PROGRAMS[name](size)  # a jitted function: it lowers
        with compile_log() as log:
            fn.lower(*args).compile()
        found[name] = {phase: log.seconds(phase)
                       for phase in ("trace", "lower", "compile")}
    found["cache_files"] = sum(1 for p in folder.rglob("*") if p.is_file())
    return found
