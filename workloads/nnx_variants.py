"""The ways to drive a Flax NNX training step from Python.

Every builder takes `train_step(*nodes, *batch) -> loss`, written once in
ordinary NNX style, and the graph nodes it trains in place (model,
optimizer, metrics...), and returns a step: `step(*batch) -> loss`, or for
`ScanSteps` a call that runs many steps. Flax's modes are always set
explicitly, and every variant donates the nodes' state, as Flax's own
benchmark does, so that XLA updates the parameters in place instead of
allocating new buffers each step. `workloads.registry` names them all.
"""

from collections.abc import Callable, Iterable
from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

TrainStep = Callable[..., jax.Array]
Step = Callable[..., jax.Array]


def _donate(nodes: tuple[Any, ...]) -> tuple[int, ...]:
    """Argument positions of the nodes."""
    return tuple(range(len(nodes)))


def nnx_jit(train_step: TrainStep, *nodes: Any) -> Step:
    """`nnx.jit` in graph mode: the object graph is traversed every call."""
    jitted = nnx.jit(
        train_step, graph=True, graph_updates=True,
        donate_argnums=_donate(nodes),
    )
    return lambda *batch: jitted(*nodes, *batch)


def nnx_jit_tree(train_step: TrainStep, *nodes: Any) -> Step:
    """`nnx.jit(graph=False)`: Modules flattened as pytrees every call."""
    jitted = nnx.jit(train_step, graph=False, donate_argnums=_donate(nodes))
    return lambda *batch: jitted(*nodes, *batch)


def nnx_jit_partial(train_step: TrainStep, *nodes: Any) -> Step:
    """`nnx.jit_partial(..., graph=False)`: nodes flattened once, at
    construction."""
    # The bound arguments reach jax.jit as one list, argument 0;
    # argument 1 would be the batch.
    return nnx.jit_partial(
        train_step, *nodes, graph=False, donate_argnums=0
    )


def nnx_cached_partial(train_step: TrainStep, *nodes: Any) -> Step:
    """`nnx.cached_partial` over a graph-mode `nnx.jit`: traversal
    cached."""
    jitted = nnx.jit(
        train_step, graph=True, graph_updates=True,
        donate_argnums=_donate(nodes),
    )
    return nnx.cached_partial(jitted, *nodes)


class SplitMergeJit:
    """`nnx.split` once; a `jax.jit` step that merges, trains and splits;
    `nnx.update` at the end (`write_back`)."""

    def __init__(self, train_step: TrainStep, *nodes: Any) -> None:
        self.nodes = nodes
        self.graphdef, self.state = nnx.split(nodes)

        def pure_step(state: nnx.State, *batch: Any) -> tuple[
            nnx.State, jax.Array
        ]:
            nodes = nnx.merge(self.graphdef, state)
            loss = train_step(*nodes, *batch)
            return nnx.state(nodes), loss

        self.pure_step = jax.jit(pure_step, donate_argnums=0)

    def __call__(self, *batch: Any) -> jax.Array:
        """Run one step on the split state."""
        self.state, loss = self.pure_step(self.state, *batch)
        return loss

    def write_back(self) -> None:
        """Put the trained state back into the graph nodes."""
        nnx.update(self.nodes, self.state)


class FlatLeavesJit:
    """`jax.jit` over the flat list of state arrays, donated.

    Per call, Python passes a plain list of arrays: no graph traversal, no
    nested `State` to flatten. (Whether that is fastest is for a
    measurement to say.)
    """

    def __init__(self, train_step: TrainStep, *nodes: Any) -> None:
        self.nodes = nodes
        graphdef, state = nnx.split(nodes)
        self.leaves, self.treedef = jax.tree.flatten(state)

        def pure_step(leaves: list[jax.Array], *batch: Any) -> tuple[
            list[jax.Array], jax.Array
        ]:
            state = jax.tree.unflatten(self.treedef, leaves)
            nodes = nnx.merge(graphdef, state)
            loss = train_step(*nodes, *batch)
            return jax.tree.leaves(nnx.state(nodes)), loss

        self.pure_step = jax.jit(pure_step, donate_argnums=0)

    def __call__(self, *batch: Any) -> jax.Array:
        """Run one step on the list of arrays."""
        self.leaves, loss = self.pure_step(self.leaves, *batch)
        return loss

    def write_back(self) -> None:
        """Put the trained arrays back into the graph nodes."""
        state = jax.tree.unflatten(self.treedef, self.leaves)
        nnx.update(self.nodes, state)


class ScanSteps:
    """Many steps per call: `nnx.scan` over the per-step argument.

    Call it as `outputs = run(*shared, per_step)`: `shared` (e.g. the data
    staged on the device) goes to every step; `per_step` (e.g. batch
    indices, shape `(steps, ...)`) is scanned over its first axis. Each
    step adds `collect(nodes, loss)` to the stacked outputs: its loss by
    default; return None to stack nothing and read a reduction (such as
    an `nnx.MultiMetric`) afterwards.
    """

    def __init__(
        self,
        train_step: TrainStep,
        *nodes: Any,
        unroll: int = 1,
        collect: Callable[..., Any] = lambda nodes, loss: loss,
    ) -> None:
        def run(nodes: tuple, shared: tuple, per_step: Any) -> Any:
            @nnx.scan(
                in_axes=(nnx.Carry, 0),
                out_axes=(nnx.Carry, 0),
                unroll=unroll,
                graph=False,
            )
            def body(nodes: tuple, step_input: Any) -> tuple[tuple, Any]:
                loss = train_step(*nodes, *shared, step_input)
                return nodes, collect(nodes, loss)

            _, outputs = body(nodes, per_step)
            return outputs

        # bound like nnx.jit_partial: the nodes are argument 0, donated
        self.run = nnx.jit_partial(
            run, nodes, graph=False, donate_argnums=0
        )

    def __call__(self, *args: Any) -> Any:
        """One step per row of the last argument; the stacked outputs."""
        *shared, per_step = args
        return self.run(tuple(shared), per_step)

    def memory(self, *args: Any) -> Any:
        """XLA's memory analysis of the program compiled for `args`."""
        *shared, per_step = args
        lowered = self.run.lower(tuple(shared), per_step)
        return lowered.compile().memory_analysis()


def _floor(
    leaves: list[jax.Array], *batch: Any
) -> tuple[list[jax.Array], jax.Array]:
    """The state's arrays untouched, a scalar in the loss's place."""
    return leaves, jnp.zeros((), jnp.float32)


class FloorStep:
    """The floor of any step, built like `FlatLeavesJit`: chained, donated.

    Each call passes the state's arrays and the batch to one jitted
    function and gets the arrays back unchanged (donated, so XLA aliases
    them instead of copying) with a scalar for the loss. No Python loop
    that calls one jitted function per step can do less.
    """

    def __init__(self, *nodes: Any) -> None:
        leaves = jax.tree.leaves(nnx.state(nodes))
        self.leaves = [jnp.array(leaf, copy=True) for leaf in leaves]
        self.jitted = jax.jit(_floor, donate_argnums=0, keep_unused=True)

    def __call__(self, *batch: Any) -> jax.Array:
        """One floor step: state in, the same state out."""
        self.leaves, loss = self.jitted(self.leaves, *batch)
        return loss


def run_steps(step: Step, batches: Iterable[tuple[Any, ...]]) -> Any:
    """Run `step` over pre-staged batches without blocking in between;
    return the last loss."""
    loss = None
    for batch in batches:
        loss = step(*batch)
    return loss
