"""The four programs with `jax.numpy`: called op by op (eager), or jitted,
when XLA fuses them into as few loops as it can."""

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from workloads.elementwise import f_jax


def chain(x: jax.Array) -> jax.Array:
    """0.2 x + sin x + cos 2x (the measuring page's `f_jax`)."""
    return f_jax(x)


def matmul(a: jax.Array, b: jax.Array) -> jax.Array:
    """a @ b."""
    return a @ b


def sum_of_squares(x: jax.Array) -> jax.Array:
    """sum(x * x): jitted, the square is fused into the reduction."""
    return jnp.sum(x * x)


def laplacian(u: jax.Array) -> jax.Array:
    """Neighbours' sum minus 4 u at the interior points."""
    return (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:]
            - 4 * u[1:-1, 1:-1])


PROGRAMS = {"chain": chain, "matmul": matmul,
            "sum_of_squares": sum_of_squares, "laplacian": laplacian}


def eager_traffic(fn: Any, *args: Any) -> tuple[int, float]:
    """Run op by op, each primitive is a kernel that reads its array inputs
    and writes its output: (kernels, bytes they move), from the jaxpr."""
    jaxpr = jax.make_jaxpr(fn)(*args).jaxpr
    moved = 0.0
    for eqn in jaxpr.eqns:
        for var in (*eqn.invars, *eqn.outvars):
            aval = getattr(var, "aval", None)
            if aval is not None and hasattr(aval, "shape"):
                moved += int(np.prod(aval.shape)) * aval.dtype.itemsize
    return len(jaxpr.eqns), moved


def compiled_cost(fn: Any, *args: Any) -> dict[str, float]:
    """XLA's cost analysis of the jitted program: flops, bytes accessed,
    transcendentals."""
    cost = jax.jit(fn).lower(*args).compile().cost_analysis()
    cost = cost[0] if isinstance(cost, list) else cost
    return {key: float(cost.get(key, 0.0))
            for key in ("flops", "bytes accessed", "transcendentals")}


def costs(programs: tuple[str, ...], size: int
          ) -> dict[str, dict[str, float]]:
    """Per element of each program's input at `size`: the op-by-op kernels
    and the bytes they move, and XLA's counts for the jitted program (run it
    with JAX_PLATFORMS=cpu: the counts of XLA:CPU's program)."""
    from workloads.arrays.problems import bytes_per_element, inputs

    found = {}
    for program in programs:
        host = inputs(program, size)
        kernels, moved = eager_traffic(PROGRAMS[program], *host)
        per = {k: v / host[0].size
               for k, v in compiled_cost(PROGRAMS[program], *host).items()}
        found[program] = {"kernels": kernels,
                          "eager_bytes": moved / host[0].size, **per,
                          "must_move": bytes_per_element(program)}
    return found
