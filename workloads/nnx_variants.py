"""The ways to drive a Flax NNX training step from Python, each as a `step(*batch) -> loss` callable.

Every builder takes `train_step(*nodes, *batch) -> loss`, written once in ordinary NNX style, and
the graph nodes it trains in place (model, optimizer, metrics...). Flax's modes are always set
explicitly, and every variant donates the nodes' state, as Flax's own benchmark does, so that XLA
updates the parameters in place instead of allocating new buffers each step.
"""

import math
import time
from collections.abc import Callable, Iterable
from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

from perfguide.profiles import pick
from perfguide.timing import Timing, block, gc_paused

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
    """`nnx.cached_partial` over a graph-mode `nnx.jit`: traversal cached."""
    jitted = nnx.jit(
        train_step, graph=True, graph_updates=True,
        donate_argnums=_donate(nodes),
    )
    return nnx.cached_partial(jitted, *nodes)


class SplitMergeJit:
    """`nnx.split` once, a `jax.jit` step that merges, trains and splits, `nnx.update` at the end."""

    def __init__(self, train_step: TrainStep, *nodes: Any, donate: bool = True) -> None:
        self.nodes = nodes
        self.graphdef, self.state = nnx.split(nodes)

        def pure_step(state: nnx.State, *batch: Any) -> tuple[nnx.State, jax.Array]:
            nodes = nnx.merge(self.graphdef, state)
            loss = train_step(*nodes, *batch)
            return nnx.state(nodes), loss

        self.pure_step = jax.jit(pure_step, donate_argnums=0 if donate else None)

    def __call__(self, *batch: Any) -> jax.Array:
        """Run one step on the split state."""
        self.state, loss = self.pure_step(self.state, *batch)
        return loss

    def write_back(self) -> None:
        """Put the trained state back into the graph nodes (`nnx.update`)."""
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
        """Put the trained arrays back into the graph nodes (`nnx.update`)."""
        state = jax.tree.unflatten(self.treedef, self.leaves)
        nnx.update(self.nodes, state)


class ScanSteps:
    """Many steps per call: `nnx.scan` over the per-step argument.

    Bound like `nnx.jit_partial`. Call it as `outputs = run(*shared,
    per_step)`: `shared` (the pre-staged data) is passed to every step, and
    `per_step` (e.g. the batch indices, shape `(steps, ...)`) is scanned
    over its first axis. Each step contributes `collect(nodes, loss)` to the
    stacked outputs: by default its loss; return None to stack nothing and
    read reductions (such as an `nnx.MultiMetric`) afterwards.
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

        self.run = nnx.jit_partial(
            run, nodes, graph=False, donate_argnums=0
        )

    def __call__(self, *args: Any) -> Any:
        """One step per row of the last argument; the stacked outputs."""
        *shared, per_step = args
        return self.run(tuple(shared), per_step)

    def lowered(self, *args: Any) -> Any:
        """The lowered (not yet compiled) program for these arguments."""
        *shared, per_step = args
        return self.run.lower(tuple(shared), per_step)

    def memory(self, *args: Any) -> Any:
        """XLA's memory analysis of the compiled program."""
        return self.lowered(*args).compile().memory_analysis()


PYTHON_LOOPS: dict[str, tuple[Callable[..., Step], bool]] = {
    "nnx.jit": (nnx_jit, True),
    "nnx.cached_partial": (nnx_cached_partial, True),
    "jax.jit split/merge": (SplitMergeJit, True),
    "nnx.jit(graph=False)": (nnx_jit_tree, False),
    "nnx.jit_partial": (nnx_jit_partial, False),
    "jax.jit flat leaves": (FlatLeavesJit, True),
}
"""Every one-call-per-step loop, with the Flax graph mode its optimizer must be built in."""


def _floor(leaves: list[jax.Array], *batch: Any) -> tuple[list[jax.Array], jax.Array]:
    """Return the state's arrays untouched and a scalar in the loss's place: no work at all."""
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


def run_steps(step: Step, batches: Iterable[tuple[Any, ...]]) -> jax.Array:
    """Run `step` over pre-staged batches without blocking in between; return the last loss."""
    loss = None
    for batch in batches:
        loss = step(*batch)
    return loss


def time_interleaved(
    runs: dict[str, tuple[Callable[..., Any], tuple[Any, ...]]],
    repeats: int = 7,
    target_s: float | None = None,
    warmup: int = 2,
) -> dict[str, Timing]:
    """Throughput timings of several runs, their repeats interleaved.

    `runs` maps a name to `(fn, args)`. Each is called once (first call,
    compilation) and `warmup` times; the calls per repeat are calibrated on
    one blocked call, so each repeat lasts about `target_s / repeats`. Then
    repeat r times every run once, in an order rotated by one per repeat:
    a slow spell of the machine hits every run alike instead of one run's
    whole sample. Each repeat issues its calls back to back and waits on the
    last output inside the clock (throughput mode, as `time_call`); the
    garbage collector is off in the timed region.
    """
    target_s = pick(quick=0.2, full=1.0) if target_s is None else target_s
    names = list(runs)
    first, calls = {}, {}
    for name in names:
        fn, args = runs[name]
        with gc_paused():
            start = time.perf_counter()
            block(fn(*args))
            first[name] = time.perf_counter() - start
        for _ in range(warmup):
            block(fn(*args))
        with gc_paused():
            start = time.perf_counter()
            block(fn(*args))
            one = max(time.perf_counter() - start, 1e-9)
        calls[name] = max(1, math.floor(target_s / repeats / one))
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names):] + names[: r % len(names)]:
            fn, args = runs[name]
            with gc_paused():
                start = time.perf_counter()
                for _ in range(calls[name]):
                    out = fn(*args)
                block(out)
                elapsed = time.perf_counter() - start
            samples[name].append(elapsed / calls[name])
    return {
        name: Timing(
            first[name], tuple(samples[name]), calls[name], "throughput"
        )
        for name in names
    }
