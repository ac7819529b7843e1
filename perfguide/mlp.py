"""The MLP of Flax's `benchmarks/nnx_simple_training.py` in NNX and, with the same weights, in PyTorch."""

from collections.abc import Callable
from typing import TYPE_CHECKING

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

if TYPE_CHECKING:
    import torch

LEARNING_RATE = 1e-3


class Block(nnx.Module):
    """Linear, then BatchNorm (batch statistics while training), then ReLU."""

    def __init__(self, din: int, dout: int, *, rngs: nnx.Rngs) -> None:
        self.linear = nnx.Linear(din, dout, rngs=rngs)
        self.bn = nnx.BatchNorm(dout, use_running_average=False, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        return nnx.relu(self.bn(self.linear(x)))


class MLP(nnx.Module):
    """`depth - 1` Blocks of `width` units and a Linear output layer, from 1 input to 1 output."""

    def __init__(self, width: int, depth: int, *, rngs: nnx.Rngs) -> None:
        sizes = [1] + [width] * (depth - 1)
        self.blocks = nnx.List([Block(a, b, rngs=rngs) for a, b in zip(sizes[:-1], sizes[1:])])
        self.out = nnx.Linear(width, 1, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        for block in self.blocks:
            x = block(x)
        return self.out(x)


def model_and_optimizer(width: int, depth: int, *, graph: bool, seed: int = 0) -> tuple[MLP, nnx.Optimizer]:
    """A fresh MLP (same weights for the same seed) and its SGD optimizer in the given Flax mode."""
    model = MLP(width, depth, rngs=nnx.Rngs(seed))
    return model, nnx.Optimizer(model, optax.sgd(LEARNING_RATE), wrt=nnx.Param, graph=graph)


def train_step(model: MLP, optimizer: nnx.Optimizer, x: jax.Array, y: jax.Array) -> jax.Array:
    """One SGD step on the mean squared error; returns the loss before the update."""

    def loss_fn(model: MLP) -> jax.Array:
        return jnp.mean((model(x) - y) ** 2)

    loss, grads = nnx.value_and_grad(loss_fn)(model)
    optimizer.update(model, grads)
    return loss


def batches(steps: int, batch_size: int = 32, seed: int = 0) -> list[tuple[jax.Array, jax.Array]]:
    """The benchmark's data (y = 0.8 x^2 + 0.1 + noise), sampled into device-resident batches."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 1, 100, dtype=np.float32)[:, None]
    y = (0.8 * x**2 + 0.1 + rng.normal(0, 0.1, size=x.shape)).astype(np.float32)
    index = rng.integers(0, len(x), size=(steps, batch_size))
    return [(jax.device_put(x[i]), jax.device_put(y[i])) for i in index]


def state_arrays(model: nnx.Module, optimizer: nnx.Optimizer) -> list[jax.Array]:
    """Every array a training step reads and writes: parameters, batch statistics, optimizer state."""
    return jax.tree.leaves(nnx.state((model, optimizer)))


def torch_twin(model: MLP) -> "torch.nn.Module":
    """The same MLP in PyTorch, with the NNX model's current weights copied in."""
    import torch

    layers: list[torch.nn.Module] = []
    for block in model.blocks:
        linear = _torch_linear(block.linear)
        bn = torch.nn.BatchNorm1d(linear.out_features, eps=block.bn.epsilon, momentum=1 - block.bn.momentum)
        with torch.no_grad():
            bn.weight.copy_(torch.from_numpy(np.array(block.bn.scale[...])))
            bn.bias.copy_(torch.from_numpy(np.array(block.bn.bias[...])))
        layers += [linear, bn, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers, _torch_linear(model.out))


def _torch_linear(linear: nnx.Linear) -> "torch.nn.Linear":
    """A torch Linear holding an NNX Linear's kernel (transposed) and bias."""
    import torch

    din, dout = linear.kernel.shape
    out = torch.nn.Linear(din, dout)
    with torch.no_grad():
        out.weight.copy_(torch.from_numpy(np.array(linear.kernel[...]).T))
        out.bias.copy_(torch.from_numpy(np.array(linear.bias[...])))
    return out


def torch_step(model: "torch.nn.Module") -> Callable[["torch.Tensor", "torch.Tensor"], "torch.Tensor"]:
    """A PyTorch eager SGD step for `model`, the baseline a reader would otherwise write."""
    import torch

    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)

    def step(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        optimizer.zero_grad(set_to_none=True)
        loss = torch.mean((model(x) - y) ** 2)
        loss.backward()
        optimizer.step()
        return loss.detach()

    return step


def torch_batches(batches: list[tuple[jax.Array, jax.Array]]) -> list[tuple["torch.Tensor", "torch.Tensor"]]:
    """The same batches as PyTorch tensors (copied, so that torch owns writable memory)."""
    import torch

    return [(torch.from_numpy(np.array(x)), torch.from_numpy(np.array(y))) for x, y in batches]
