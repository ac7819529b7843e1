"""The nnx-overhead chapter's MLP step, driven two ways: one graph-mode
`nnx.jit` call per step, and many steps in one `nnx.scan` call."""

from typing import Any

import jax
import jax.numpy as jnp

from workloads import mlp
from workloads import nnx_variants as nv


def pair_step(model: mlp.MLP, optimizer: Any,
              batch: tuple[jax.Array, jax.Array]) -> jax.Array:
    """`mlp.train_step` with its batch as one (x, y) pair, which a scan
    slices step by step."""
    return mlp.train_step(model, optimizer, *batch)


def stack(steps: int) -> tuple[jax.Array, jax.Array]:
    """The first `steps` batches of `mlp.batches`, stacked for a scan."""
    batches = mlp.batches(steps)
    return (jnp.stack([x for x, _ in batches]),
            jnp.stack([y for _, y in batches]))


def scanned(nodes: tuple[Any, ...], steps: int
            ) -> tuple[nv.ScanSteps, tuple[jax.Array, jax.Array]]:
    """A scanned run of `steps` steps over `nodes`, and its stacked data."""
    return nv.ScanSteps(pair_step, *nodes), stack(steps)
