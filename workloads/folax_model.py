"""The model, data and training step of Folax's `flax_performance_study.py`, with batches gathered on device."""

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

if TYPE_CHECKING:
    import torch

SAMPLES, BATCH, LEARNING_RATE = 32, 4, 1e-3


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
    model: Model,
    optimizer: nnx.Optimizer,
    metrics: nnx.MultiMetric,
    x: jax.Array,
    y: jax.Array,
    ids: jax.Array,
) -> jax.Array:
    """One Adam step on the batch `x[ids], y[ids]`, gathered on device.

    Also updates the loss metric.
    """
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


def _adam(params: "Iterable[torch.nn.Parameter]") -> "torch.optim.Optimizer":
    """PyTorch's fastest Adam here: fused (one kernel for every parameter), else foreach."""
    import torch

    params = list(params)
    try:
        return torch.optim.Adam(params, lr=LEARNING_RATE, fused=True)
    except (RuntimeError, TypeError):  # a build or device without the fused kernel
        return torch.optim.Adam(params, lr=LEARNING_RATE, foreach=True)


def adam_kind(optimizer: "torch.optim.Optimizer") -> str:
    """'fused' or 'foreach': which Adam implementation `optimizer` runs."""
    return "fused" if optimizer.defaults.get("fused") else "foreach"


def torch_step(model: "torch.nn.Module", *, compiled: bool = False) -> Callable[..., "torch.Tensor"]:
    """A PyTorch Adam step that gathers its batch by index, like `train_step`.

    `compiled=True` runs the forward pass and the loss through `torch.compile` (inductor), which
    also compiles their backward pass; the optimizer step stays outside the compiled graph (fused
    or foreach Adam either way). Like `train_step`'s `MultiMetric`, each step adds its loss to a
    running sum and count on the device (`step.metric()` reads their mean). The optimizer is
    `step.optimizer`.
    """
    import torch

    optimizer = _adam(model.parameters())
    device = next(model.parameters()).device
    total = torch.zeros((), device=device)
    count = torch.zeros((), device=device)

    def loss_fn(x: "torch.Tensor", y: "torch.Tensor", ids: "torch.Tensor") -> "torch.Tensor":
        return torch.mean((model(x[ids]) - y[ids]) ** 2)

    loss_of = torch.compile(loss_fn) if compiled else loss_fn

    def step(x: "torch.Tensor", y: "torch.Tensor", ids: "torch.Tensor") -> "torch.Tensor":
        optimizer.zero_grad(set_to_none=True)
        loss = loss_of(x, y, ids)
        loss.backward()
        optimizer.step()
        loss = loss.detach()
        total.add_(loss)
        count.add_(1)
        return loss

    step.optimizer = optimizer  # type: ignore[attr-defined]
    step.metric = lambda: float(total / count)  # type: ignore[attr-defined]
    return step


def _run(step: Callable[..., Any], batches: list[tuple[Any, ...]]) -> Any:
    """All steps of a timed run back to back; the last loss."""
    loss = None
    for batch in batches:
        loss = step(*batch)
    return loss


def numpy_data(epochs: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`data()` and `epoch_orders(epochs)` as NumPy arrays: x, y and the batch indices.

    Build them in the notebook process and pass them to an isolated side, so a PyTorch side
    never runs a JAX operation (which would start XLA's thread pool in its process).
    """
    x, y = data()
    # float32 whatever jax_enable_x64 says: both sides train the float32 model
    x, y = np.asarray(x, np.float32), np.asarray(y, np.float32)
    return x.copy(), y.copy(), np.array(epoch_orders(epochs, seed))


def torch_side(
    hiddens: tuple[int, ...],
    x: np.ndarray,
    y: np.ndarray,
    orders: np.ndarray,
    device: str = "cpu",
    compiled: bool = True,
) -> tuple[dict[tuple[str, int], Any], str]:
    """Time PyTorch eager (and `torch.compile`) training runs over `orders` at each width.

    Run it in its own process (`pg.run_isolated(torch_side, ..., threads=N, preload=("torch",))`)
    with NumPy data and the device chosen by the caller (`pg.torch_device()`): nothing here runs
    JAX. Each figure is a pipelined run of all steps, waited on at its end (throughput mode), like
    the JAX loops it is compared with. Returns ({(variant, hidden): Timing of one run}, the Adam
    implementation used, 'fused' or 'foreach').
    """
    import torch

    from perfguide.timing import time_call

    tensors = [torch.from_numpy(np.array(a)).to(device) for a in (x, y)]
    batches = [(*tensors, torch.from_numpy(np.array(ids)).to(device)) for ids in orders]
    variants = {TORCH_EAGER: False, **({TORCH_COMPILED: True} if compiled else {})}
    timings, kind = {}, ""
    for hidden in hiddens:
        for name, compile_it in variants.items():
            step = torch_step(torch_model(hidden).to(device), compiled=compile_it)
            kind = adam_kind(step.optimizer)
            timings[name, hidden] = time_call(_run, step, batches, mode="throughput")
    return timings, kind


TORCH_EAGER, TORCH_COMPILED = "PyTorch eager", "torch.compile (forward + loss)"


def jax_side(
    hiddens: tuple[int, ...], x: np.ndarray, y: np.ndarray, orders: np.ndarray, loop: str = "jax.jit flat leaves"
) -> dict[tuple[str, int], Any]:
    """Time one Python loop (a key of `nv.PYTHON_LOOPS`) and the scanned loop at each width.

    Run it in its own process at the same thread setting as the PyTorch side it is compared with;
    the NumPy data are placed on JAX's device here, once, before timing.
    """
    from workloads import nnx_variants as nv
    from perfguide.timing import time_call

    x, y, orders = (jax.device_put(a) for a in (x, y, orders))
    batches = [(x, y, ids) for ids in orders]
    builder, graph = nv.PYTHON_LOOPS[loop]
    timings = {}
    for hidden in hiddens:
        step = builder(train_step, *make(hidden, graph=graph))
        timings[f"JAX {loop}", hidden] = time_call(nv.run_steps, step, batches, mode="throughput")
        scan = nv.ScanSteps(train_step, *make(hidden, graph=False))
        timings["JAX nnx.scan", hidden] = time_call(scan, x, y, orders, mode="throughput")
    return timings
