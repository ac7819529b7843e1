"""Looking inside a compiled loop: a `lax.scan` whose step reports to
Python with `jax.debug.print`, `jax.debug.callback` or `io_callback`,
next to the same scan that reports nothing."""

import io
from collections.abc import Callable
from contextlib import redirect_stdout
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.experimental import io_callback

SEEN = {"calls": 0, "last": float("nan")}  # what `note` received


def decay(x: jax.Array) -> jax.Array:
    """One step of the loop: a damped update of a small vector."""
    return 0.99 * x + 0.01 * jnp.tanh(x)


def note(value: Any) -> None:
    """A host-side callback that keeps what it is given."""
    SEEN["calls"] += 1
    SEEN["last"] = float(value)


def host_zero(value: Any) -> np.ndarray:
    """A host-side callback with a result: always 0, in float32."""
    return np.zeros((), np.float32)


def step_plain(x: jax.Array, _: Any) -> tuple[jax.Array, None]:
    return decay(x), None


def step_print(x: jax.Array, _: Any) -> tuple[jax.Array, None]:
    jax.debug.print("mean {m}", m=x.mean())
    return decay(x), None


def step_callback(x: jax.Array, _: Any) -> tuple[jax.Array, None]:
    jax.debug.callback(note, x.mean())
    return decay(x), None


def step_io(x: jax.Array, _: Any) -> tuple[jax.Array, None]:
    zero = io_callback(host_zero, jax.ShapeDtypeStruct((), jnp.float32),
                       x.mean(), ordered=True)
    return decay(x) + zero, None


STEPS = {"plain scan": step_plain, "jax.debug.print": step_print,
         "jax.debug.callback": step_callback, "io_callback": step_io}


def loop(step: Callable[..., Any], length: int) -> Callable[..., Any]:
    """A jitted `lax.scan` of `length` steps of `step`."""
    return jax.jit(lambda x: jax.lax.scan(step, x, length=length)[0])


def quiet(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` with what it prints to stdout kept in memory, not shown; the
    output waited on before printing stops."""
    def call(*args: Any) -> Any:
        with redirect_stdout(io.StringIO()):
            return jax.block_until_ready(fn(*args))
    return call
