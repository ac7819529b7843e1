"""The Flax side's training loops: the registry's variants
(`workloads.registry`) driving the classifier's step, one epoch per run,
fed from data staged on the device or from the host.

An epoch is `steps_per_epoch` steps; a per-step loop dispatches them from
Python without waiting in between, `nnx.scan` runs them in one call.
"""

from collections.abc import Callable
from typing import Any

import jax
import numpy as np
from flax import nnx

from workloads.classifier import data, models
from workloads.registry import VARIANTS, Variant

Nodes = tuple[Any, ...]


def build(name: str, kind: str, seed: int = data.SEED) -> tuple[Nodes, Any]:
    """Fresh nodes of model `kind` and the registry variant `name`'s
    step, which gathers each batch from data staged on the device."""
    # the registry hands its "size" arguments to `models.make`: the kind
    return VARIANTS[name].build(models, kind, seed=seed)  # type: ignore


def staged_batches(
    x: jax.Array, y: jax.Array, order: np.ndarray
) -> list[tuple[jax.Array, jax.Array, jax.Array]]:
    """One epoch's step arguments: the staged arrays, shared, and each
    step's batch indices, put on the device before the epoch."""
    ids = jax.device_put(order)
    return [(x, y, ids[i]) for i in range(len(order))]


_correct = nnx.jit(models.correct, graph=True)


def accuracy(model: nnx.Module, x: jax.Array, y: jax.Array) -> float:
    """Fraction of the images `model` labels right."""
    return int(_correct(model, x, y)) / len(y)


def train_epoch(variant: Variant, step: Any, batches: list) -> np.ndarray:
    """One epoch through the variant (state written back into the
    nodes); its per-step losses."""
    return variant.train(step, batches)


def host_step(name: str, kind: str, seed: int = data.SEED) -> Any:
    """The variant's step on batches gathered by the host and passed in
    (`models.train_step_on_batch`); a per-step variant only."""
    variant = VARIANTS[name]
    if variant.scanned:
        raise ValueError(f"{name} scans a staged epoch; feed it indices")
    nodes = models.make(kind, graph=variant.graph, seed=seed)
    return variant.builder(models.train_step_on_batch, *nodes)


def run_host_epoch(
    step: Callable[..., jax.Array], x: np.ndarray, y: np.ndarray,
    order: np.ndarray,
) -> Any:
    """One epoch fed by the host loader: NumPy batches gathered per step,
    passed to the jitted step, which copies them to the device."""
    loss = None
    for batch in data.host_batches(x, y, order):
        loss = step(*batch)
    return loss


def run_prefetched_epoch(
    step: Callable[..., jax.Array], x: np.ndarray, y: np.ndarray,
    order: np.ndarray,
) -> Any:
    """The same epoch with each batch put on the device one step ahead."""
    loss = None
    for batch in data.prefetched(data.host_batches(x, y, order)):
        loss = step(*batch)
    return loss


def noncanonical_convolutions(hlo_text: str) -> tuple[int, int]:
    """(convolutions not in XLA's canonical NHWC/HWIO order
    `b01f_01io->b01f`, all convolutions) in an optimised HLO text."""
    labels = [line.split("dim_labels=")[1].split(",")[0]
              for line in hlo_text.splitlines()
              if " convolution(" in line and "dim_labels=" in line]
    return sum(label != "b01f_01io->b01f" for label in labels), len(labels)


def program_texts(name: str, kind: str, x: jax.Array, y: jax.Array,
                  order: np.ndarray) -> tuple[str, str]:
    """The HLO of one step (per-step variants) or of one scanned epoch
    (`nnx.scan`): as JAX hands it to XLA, and as XLA compiled it for this
    device."""
    variant = VARIANTS[name]
    _, step = build(name, kind)
    ids = jax.device_put(order)
    if variant.scanned:
        lowered = step.run.lower((x, y), ids)
    elif hasattr(step, "pure_step"):
        state = step.leaves if hasattr(step, "leaves") else step.state
        lowered = step.pure_step.lower(state, x, y, ids[0])
    else:
        raise ValueError(f"{name}: no functional step to lower")
    return lowered.as_text(dialect="hlo"), lowered.compile().as_text()
