"""Deliberate misuse: which calls does mypy flag? (checked by mypy, never run)"""

import jax
import jax.numpy as jnp
from flax import nnx

from workloads.habits.typed import typed_grad, typed_jit


def loss(x: jax.Array, scale: float) -> jax.Array:
    return jnp.sum(jnp.sin(x) * scale)


x = jnp.ones(3)
jax.jit(loss)(x, "2")  # jax.jit
jax.grad(loss)(x, "2")  # jax.grad
nnx.jit(loss, graph=False)(x, "2")  # nnx.jit
typed_jit(loss)(x, "2")  # typed_jit
typed_grad(loss)(x, "2")  # typed_grad
typed_jit(loss).lower(x, 2.0)  # typed_jit, .lower
