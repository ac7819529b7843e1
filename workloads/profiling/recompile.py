"""Three classic causes of recompilation, each called twice, counted with
JAX's own logs (`jax_log_compiles`, `jax_explain_cache_misses`)."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from perfguide.compilation import compile_log
from workloads.habits.logs import compilations, compile_messages, misses


def scale(x: jax.Array, factor: Any) -> jax.Array:
    """x * factor, summed: the function every cause calls."""
    return jnp.sum(x * factor)


@partial(jax.jit, static_argnames="power")
def powered(x: jax.Array, power: int) -> jax.Array:
    """sum(x ** power), with `power` a static argument."""
    return jnp.sum(x**power)


def causes() -> dict[str, tuple[Callable[..., Any], tuple, tuple]]:
    """cause -> (jitted function, first call's args, second call's args)."""
    x3 = jnp.ones(3, jnp.float32)
    x4 = jnp.ones(4, jnp.float32)
    return {
        "a new shape": (jax.jit(scale), (x3, 2.0), (x4, 2.0)),
        "a changed static argument": (powered, (x3, 2), (x3, 3)),
        "a weak-typed Python scalar, then a float32 array": (
            jax.jit(scale), (x3, 2.0), (x3, np.float32(2.0))),
    }


@dataclass(frozen=True)
class Recompiled:
    """What JAX logged for the second call of one cause."""

    compilations: int  # XLA compilations in the second call
    compile_s: float  # trace + lower + compile seconds of the second call
    logged: list[str]  # 'Compiling ...' lines
    explanation: str  # the first cache-miss explanation, '' if none


def second_call(fn: Callable[..., Any], first: tuple,
                second: tuple) -> Recompiled:
    """Call `fn(*first)`, then count what `fn(*second)` compiles."""
    jax.block_until_ready(fn(*first))
    with compile_messages() as text, compile_log() as log:
        jax.block_until_ready(fn(*second))
    found = misses(text.getvalue())
    return Recompiled(log.compilations, log.total_s,
                      compilations(text.getvalue()),
                      found[0] if found else "")
