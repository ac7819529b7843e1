"""Typed wrappers for `jax.jit` and `jax.grad` that keep a function's
signature for a type checker."""

from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

import jax

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


def typed_jit(fn: Callable[P, R], **options: Any) -> Callable[P, R]:
    """`jax.jit(fn, **options)`, typed as `fn` (checkers lose `.lower`)."""
    return jax.jit(fn, **options)


def typed_grad(
    fn: Callable[Concatenate[T, P], Any],
) -> Callable[Concatenate[T, P], T]:
    """`jax.grad(fn)`: the same arguments; a gradient typed as the first."""
    return jax.grad(fn)
