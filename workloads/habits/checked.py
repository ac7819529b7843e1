"""Shape and dtype annotations checked at run time by jaxtyping with beartype, and counted."""

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


def affine(x: Float[Array, "n d"], w: Float[Array, "d k"],
           b: Float[Array, " k"]) -> Float[Array, "n k"]:
    """x @ w + b, annotated with shapes and dtypes."""
    return jnp.tanh(x @ w + b)


class CountingChecker:
    """beartype, counting how many times a checked function is entered."""

    def __init__(self) -> None:
        self.checks = 0

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        checked = beartype(fn)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.checks += 1
            return checked(*args, **kwargs)
        return counted


def checked(fn: Callable[..., Any], counter: CountingChecker | None = None) -> Callable[..., Any]:
    """`fn` with its annotations checked on every Python call (by `counter` if given)."""
    return jaxtyped(fn, typechecker=counter or beartype)


affine_jit = jax.jit(affine)


def call_affine(x: Float[Array, "n d"], w: Float[Array, "d k"],
                b: Float[Array, " k"]) -> Float[Array, "n k"]:
    """Python code around the jitted call, annotated: what a checker would
    check on each call."""
    return affine_jit(x, w, b)
