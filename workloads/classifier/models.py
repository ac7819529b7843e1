"""The same small CNN and MLP in Flax NNX and in PyTorch, the same Adam,
and the Flax initial weights copied exactly into the PyTorch twin.

Flax is NHWC, PyTorch NCHW: the convolution kernels are transposed, and
the dense layer after the CNN's flatten has its rows permuted, so that
both twins compute the same function (checked in the tests). Roles of
the registry (`workloads.registry`): `make(kind, graph=..., seed=...)`
returns the nodes a step trains and `train_step(*nodes, x, y, ids)` is
the step, gathering its batch from data staged on the device.
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

KINDS = ("cnn", "mlp")
LEARNING_RATE, B1, B2, EPS = 1e-3, 0.9, 0.999, 1e-8  # optax's and torch's
CLASSES, WIDTH = 10, 128  # digits; the MLP's hidden units


class CNN(nnx.Module):
    """conv 3x3 (16), ReLU, conv 3x3 (32), ReLU, 2x2 average pool,
    dense 10; NHWC images (n, 8, 8, 1)."""

    def __init__(self, *, rngs: nnx.Rngs) -> None:
        self.conv1 = nnx.Conv(1, 16, (3, 3), padding="SAME", rngs=rngs)
        self.conv2 = nnx.Conv(16, 32, (3, 3), padding="SAME", rngs=rngs)
        self.out = nnx.Linear(4 * 4 * 32, CLASSES, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        x = nnx.relu(self.conv2(nnx.relu(self.conv1(x))))
        x = nnx.avg_pool(x, (2, 2), strides=(2, 2))
        return self.out(x.reshape(x.shape[0], -1))


class MLP(nnx.Module):
    """64 -> 128 -> 128 -> 10 with ReLU, on the flattened image."""

    def __init__(self, *, rngs: nnx.Rngs) -> None:
        self.hidden1 = nnx.Linear(64, WIDTH, rngs=rngs)
        self.hidden2 = nnx.Linear(WIDTH, WIDTH, rngs=rngs)
        self.out = nnx.Linear(WIDTH, CLASSES, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        x = x.reshape(x.shape[0], -1)
        return self.out(nnx.relu(self.hidden2(nnx.relu(self.hidden1(x)))))


def adam() -> optax.GradientTransformation:
    """Adam with the hyper-parameters of `torch_adam`, written out."""
    return optax.adam(LEARNING_RATE, b1=B1, b2=B2, eps=EPS)


def make(
    kind: str, *, graph: bool, seed: int = 0
) -> tuple[nnx.Module, nnx.Optimizer]:
    """A fresh model (same weights for the same seed) and its Adam
    optimizer, in the given Flax mode."""
    model = {"cnn": CNN, "mlp": MLP}[kind](rngs=nnx.Rngs(seed))
    return model, nnx.Optimizer(model, adam(), wrt=nnx.Param, graph=graph)


def loss_on(model: nnx.Module, x: jax.Array, y: jax.Array) -> jax.Array:
    """Mean softmax cross-entropy of the logits against integer labels."""
    logits = model(x)
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


def train_step(
    model: nnx.Module,
    optimizer: nnx.Optimizer,
    x: jax.Array,
    y: jax.Array,
    ids: jax.Array,
) -> jax.Array:
    """One Adam step on `x[ids], y[ids]`, gathered inside the step from
    the data staged on the device; returns the loss before it."""
    loss, grads = nnx.value_and_grad(loss_on)(model, x[ids], y[ids])
    optimizer.update(model, grads)
    return loss


def train_step_on_batch(
    model: nnx.Module,
    optimizer: nnx.Optimizer,
    x_batch: jax.Array,
    y_batch: jax.Array,
) -> jax.Array:
    """The same step on a batch the host gathered and passed in."""
    loss, grads = nnx.value_and_grad(loss_on)(model, x_batch, y_batch)
    optimizer.update(model, grads)
    return loss


def correct(model: nnx.Module, x: jax.Array, y: jax.Array) -> jax.Array:
    """How many images the model labels right."""
    return jnp.sum(jnp.argmax(model(x), axis=-1) == y)


def torch_weights(model: nnx.Module) -> dict[str, np.ndarray]:
    """The NNX model's parameters as a PyTorch state dict of NumPy arrays:
    kernels transposed to PyTorch's layout, the CNN's dense rows permuted
    from NHWC to NCHW flatten order."""

    def dense(layer: nnx.Linear, nhwc: tuple[int, ...] | None = None
              ) -> np.ndarray:
        kernel = np.asarray(layer.kernel[...])  # (in, out)
        if nhwc is not None:  # rows in (h, w, c) order -> (c, h, w)
            kernel = kernel.reshape(*nhwc, -1).transpose(2, 0, 1, 3)
        return kernel.reshape(-1, kernel.shape[-1]).T

    def conv(layer: nnx.Conv) -> np.ndarray:
        return np.asarray(layer.kernel[...]).transpose(3, 2, 0, 1)

    layers: list[tuple[str, Any, np.ndarray]]
    if isinstance(model, CNN):
        layers = [("0", model.conv1, conv(model.conv1)),
                  ("2", model.conv2, conv(model.conv2)),
                  ("6", model.out, dense(model.out, (4, 4, 32)))]
    elif isinstance(model, MLP):
        layers = [(str(i), layer, dense(layer)) for i, layer in zip(
            (1, 3, 5), (model.hidden1, model.hidden2, model.out))]
    else:
        raise TypeError(f"no PyTorch twin for {type(model).__name__}")
    weights = {}
    for name, layer, weight in layers:
        weights[f"{name}.weight"] = np.ascontiguousarray(weight)
        weights[f"{name}.bias"] = np.asarray(layer.bias[...]).copy()
    return weights


def torch_model(kind: str) -> "torch.nn.Module":
    """The same architecture in PyTorch (NCHW), PyTorch's own initial
    weights until `torch_weights` are loaded into it."""
    import torch
    from torch import nn

    if kind == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
            nn.AvgPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 32, CLASSES))
    return nn.Sequential(
        nn.Flatten(), nn.Linear(64, WIDTH), nn.ReLU(),
        nn.Linear(WIDTH, WIDTH), nn.ReLU(), nn.Linear(WIDTH, CLASSES))


def torch_twin(kind: str, weights: dict[str, np.ndarray]
               ) -> "torch.nn.Module":
    """`torch_model(kind)` holding the given (NNX) weights."""
    import torch

    model = torch_model(kind)
    model.load_state_dict({k: torch.from_numpy(np.array(v))
                           for k, v in weights.items()})
    return model


def torch_adam(model: "torch.nn.Module") -> "torch.optim.Optimizer":
    """Adam with `adam()`'s hyper-parameters: PyTorch's fused kernel
    (one kernel for every parameter), else the foreach one."""
    import torch

    def adam_with(**kernel: bool) -> "torch.optim.Optimizer":
        return torch.optim.Adam(model.parameters(), lr=LEARNING_RATE,
                                betas=(B1, B2), eps=EPS, **kernel)

    try:
        return adam_with(fused=True)
    except (RuntimeError, TypeError):  # no fused kernel for this device
        return adam_with(foreach=True)


def torch_step(
    model: "torch.nn.Module", *, compiled: bool = False,
    staged: bool = True,
) -> Callable[..., "torch.Tensor"]:
    """A PyTorch Adam step: `step(x, y, ids)` gathers its batch from
    staged tensors (`staged`), `step(x_batch, y_batch)` takes a batch.

    `compiled=True` runs the forward pass and the loss through
    `torch.compile` (inductor), which compiles their backward pass too;
    the fused Adam step stays outside the compiled graph.
    `step.optimizer_kind` says which Adam ran.
    """
    import torch
    from torch.nn.functional import cross_entropy

    optimizer = torch_adam(model)

    def batch_loss(x: "torch.Tensor", y: "torch.Tensor") -> "torch.Tensor":
        return cross_entropy(model(x), y)

    def staged_loss(x: "torch.Tensor", y: "torch.Tensor",
                    ids: "torch.Tensor") -> "torch.Tensor":
        return cross_entropy(model(x[ids]), y[ids])

    loss_fn = staged_loss if staged else batch_loss
    loss_of = torch.compile(loss_fn, dynamic=False) if compiled else loss_fn

    def step(*batch: "torch.Tensor") -> "torch.Tensor":
        optimizer.zero_grad(set_to_none=True)
        loss = loss_of(*batch)
        loss.backward()
        optimizer.step()
        return loss.detach()

    fused = optimizer.defaults.get("fused")
    step.optimizer_kind = "fused" if fused else "foreach"  # type: ignore
    return step


def torch_correct(model: "torch.nn.Module", x: "torch.Tensor",
                  y: "torch.Tensor") -> int:
    """How many images the PyTorch model labels right."""
    import torch

    with torch.inference_mode():
        return int((model(x).argmax(dim=-1) == y).sum())
