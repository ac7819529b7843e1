"""The ways to write the time-stepping loop: a Python `for` (unrolled
under `jit`), `lax.fori_loop`, `lax.scan`, and a compiled step called from
Python."""

from collections.abc import Callable
from functools import partial
from typing import Any

import jax

from workloads.advection.problem import DT, step_jax, step_torch


def run_python_for(d: jax.Array, v: jax.Array, steps: int,
                   dt: float = DT) -> jax.Array:
    """`steps` steps in a Python loop: under jit, `steps` traced copies."""
    for _ in range(steps):
        d = step_jax(d, v, dt)
    return d


def run_fori_loop(d: jax.Array, v: jax.Array, steps: int,
                  dt: float = DT) -> jax.Array:
    """`steps` steps in `lax.fori_loop`: the step is traced once."""
    return jax.lax.fori_loop(0, steps, lambda _, d: step_jax(d, v, dt), d)


def run_scan(d: jax.Array, v: jax.Array, steps: int, dt: float = DT,
             unroll: int = 1) -> jax.Array:
    """`steps` steps in `lax.scan`, `unroll` steps per loop iteration."""
    d, _ = jax.lax.scan(lambda d, _: (step_jax(d, v, dt), None), d,
                        length=steps, unroll=unroll)
    return d


def run_step_calls(d: Any, v: Any, steps: int,
                   step: Callable[..., Any]) -> Any:
    """`steps` calls of a compiled `step` in a Python loop."""
    for _ in range(steps):
        d = step(d, v)
    return d


def run_torch(d: Any, v: Any, steps: int, dt: float = DT,
              step: Callable[..., Any] = step_torch) -> Any:
    """`steps` calls of `step` (eager or compiled), in inference mode."""
    import torch

    with torch.inference_mode():
        for _ in range(steps):
            d = step(d, v, dt)
    return d


def jitted(run: Callable[..., jax.Array], steps: int,
           **options: Any) -> Callable[..., jax.Array]:
    """A new `jax.jit` of `run` for a fixed number of steps."""
    return jax.jit(partial(run, steps=steps, **options))


ROLLED = {"fori_loop": run_fori_loop, "scan": run_scan}
JIT_STEP = "jax.jit(step)"  # torch.compile's counterpart: a loop of calls
