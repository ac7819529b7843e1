"""Ways to draw random numbers in a loop: explicit keys, `nnx.Rngs`, a key provider."""

from collections.abc import Callable
from functools import partial

import jax
import numpy as np
from flax import nnx


@partial(jax.jit, static_argnums=1)
def draw_explicit(key: jax.Array, n: int) -> tuple[jax.Array, jax.Array]:
    """Split the carried key inside `jit`; the new key and `n` samples."""
    key, sub = jax.random.split(key)
    return key, jax.random.normal(sub, (n,))


def rngs_normal(rngs: nnx.Rngs, n: int) -> jax.Array:
    """`n` normal samples from an `nnx.Rngs` stream (its counter moves on)."""
    return rngs.normal((n,))


draw_rngs_tree = nnx.jit(rngs_normal, static_argnums=1, graph=False)
draw_rngs_graph = nnx.jit(rngs_normal, static_argnums=1, graph=True,
                          graph_updates=True)


class KeyProvider:
    """A key held in a Python object, split eagerly (outside `jit`) on every
    `next()`."""

    def __init__(self, seed: int) -> None:
        self.key = jax.random.key(seed)

    def next(self) -> jax.Array:
        """A fresh key; the held key moves on."""
        self.key, sub = jax.random.split(self.key)
        return sub


@partial(jax.jit, static_argnums=1)
def draw(key: jax.Array, n: int) -> jax.Array:
    """`n` normal samples from a key that the caller split."""
    return jax.random.normal(key, (n,))


def explicit_stream(seed: int, n: int) -> Callable[[], jax.Array]:
    """A callable drawing `n` samples per call, carrying its key from call to call."""
    state = {"key": jax.random.key(seed)}

    def call() -> jax.Array:
        state["key"], x = draw_explicit(state["key"], n)
        return x
    return call


def rngs_tree_stream(seed: int, n: int) -> Callable[[], jax.Array]:
    """A callable drawing `n` samples per call from `nnx.Rngs(seed)`, tree mode."""
    rngs = nnx.Rngs(seed)
    return lambda: draw_rngs_tree(rngs, n)


def rngs_graph_stream(seed: int, n: int) -> Callable[[], jax.Array]:
    """A callable drawing `n` samples per call from `nnx.Rngs(seed)`, graph mode."""
    rngs = nnx.Rngs(seed)
    return lambda: draw_rngs_graph(rngs, n)


def provider_stream(seed: int, n: int) -> Callable[[], jax.Array]:
    """A callable drawing `n` samples per call with a key from a `KeyProvider`."""
    provider = KeyProvider(seed)
    return lambda: draw(provider.next(), n)


PROVIDER = "key provider (modernised: jax.random.key keys)"
STREAMS = {"explicit keys": explicit_stream,
           "nnx.Rngs, tree mode": rngs_tree_stream,
           "nnx.Rngs, graph mode": rngs_graph_stream,
           PROVIDER: provider_stream}


def baked_in(seed: int, n: int) -> Callable[[], jax.Array]:
    """The pitfall: a key closed over by a jitted function is a constant of the program."""
    key = jax.random.key(seed)
    return jax.jit(lambda: jax.random.normal(key, (n,)))


def provider_inside_jit(seed: int, n: int) -> tuple[Callable[[], jax.Array], KeyProvider]:
    """The provider's pitfall: `next()` called inside `jit` splits at trace time, so the key is
    baked into the program and the provider is left holding a tracer."""
    provider = KeyProvider(seed)
    return jax.jit(lambda: jax.random.normal(provider.next(), (n,))), provider


def leaked(provider: KeyProvider) -> str | None:
    """The error a provider raises when used again after `provider_inside_jit`, or None."""
    try:
        provider.next()
    except jax.errors.UnexpectedTracerError as error:
        return type(error).__name__
    return None


def draws(make: Callable[[int, int], Callable[[], jax.Array]], seed: int, n: int,
          calls: int = 3) -> np.ndarray:
    """`calls` successive draws of a fresh stream from `seed`, stacked."""
    stream = make(seed, n)
    return np.stack([np.asarray(stream()) for _ in range(calls)])


def annotation_error(annotation: str = "jax.random.PRNGKeyArray") -> str | None:
    """Define a function whose return annotation is `annotation`, as a module would without
    `from __future__ import annotations`; the error, or None if it is defined."""
    try:
        exec(f"def get() -> {annotation}: ...", {"jax": jax})
    except AttributeError as error:
        return str(error)
    return None
