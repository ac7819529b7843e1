"""Configuration three ways: a frozen dataclass as a static argument, closed over, or traced."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import jax
import jax.numpy as jnp


@dataclass(frozen=True)
class Config:
    """Hyperparameters: frozen, so hashable and compared by value."""

    lr: float = 0.1
    steps: int = 3


def descend(x: jax.Array, config: "Config | TracedConfig") -> jax.Array:
    """`config.steps` gradient steps on sum(cos(x)), shaped by `config`."""
    for _ in range(config.steps):  # a Python loop: `steps` must be static
        x = x + config.lr * jnp.sin(x)
    return x


descend_static = jax.jit(descend, static_argnames="config")


def descend_closed(config: Config) -> Callable[[jax.Array], jax.Array]:
    """A new `jit` of a closure over `config`: each new closure traces anew."""
    return jax.jit(lambda x: descend(x, config))


@partial(jax.tree_util.register_dataclass, data_fields=["lr"],
         meta_fields=["steps"])
@dataclass(frozen=True)
class TracedConfig:
    """The numbers as traced leaves (`lr`), the structure as static metadata (`steps`)."""

    lr: jax.Array | float = 0.1
    steps: int = field(default=3)


@jax.jit
def descend_traced(x: jax.Array, config: TracedConfig) -> jax.Array:
    """`descend` with `lr` traced: one program for every learning rate."""
    return descend(x, config)


@dataclass
class MutableConfig:
    """The same fields, not frozen: a dataclass with `__eq__` and no `__hash__`."""

    lr: float = 0.1
    steps: int = 3
