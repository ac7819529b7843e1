"""Run one side of a comparison in a fresh process with given thread limits, and get its results back.

`run_isolated(fn, *args, threads=N, **kwargs)` starts a Python process that pins itself to N cores
(with every library's thread variables already set) *before* importing anything, then imports
`fn` by its module and name, tells the libraries it loaded to use N threads, calls it, and sends
back its return value (anything picklable: `Timing`s, floats, NumPy arrays) with the child's
environment record. Each side of a cross-library ratio runs this way, so no library's idle pool
competes with another's and every side gets the same number of threads.
"""

import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfguide.threads import thread_environment, thread_label


# The child pins itself to its cores before Python imports anything else (numpy, JAX, PyTorch);
# `-P` keeps the working directory off its import path, so a stray inspect.py there cannot shadow a module.
BOOTSTRAP = (
    "import os, runpy; allowed = sorted(os.sched_getaffinity(0)); "
    "os.sched_setaffinity(0, allowed[:{threads}]); "
    "runpy.run_module('perfguide.isolated', run_name='__main__', alter_sys=True)"
)


RUNS: dict[str, dict[str, Any]] = {}  # "<target>, <N core(s)>" -> environment of every child this process started


@dataclass(frozen=True)
class Isolated:
    """What a function returned in its own process, with that process's threads and environment."""

    value: Any
    threads: int
    environment: dict[str, Any]
    jax_started: bool = False  # whether XLA's backend (and its thread pool) ran inside the call


def target_name(fn: Callable[..., Any]) -> str:
    """'module:qualname' of a module-level function, the form the child process imports."""
    module, name = fn.__module__, fn.__qualname__
    if module == "__main__" or "<" in name:
        raise ValueError(
            f"{name} cannot be imported by another process: define it at the top level of a module "
            "(e.g. in the package a page measures), not in a notebook or inside a function"
        )
    return f"{module}:{name}"


def run_isolated(
    fn: Callable[..., Any] | str,
    *args: Any,
    threads: int,
    preload: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    timeout_s: float = 1800,
    **kwargs: Any,
) -> Isolated:
    """Call `fn(*args, **kwargs)` in a fresh process limited to `threads` threads; return its result.

    `preload` names modules to import before the limits are applied (e.g. ("torch",) when `fn`
    imports PyTorch only when called): PyTorch's inter-op pool can only be sized before it is used.
    """
    target = fn if isinstance(fn, str) else target_name(fn)
    with tempfile.TemporaryDirectory(prefix="perfguide-") as folder:
        request, reply = Path(folder) / "request.pkl", Path(folder) / "reply.pkl"
        request.write_bytes(pickle.dumps((target, args, kwargs, threads, preload)))
        # On a GPU the parent already holds JAX's preallocated share of memory: children allocate on demand.
        child_env = {
            **os.environ,
            "XLA_PYTHON_CLIENT_PREALLOCATE": "false",
            **(env or {}),
            **thread_environment(threads),
        }
        done = subprocess.run(
            [sys.executable, "-P", "-c", BOOTSTRAP.format(threads=threads), str(request), str(reply)],
            env=child_env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
        if done.returncode != 0 or not reply.exists():
            raise RuntimeError(
                f"{target} failed in its isolated process ({thread_label(threads)}, exit {done.returncode}):\n"
                f"{done.stderr[-4000:]}"
            )
        value, environment, jax_started = pickle.loads(reply.read_bytes())
    label = f"{target}, {thread_label(threads)}"
    repeat = sum(key == label or key.startswith(f"{label}, run ") for key in RUNS)
    RUNS[label if repeat == 0 else f"{label}, run {repeat + 1}"] = environment  # keep every one
    return Isolated(value, threads, environment, jax_started)


def _child(request: Path, reply: Path) -> None:
    """The isolated process: pin, import, limit, call, reply."""
    target, args, kwargs, threads, preload = pickle.loads(request.read_bytes())
    import importlib

    from perfguide.threads import all_cores, limit_loaded_libraries

    if all_cores() != threads:
        raise RuntimeError(f"the isolated process may use {all_cores()} cores, not the {threads} asked for")

    for module in preload:
        importlib.import_module(module)
    module_name, _, name = target.partition(":")
    fn: Any = importlib.import_module(module_name)
    for part in name.split("."):
        fn = getattr(fn, part)
    limit_loaded_libraries(threads)
    value = fn(*args, **kwargs)
    limit_loaded_libraries(threads)  # libraries the call imported report the same limits
    from jax._src import xla_bridge

    jax_started = xla_bridge.backends_are_initialized()  # before environment() starts it
    from perfguide.environment import environment

    reply.write_bytes(pickle.dumps((value, environment(start_jax=jax_started), jax_started)))


if __name__ == "__main__":
    _child(Path(sys.argv[-2]), Path(sys.argv[-1]))
