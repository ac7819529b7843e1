"""What mypy infers for a transformed function (checked, never run)."""

from typing import reveal_type

import jax
import jax.numpy as jnp
from flax import nnx

from workloads.habits.typed import typed_grad, typed_jit


def loss(x: jax.Array, scale: float) -> jax.Array:
    return jnp.sum(jnp.sin(x) * scale)


reveal_type(jax.jit(loss))  # jax.jit
reveal_type(jax.jit(loss)(jnp.ones(3), 2.0))  # jax.jit, called
reveal_type(jax.grad(loss))  # jax.grad
reveal_type(nnx.jit(loss, graph=False))  # nnx.jit
reveal_type(nnx.jit(loss, graph=False)(jnp.ones(3), 2.0))  # nnx.jit, called
reveal_type(nnx.jit(loss, graph=True))  # nnx.jit, graph=True
reveal_type(typed_jit(loss))  # typed_jit
reveal_type(typed_grad(loss))  # typed_grad
