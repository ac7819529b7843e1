"""The gradient of a final-state loss through the advection loop, three
ways: keep what every step needs, checkpoint the step, or keep every k-th
state (nested scans)."""

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp

from workloads.advection.problem import step_jax

Run = Callable[[jax.Array, jax.Array, int], jax.Array]


def plain(d: jax.Array, v: jax.Array, steps: int) -> jax.Array:
    """`steps` steps in one `scan`: the way back keeps what each needs."""
    d, _ = jax.lax.scan(lambda d, _: (step_jax(d, v), None), d,
                        length=steps)
    return d


def checkpointed(d: jax.Array, v: jax.Array, steps: int) -> jax.Array:
    """The same `scan`, the step under `jax.checkpoint`: it keeps the
    step's input and recomputes the rest on the way back."""
    step = jax.checkpoint(lambda d, _: (step_jax(d, v), None))
    d, _ = jax.lax.scan(step, d, length=steps)
    return d


def segment_length(steps: int) -> int:
    """k: the largest divisor of `steps` not above sqrt(steps)."""
    return max(k for k in range(1, math.isqrt(steps) + 1) if steps % k == 0)


def nested(d: jax.Array, v: jax.Array, steps: int) -> jax.Array:
    """An outer `scan` over n/k segments of k steps, each checkpointed:
    n/k states kept going forward, k steps recomputed at a time back."""
    k = segment_length(steps)

    @partial(jax.checkpoint, prevent_cse=False)  # in a scan: no CSE risk
    def segment(d: jax.Array, _: None) -> tuple[jax.Array, None]:
        return plain(d, v, k), None

    d, _ = jax.lax.scan(segment, d, length=steps // k)
    return d


SCHEMES: dict[str, Run] = {"plain scan": plain,
                           "checkpointed step": checkpointed,
                           "nested, every k steps": nested}


def loss(run: Run, d0: jax.Array, v: jax.Array, steps: int) -> jax.Array:
    """Half the squared norm of the field after `steps` steps."""
    return 0.5 * jnp.sum(run(d0, v, steps) ** 2)


def gradient(run: Run, steps: int,
             argnums: tuple[int, ...] = (0, 1)) -> Any:
    """The jitted gradient of `loss`: by default w.r.t. both the initial
    field and the velocity."""
    return jax.jit(jax.grad(partial(loss, run, steps=steps),
                            argnums=argnums))


def predicted_fields(scheme: str, steps: int) -> float:
    """Fields each scheme keeps for the way back: n, n, or n/k + k."""
    if scheme == "nested, every k steps":
        k = segment_length(steps)
        return steps // k + k
    return float(steps)
