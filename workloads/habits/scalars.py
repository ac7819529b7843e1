"""Python scalars: static when they change every call, and weakly typed constants."""

import re
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp

HLO_OP = re.compile(r"= (?P<type>\w+)\[(?P<shape>[\d,]*)\]\S* (?P<op>multiply|convert)\(")


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


def product_plan(fn: Any, *args: Any) -> dict[str, Any]:
    """What the compiled `fn(*args)` does, read from its optimised HLO: the element type of its
    multiply, the operands it converts (type and shape, '' for a scalar) and the bytes it writes."""
    compiled = fn.lower(*args).compile()
    ops = [m.groupdict() for m in HLO_OP.finditer(compiled.as_text())]
    return {"multiply": next(o["type"] for o in ops if o["op"] == "multiply"),
            "converts": [(o["type"], o["shape"]) for o in ops if o["op"] == "convert"],
            "output_bytes": compiled.memory_analysis().output_size_in_bytes}


def scalars() -> dict[str, Any]:
    """The same 2.0 four ways: a Python float (weak), `jnp.float32` (strong), `jnp.asarray`
    (weak) and `jnp.float16` (strong, in the array's dtype)."""
    return {"Python float 2.0": 2.0, "jnp.float32(2.0)": jnp.float32(2.0),
            "jnp.asarray(2.0)": jnp.asarray(2.0), "jnp.float16(2.0)": jnp.float16(2.0)}


def rounded(value: float, dtype: Any = jnp.float16) -> float:
    """`value` as the kept way stores it: rounded to the array's dtype."""
    return float(jnp.asarray(value, dtype))
