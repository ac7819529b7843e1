"""The model, data and training step of Folax's `flax_performance_study.py`, with batches gathered on device."""

from collections.abc import Callable
from typing import TYPE_CHECKING

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

if TYPE_CHECKING:
    import torch

SAMPLES, BATCH, LEARNING_RATE = 32, 4, 1e-3


class Model(nnx.Module):
    """Linear, BatchNorm, Dropout(0.2), ReLU, Linear: 2 inputs, `hidden` units, 3 outputs."""

    def __init__(self, hidden: int = 64, *, rngs: nnx.Rngs) -> None:
        self.linear = nnx.Linear(2, hidden, rngs=rngs)
        self.bn = nnx.BatchNorm(hidden, rngs=rngs)
        self.dropout = nnx.Dropout(0.2, rngs=rngs)
        self.linear_out = nnx.Linear(hidden, 3, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.linear_out(nnx.relu(self.dropout(self.bn(self.linear(x)))))


def make(hidden: int = 64, *, graph: bool, seed: int = 0) -> tuple[Model, nnx.Optimizer, nnx.MultiMetric]:
    """Model (same weights and dropout stream for the same seed), Adam optimizer and loss metric."""
    model = Model(hidden, rngs=nnx.Rngs(seed))
    optimizer = nnx.Optimizer(model, optax.adam(LEARNING_RATE), wrt=nnx.Param, graph=graph)
    metrics = nnx.MultiMetric(loss=nnx.metrics.Average("loss"))
    return model, optimizer, metrics


def data() -> tuple[jax.Array, jax.Array]:
    """The study's 32 samples: x uniform in [0, 1)^2 from key 0, targets zero."""
    x = jax.random.uniform(jax.random.key(0), (SAMPLES, 2))
    return x, jnp.zeros((SAMPLES, 3))


def epoch_orders(epochs: int, seed: int = 0) -> jax.Array:
    """A fresh permutation of the samples per epoch, as batch indices of shape (epochs * 8, 4)."""
    keys = jax.random.split(jax.random.key(seed), epochs)
    orders = jax.vmap(lambda key: jax.random.permutation(key, SAMPLES))(keys)
    return orders.reshape(-1, BATCH).astype(jnp.int32)


def train_step(
    model: Model, optimizer: nnx.Optimizer, metrics: nnx.MultiMetric, x: jax.Array, y: jax.Array, ids: jax.Array
) -> jax.Array:
    """One Adam step on the batch `x[ids], y[ids]`, gathered on device; updates the loss metric."""
    x_batch, y_batch = x[ids], y[ids]

    def loss_fn(model: Model) -> jax.Array:
        return jnp.mean((model(x_batch) - y_batch) ** 2)

    loss, grads = nnx.value_and_grad(loss_fn)(model)
    optimizer.update(model, grads)
    metrics.update(loss=loss)
    return loss


def eager_batch_step(step: Callable[..., jax.Array]) -> Callable[..., jax.Array]:
    """Wrap a step that gathers on device into one that indexes the batch eagerly, as the study did."""
    in_order = jnp.arange(BATCH)
    return lambda x, y, ids: step(x[ids], y[ids], in_order)


def torch_model(hidden: int = 64, seed: int = 0) -> "torch.nn.Module":
    """The same architecture in PyTorch (its own initialisation and dropout stream)."""
    import torch

    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(2, hidden),
        torch.nn.BatchNorm1d(hidden, momentum=0.01),
        torch.nn.Dropout(0.2),
        torch.nn.ReLU(),
        torch.nn.Linear(hidden, 3),
    )


def torch_step(model: "torch.nn.Module") -> Callable[..., "torch.Tensor"]:
    """A PyTorch eager Adam step that gathers its batch by index, like `train_step`."""
    import torch

    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)

    def step(x: "torch.Tensor", y: "torch.Tensor", ids: "torch.Tensor") -> "torch.Tensor":
        optimizer.zero_grad(set_to_none=True)
        loss = torch.mean((model(x[ids]) - y[ids]) ** 2)
        loss.backward()
        optimizer.step()
        return loss.detach()

    return step
