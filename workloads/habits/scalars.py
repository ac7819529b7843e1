"""Python scalars: static when they change every call, and weakly typed constants."""

import re
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp


@partial(jax.jit, static_argnums=1)
def scale_static(x: jax.Array, s: float) -> jax.Array:
    """x * s with `s` static: a new value of `s` is a new program."""
    return x * s


@jax.jit
def scale_traced(x: jax.Array, s: float | jax.Array) -> jax.Array:
    """x * s with `s` traced: one program for every value of `s`."""
    return x * s


def program_text(fn: Any, *args: Any) -> str:
    """The optimised HLO of `fn(*args)`, its module name and metadata left out."""
    lines = fn.lower(*args).compile().as_text().splitlines()
    start = next(i for i, line in enumerate(lines)
                 if line.startswith(("%", "ENTRY")))
    return re.sub(r", metadata=\{[^}]*\}", "", "\n".join(lines[start:]))


def scalars() -> dict[str, Any]:
    """The same 2.0 three ways: a Python float (weak), `jnp.float32` (strong), `jnp.asarray`."""
    return {"Python float 2.0": 2.0, "jnp.float32(2.0)": jnp.float32(2.0),
            "jnp.asarray(2.0)": jnp.asarray(2.0)}
