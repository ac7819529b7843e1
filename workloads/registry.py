"""The one registry of NNX step variants: the pages measure these entries
and the tests check every one of them.

A model module (`workloads.mlp`, `workloads.folax_model`) offers the same
roles: `make(*size, graph=...)` returns the nodes a step trains,
`train_step(*nodes, *batch)` is the step, `batches(steps)` the data.
`VARIANTS[name].build(model, *size)` turns them into a step.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from types import ModuleType
from typing import Any

import jax.numpy as jnp
import numpy as np

from workloads import nnx_variants as nv

Batches = Sequence[tuple[Any, ...]]


@dataclass(frozen=True)
class Variant:
    """One way to drive the step: how to build it and how pages name it."""

    number: int  # its place in the pages' tables
    name: str  # records, legends and prose
    label: str  # a short column header
    per_call: str  # what Python does around each call
    builder: Callable[..., Any]
    graph: bool  # the Flax graph mode its nodes must be built in
    scanned: bool = False  # many steps in one call

    def build(
        self, model: ModuleType, *size: int, seed: int = 0, **options: Any
    ) -> tuple[tuple[Any, ...], Any]:
        """Fresh nodes of `model` (the same for the same seed), and the
        step that trains them."""
        nodes = model.make(*size, graph=self.graph, seed=seed)
        return nodes, self.builder(model.train_step, *nodes, **options)

    def runner(self, step: Any, batches: Batches) -> Callable[[], Any]:
        """A call that trains on every batch: a Python loop of one call
        per step, or one scanned call."""
        if self.scanned:
            return partial(step, *stacked(batches))
        return partial(nv.run_steps, step, batches)

    def train(self, step: Any, batches: Batches) -> np.ndarray:
        """Every step's loss; the trained state is back in the nodes."""
        if self.scanned:
            losses = np.asarray(step(*stacked(batches)))
        else:
            losses = np.array([step(*batch) for batch in batches])
        if hasattr(step, "write_back"):
            step.write_back()
        return losses


def stacked(batches: Batches) -> tuple[Any, ...]:
    """The batches as one scanned call's arguments: the shared ones once,
    the last argument of every step stacked."""
    shared = batches[0][:-1]
    if any(a is not b for batch in batches for a, b in zip(batch, shared)):
        raise ValueError(
            "a scanned call takes every argument but the last once: stage "
            "the data on the device and pass the same arrays to every "
            "step, with per-step indices as the last argument"
        )
    return (*shared, jnp.stack([batch[-1] for batch in batches]))


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant(1, "nnx.jit", "nnx.jit",
                "traverse the object graph, split it into graph "
                "definition and state, call, write the state back",
                nv.nnx_jit, graph=True),
        Variant(2, "nnx.cached_partial", "cached",
                "graph-mode `nnx.jit` with the traversal cached; call; "
                "write back",
                nv.nnx_cached_partial, graph=True),
        Variant(3, "jax.jit split/merge", "split/merge",
                "`nnx.split` once before the loop; a pure `jax.jit` step "
                "takes and returns the `State`; `nnx.update` once after",
                nv.SplitMergeJit, graph=True),
        Variant(4, "nnx.jit(graph=False)", "tree",
                "flatten the nodes as ordinary pytrees; call; write back",
                nv.nnx_jit_tree, graph=False),
        Variant(5, "nnx.jit_partial", "jit_partial",
                "the nodes were flattened once, when the step was built; "
                "call; write back",
                nv.nnx_jit_partial, graph=False),
        Variant(6, "jax.jit flat leaves", "flat leaves",
                "call with the plain list of state arrays, donated; "
                "`nnx.update` once after",
                nv.FlatLeavesJit, graph=True),
        Variant(7, "nnx.scan", "scan",
                "nothing: one call runs many steps in a compiled loop",
                nv.ScanSteps, graph=False, scanned=True),
    )
}

PYTHON_LOOPS = tuple(n for n, v in VARIANTS.items() if not v.scanned)
"""The variants that call one jitted function per step."""

FLAX_WAYS = ("nnx.jit", "nnx.cached_partial", "jax.jit split/merge",
             "nnx.jit(graph=False)", "nnx.jit_partial")
"""The ways Flax's API and performance guide offer."""

FUNCTIONAL = "jax.jit split/merge"
"""The functional loop of Flax's guide, the reference of its comparison."""


def table(names: Sequence[str], numbered: bool = False) -> str:
    """A Markdown table of the named variants and what each does."""
    columns = ["#"] * numbered + ["variant", "per call, from Python"]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for name in names:
        v = VARIANTS[name]
        cells = [str(v.number)] * numbered + [f"`{name}`", v.per_call]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def color(name: str) -> str:
    """The variant's colour on every page's figures."""
    return f"C{VARIANTS[name].number - 1}"
