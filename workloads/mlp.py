"""The MLP of Flax's `benchmarks/nnx_simple_training.py` in NNX and, with
the same weights, in PyTorch.

Roles shared with `folax_model`: `make`, `train_step`, `batches`,
`numpy_batches`, `torch_model`, `torch_step`.
"""

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
BN_EPSILON, BN_MOMENTUM = 1e-5, 0.99  # nnx.BatchNorm's defaults


class Block(nnx.Module):
    """Linear, then BatchNorm (batch statistics while training), then
    ReLU."""

    def __init__(self, din: int, dout: int, *, rngs: nnx.Rngs) -> None:
        self.linear = nnx.Linear(din, dout, rngs=rngs)
        self.bn = nnx.BatchNorm(dout, use_running_average=False, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        return nnx.relu(self.bn(self.linear(x)))


class MLP(nnx.Module):
    """`depth - 1` Blocks of `width` units, then a Linear output layer."""

    def __init__(self, width: int, depth: int, *, rngs: nnx.Rngs) -> None:
        sizes = [1] + [width] * (depth - 1)
        pairs = zip(sizes[:-1], sizes[1:])
        self.blocks = nnx.List([Block(a, b, rngs=rngs) for a, b in pairs])
        self.out = nnx.Linear(width, 1, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        for block in self.blocks:
            x = block(x)
        return self.out(x)


def make(
    width: int, depth: int, *, graph: bool, seed: int = 0
) -> tuple[MLP, nnx.Optimizer]:
    """A fresh MLP (same weights for the same seed) and its SGD optimizer
    in the given Flax mode."""
    model = MLP(width, depth, rngs=nnx.Rngs(seed))
    tx = optax.sgd(LEARNING_RATE)
    return model, nnx.Optimizer(model, tx, wrt=nnx.Param, graph=graph)


def train_step(
    model: MLP, optimizer: nnx.Optimizer, x: jax.Array, y: jax.Array
) -> jax.Array:
    """One SGD step on the mean squared error; returns the loss before
    it."""

    def loss_fn(model: MLP) -> jax.Array:
        return jnp.mean((model(x) - y) ** 2)

    loss, grads = nnx.value_and_grad(loss_fn)(model)
    optimizer.update(model, grads)
    return loss


def numpy_batches(
    steps: int, batch_size: int = 32, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The benchmark's data (y = 0.8 x^2 + 0.1 + noise), sampled into
    NumPy batches."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 1, 100, dtype=np.float32)[:, None]
    noise = rng.normal(0, 0.1, size=x.shape)
    y = (0.8 * x**2 + 0.1 + noise).astype(np.float32)
    index = rng.integers(0, len(x), size=(steps, batch_size))
    return [(x[i], y[i]) for i in index]


def batches(
    steps: int, batch_size: int = 32, seed: int = 0
) -> list[tuple[jax.Array, jax.Array]]:
    """The same batches as `numpy_batches`, on JAX's device."""
    return [tuple(jax.device_put(a) for a in batch)
            for batch in numpy_batches(steps, batch_size, seed)]


def state_arrays(model: MLP, optimizer: nnx.Optimizer) -> list[jax.Array]:
    """Every array a step reads and writes: parameters, batch statistics,
    optimizer state."""
    return jax.tree.leaves(nnx.state((model, optimizer)))


def count_leaves(tree: object) -> int:
    """The arrays in a pytree, counted: a flatten with an int out."""
    return len(jax.tree.leaves(tree))


def torch_model(width: int, depth: int) -> "torch.nn.Module":
    """The MLP's architecture in PyTorch, with PyTorch's own initial
    weights (no JAX involved)."""
    import torch

    sizes = [1] + [width] * (depth - 1)
    layers: list[torch.nn.Module] = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        bn = torch.nn.BatchNorm1d(b, eps=BN_EPSILON, momentum=1 - BN_MOMENTUM)
        layers += [torch.nn.Linear(a, b), bn, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers, torch.nn.Linear(width, 1))


def torch_twin(model: MLP) -> "torch.nn.Module":
    """`torch_model` holding the NNX model's current weights."""
    import torch

    width, depth = model.out.kernel.shape[0], len(model.blocks) + 1
    twin = torch_model(width, depth)
    linears = [block.linear for block in model.blocks] + [model.out]
    norms = [block.bn for block in model.blocks]
    assert all((bn.epsilon, bn.momentum) == (BN_EPSILON, BN_MOMENTUM)
               for bn in norms), "torch_model's BatchNorm would differ"
    pairs = [(t.weight, np.array(n.kernel[...]).T) for t, n in
             zip(twin[0::3], linears)]
    pairs += [(t.bias, np.array(n.bias[...])) for t, n in
              zip(twin[0::3], linears)]
    pairs += [(t.weight, np.array(n.scale[...])) for t, n in
              zip(twin[1::3], norms)]
    pairs += [(t.bias, np.array(n.bias[...])) for t, n in
              zip(twin[1::3], norms)]
    with torch.no_grad():
        for tensor, array in pairs:
            tensor.copy_(torch.from_numpy(np.ascontiguousarray(array)))
    return twin


def torch_sgd(
    model: "torch.nn.Module", fused: bool = True
) -> "torch.optim.Optimizer":
    """PyTorch's fastest ordinary SGD: the fused kernel, else the
    multi-tensor (foreach) one.

    Under `torch.compile` use fused=False: the fused kernel is opaque to
    the compiler (a graph break), the foreach one is traced and fused.
    """
    import torch

    params, lr = model.parameters(), LEARNING_RATE
    if fused:
        try:
            return torch.optim.SGD(params, lr=lr, fused=True)
        except (RuntimeError, ValueError):  # no fused SGD on this device
            params = model.parameters()
    return torch.optim.SGD(params, lr=lr, foreach=True)


def torch_step(
    model: "torch.nn.Module", *, compiled: bool = False
) -> Callable[..., "torch.Tensor"]:
    """A PyTorch SGD step for `model`: eager (fused SGD), or the whole step
    under `torch.compile` (foreach SGD).

    `step.optimizer_kind` says which SGD ran ('fused' or 'foreach');
    `step.eager` is the function `torch.compile` was given."""
    import torch

    optimizer = torch_sgd(model, fused=not compiled)

    def step(x: "torch.Tensor", y: "torch.Tensor") -> "torch.Tensor":
        optimizer.zero_grad(set_to_none=True)
        loss = torch.mean((model(x) - y) ** 2)
        loss.backward()
        optimizer.step()
        return loss.detach()

    out = torch.compile(step, dynamic=False) if compiled else step
    fused = optimizer.defaults.get("fused")
    out.optimizer_kind = "fused" if fused else "foreach"  # type: ignore
    out.eager = step  # type: ignore[attr-defined]
    return out
