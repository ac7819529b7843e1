"""The ways to drive one Flax NNX training step from Python, each as a `step(*batch) -> loss` callable.

Every builder takes `train_step(model, optimizer, *batch) -> loss`, written once in ordinary NNX
style, and the model and optimizer it trains in place. Flax's modes are always set explicitly, and
every variant donates the model and optimizer state, as Flax's own benchmark does, so that XLA
updates the parameters in place instead of allocating new buffers each step.
"""

from collections.abc import Callable, Iterable
from typing import Any

import jax
from flax import nnx

TrainStep = Callable[..., jax.Array]
Step = Callable[..., jax.Array]
DONATE = (0, 1)  # the model and the optimizer


def nnx_jit(train_step: TrainStep, model: nnx.Module, optimizer: nnx.Optimizer) -> Step:
    """`nnx.jit` in graph mode: the object graph is traversed on every call."""
    jitted = nnx.jit(train_step, graph=True, graph_updates=True, donate_argnums=DONATE)
    return lambda *batch: jitted(model, optimizer, *batch)


def nnx_jit_tree(train_step: TrainStep, model: nnx.Module, optimizer: nnx.Optimizer) -> Step:
    """`nnx.jit(graph=False)`: Modules are flattened as ordinary pytrees on every call."""
    jitted = nnx.jit(train_step, graph=False, donate_argnums=DONATE)
    return lambda *batch: jitted(model, optimizer, *batch)


def nnx_jit_partial(train_step: TrainStep, model: nnx.Module, optimizer: nnx.Optimizer) -> Step:
    """`nnx.jit_partial(..., graph=False)`: model and optimizer flattened once, at construction."""
    # The bound arguments reach jax.jit as one list, argument 0; argument 1 would be the batch.
    return nnx.jit_partial(train_step, model, optimizer, graph=False, donate_argnums=0)


def nnx_cached_partial(train_step: TrainStep, model: nnx.Module, optimizer: nnx.Optimizer) -> Step:
    """`nnx.cached_partial` over a graph-mode `nnx.jit`: the graph traversal is cached."""
    jitted = nnx.jit(train_step, graph=True, graph_updates=True, donate_argnums=DONATE)
    return nnx.cached_partial(jitted, model, optimizer)


class SplitMergeJit:
    """`nnx.split` once, a `jax.jit` step that merges, trains and splits, `nnx.update` at the end."""

    def __init__(
        self, train_step: TrainStep, model: nnx.Module, optimizer: nnx.Optimizer, *, donate: bool = True
    ) -> None:
        self.nodes = (model, optimizer)
        self.graphdef, self.state = nnx.split(self.nodes)

        def pure_step(state: nnx.State, *batch: Any) -> tuple[nnx.State, jax.Array]:
            model, optimizer = nnx.merge(self.graphdef, state)
            loss = train_step(model, optimizer, *batch)
            return nnx.state((model, optimizer)), loss

        self.pure_step = jax.jit(pure_step, donate_argnums=0 if donate else None)

    def __call__(self, *batch: Any) -> jax.Array:
        """Run one step on the split state."""
        self.state, loss = self.pure_step(self.state, *batch)
        return loss

    def write_back(self) -> None:
        """Put the trained state back into the Module objects."""
        nnx.update(self.nodes, self.state)


def run_steps(step: Step, batches: Iterable[tuple[Any, ...]]) -> jax.Array:
    """Run `step` over pre-staged batches without blocking in between; return the last loss."""
    loss = None
    for batch in batches:
        loss = step(*batch)
    return loss
