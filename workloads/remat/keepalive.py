"""What a scanned training loop keeps alive, read from its compiled
program before it runs: the parameters and optimizer state it carries,
the data, and what it stacks step by step."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import jax
import optax

from workloads.habits.training import init, loss_fn

STEPS, BATCH, DIN, WIDTH = 200, 256, 64, 1024
OPTIMIZERS: dict[str, optax.GradientTransformation] = {
    "SGD": optax.sgd(0.05), "Adam": optax.adam(1e-3)}
KEEP: dict[str, Callable[[Any, jax.Array], Any]] = {
    "the loss": lambda params, loss: loss,
    "the parameters": lambda params, loss: params}
CASES = [("SGD", "the loss"), ("Adam", "the loss"),
         ("Adam", "the parameters")]


def train(params: Any, opt_state: Any, xs: jax.Array, ys: jax.Array,
          optimizer: optax.GradientTransformation,
          keep: Callable[[Any, jax.Array], Any]) -> Any:
    """One optimizer step per batch in a `scan`; `keep` picks what each
    step stacks into the output."""
    def body(carry: Any, batch: Any) -> Any:
        params, state = carry
        loss, grads = jax.value_and_grad(loss_fn)(params, *batch)
        updates, state = optimizer.update(grads, state, params)
        params = optax.apply_updates(params, updates)
        return (params, state), keep(params, loss)

    return jax.lax.scan(body, (params, opt_state), (xs, ys))


def mib(tree: Any) -> float:
    """MiB of every array (or shape) in a pytree."""
    leaves = jax.tree.leaves(tree)
    return sum(x.size * x.dtype.itemsize for x in leaves) / 2**20


@dataclass(frozen=True)
class KeptAlive:
    """XLA's plan of one loop beside what the shapes predict, in MiB."""

    arguments: float
    outputs: float
    aliased: float  # outputs written into donated arguments
    temporaries: float
    params: float  # predicted from the shapes: the parameters
    opt_state: float  # the optimizer's state
    data: float  # the batches of every step
    stacked: float  # what the steps stack: steps x one step's output


def plan(optimizer: str, keep: str, steps: int = STEPS) -> KeptAlive:
    """Compile the loop for shapes alone (nothing is allocated) and read
    XLA's memory analysis; the carried state is donated."""
    params = jax.eval_shape(partial(init, din=DIN, width=WIDTH))
    opt = OPTIMIZERS[optimizer]
    state = jax.eval_shape(opt.init, params)
    xs = jax.ShapeDtypeStruct((steps, BATCH, DIN), "float32")
    ys = jax.ShapeDtypeStruct((steps, BATCH, 1), "float32")
    fn = jax.jit(partial(train, optimizer=opt, keep=KEEP[keep]),
                 donate_argnums=(0, 1))
    stats = fn.lower(params, state, xs, ys).compile().memory_analysis()
    assert stats is not None, "this backend gives no memory analysis"
    _, kept = jax.eval_shape(fn, params, state, xs, ys)
    return KeptAlive(
        stats.argument_size_in_bytes / 2**20,
        stats.output_size_in_bytes / 2**20,
        stats.alias_size_in_bytes / 2**20,
        stats.temp_size_in_bytes / 2**20,
        mib(params), mib(state), mib((xs, ys)), mib(kept))
