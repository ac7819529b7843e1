"""The model, data and training step of Folax's
`examples/performance_study/flax_performance_study.py`, with batches
gathered on device.

Roles shared with `mlp`: `make`, `train_step`, `batches`,
`numpy_batches`, `torch_model`, `torch_step`.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

if TYPE_CHECKING:
    import torch

SAMPLES, BATCH, LEARNING_RATE = 32, 4, 1e-3
STEPS_PER_EPOCH = SAMPLES // BATCH


class Model(nnx.Module):
    """Linear, BatchNorm, Dropout(0.2), ReLU, Linear: 2 -> hidden -> 3."""

    def __init__(self, hidden: int = 64, *, rngs: nnx.Rngs) -> None:
        self.linear = nnx.Linear(2, hidden, rngs=rngs)
        self.bn = nnx.BatchNorm(hidden, rngs=rngs)
        self.dropout = nnx.Dropout(0.2, rngs=rngs)
        self.linear_out = nnx.Linear(hidden, 3, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        h = self.dropout(self.bn(self.linear(x)))
        return self.linear_out(nnx.relu(h))


def make(
    hidden: int = 64, *, graph: bool, seed: int = 0
) -> tuple[Model, nnx.Optimizer, nnx.MultiMetric]:
    """Model (same weights and dropout stream for the same seed), Adam
    optimizer and loss metric."""
    model = Model(hidden, rngs=nnx.Rngs(seed))
    tx = optax.adam(LEARNING_RATE)
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param, graph=graph)
    metrics = nnx.MultiMetric(loss=nnx.metrics.Average("loss"))
    return model, optimizer, metrics


def train_step(
    model: Model,
    optimizer: nnx.Optimizer,
    metrics: nnx.MultiMetric,
    x: jax.Array,
    y: jax.Array,
    ids: jax.Array,
) -> jax.Array:
    """One Adam step on the batch `x[ids], y[ids]`, gathered on device;
    also updates the loss metric."""
    x_batch, y_batch = x[ids], y[ids]

    def loss_fn(model: Model) -> jax.Array:
        return jnp.mean((model(x_batch) - y_batch) ** 2)

    loss, grads = nnx.value_and_grad(loss_fn)(model)
    optimizer.update(model, grads)
    metrics.update(loss=loss)
    return loss


def data() -> tuple[jax.Array, jax.Array]:
    """The study's 32 samples: x uniform in [0, 1)^2 from key 0, targets
    zero."""
    x = jax.random.uniform(jax.random.key(0), (SAMPLES, 2))
    return x, jnp.zeros((SAMPLES, 3))


def epoch_orders(epochs: int, seed: int = 0) -> jax.Array:
    """A fresh permutation of the samples per epoch, as batch indices of
    shape (epochs * 8, 4)."""
    keys = jax.random.split(jax.random.key(seed), epochs)
    orders = jax.vmap(lambda k: jax.random.permutation(k, SAMPLES))(keys)
    return orders.reshape(-1, BATCH).astype(jnp.int32)


def batches(
    steps: int, seed: int = 0
) -> list[tuple[jax.Array, jax.Array, jax.Array]]:
    """`steps` steps' arguments (whole epochs): the same data staged on
    the device for every step, and each step's batch indices."""
    x, y = data()
    epochs = -(-steps // STEPS_PER_EPOCH)
    return [(x, y, ids) for ids in epoch_orders(epochs, seed)[:steps]]


def numpy_batches(
    steps: int, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The same batches as NumPy arrays (x and y shared by every step).

    Build them in the notebook's process and pass them to an isolated
    side, so a PyTorch side never runs a JAX operation (which would start
    XLA's thread pool in its process)."""
    made = batches(steps, seed)
    # float32 whatever jax_enable_x64 says: both sides train in float32
    x, y = (np.array(a, np.float32) for a in made[0][:2])
    return [(x, y, np.array(ids)) for _, _, ids in made]


def eager_batch_step(step: Callable[..., jax.Array]) -> Callable[..., Any]:
    """A step that gathers on device, fed as the study did: the batch
    indexed eagerly, in Python, before each call."""
    in_order = jnp.arange(BATCH)
    return lambda x, y, ids: step(x[ids], y[ids], in_order)


def torch_model(hidden: int = 64, seed: int = 0) -> "torch.nn.Module":
    """The same architecture in PyTorch (its own initialisation and
    dropout stream)."""
    import torch

    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(2, hidden),
        torch.nn.BatchNorm1d(hidden, momentum=0.01),
        torch.nn.Dropout(0.2),
        torch.nn.ReLU(),
        torch.nn.Linear(hidden, 3),
    )


def torch_adam(model: "torch.nn.Module") -> "torch.optim.Optimizer":
    """PyTorch's fastest Adam here: fused (one kernel for every
    parameter), else foreach."""
    import torch

    params, lr = list(model.parameters()), LEARNING_RATE
    try:
        return torch.optim.Adam(params, lr=lr, fused=True)
    except (RuntimeError, TypeError):  # no fused kernel for this device
        return torch.optim.Adam(params, lr=lr, foreach=True)


def torch_step(
    model: "torch.nn.Module", *, compiled: bool = False
) -> Callable[..., "torch.Tensor"]:
    """A PyTorch Adam step that gathers its batch by index, like
    `train_step`.

    `compiled=True` runs the forward pass and the loss through
    `torch.compile` (inductor), which also compiles their backward pass;
    the optimizer step stays outside the compiled graph. Like the
    `MultiMetric`, each step adds its loss to a running sum and count on
    the device (`step.metric()` reads their mean). `step.optimizer_kind`
    says which Adam ran; `step.eager` is what `torch.compile` was given.
    """
    import torch

    optimizer = torch_adam(model)
    device = next(model.parameters()).device
    total = torch.zeros((), device=device)
    count = torch.zeros((), device=device)

    def loss_fn(x: "torch.Tensor", y: "torch.Tensor",
                ids: "torch.Tensor") -> "torch.Tensor":
        return torch.mean((model(x[ids]) - y[ids]) ** 2)

    loss_of = torch.compile(loss_fn) if compiled else loss_fn

    def step(x: "torch.Tensor", y: "torch.Tensor",
             ids: "torch.Tensor") -> "torch.Tensor":
        optimizer.zero_grad(set_to_none=True)
        loss = loss_of(x, y, ids)
        loss.backward()
        optimizer.step()
        loss = loss.detach()
        total.add_(loss)
        count.add_(1)
        return loss

    fused = optimizer.defaults.get("fused")
    step.optimizer_kind = "fused" if fused else "foreach"  # type: ignore
    step.eager = loss_fn  # type: ignore[attr-defined]
    step.metric = lambda: float(total / count)  # type: ignore
    return step
