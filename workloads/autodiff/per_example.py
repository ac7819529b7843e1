"""Per-example gradients of a small MLP: JAX's `vmap(grad)`, torch.func's,
a Python loop over the examples in each library, and an exact reference.
Weights are stored (out, in), as torch.nn.Linear stores them, so both
libraries get the same arrays; `kernels` gives the (in, out) layout of
Flax's kernels, for the layout comparison."""

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

LAYERS = (64, 128, 128, 1)  # input, two hidden layers, one output
Params = dict[str, Any]


def init_mlp(seed: int = 0, layers: tuple[int, ...] = LAYERS) -> Params:
    """float32 weights w{i} (out, in) and biases b{i}, scaled 1/sqrt(in)."""
    rng = np.random.default_rng(seed)
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(layers[:-1], layers[1:])):
        w = rng.standard_normal((fan_out, fan_in)) / np.sqrt(fan_in)
        params[f"w{i}"] = w.astype(np.float32)
        params[f"b{i}"] = (0.1 * rng.standard_normal(fan_out)).astype(
            np.float32)
    return params


def batch(size: int, seed: int = 1,
          features: int = LAYERS[0]) -> tuple[np.ndarray, np.ndarray]:
    """`size` float32 examples (x, y), the same for every library."""
    rng = np.random.default_rng(seed + size)
    x = rng.standard_normal((size, features)).astype(np.float32)
    return x, rng.standard_normal(size).astype(np.float32)


def mlp(params: Params, x: jax.Array) -> jax.Array:
    """One example through tanh hidden layers to one output."""
    h, last = x, len(params) // 2 - 1
    for i in range(last):
        h = jnp.tanh(params[f"w{i}"] @ h + params[f"b{i}"])
    return (params[f"w{last}"] @ h + params[f"b{last}"])[0]


def loss(params: Params, x: jax.Array, y: jax.Array) -> jax.Array:
    """Squared error of one example."""
    return 0.5 * (mlp(params, x) - y) ** 2


def per_example_grads(params: Params, x: jax.Array,
                      y: jax.Array) -> Params:
    """The gradient of every example's loss: `grad`, mapped by `vmap`."""
    return jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))(params, x, y)


def per_example_loop(grad_fn: Callable[..., Params], params: Params,
                     x: jax.Array, y: jax.Array) -> Params:
    """The naive way: one gradient call per example, stacked at the end."""
    grads = [grad_fn(params, x[i], y[i]) for i in range(x.shape[0])]
    return jax.tree.map(lambda *g: jnp.stack(g), *grads)


def kernels(params: Params) -> Params:
    """The same weights stored (in, out), as Flax stores its kernels."""
    return {k: (np.ascontiguousarray(v.T) if k[0] == "w" else v)
            for k, v in params.items()}


def mlp_kernels(params: Params, x: jax.Array) -> jax.Array:
    """The MLP written `x @ kernel`, on (in, out) weights."""
    h, last = x, len(params) // 2 - 1
    for i in range(last):
        h = jnp.tanh(h @ params[f"w{i}"] + params[f"b{i}"])
    return (h @ params[f"w{last}"] + params[f"b{last}"])[0]


def per_example_grads_kernels(params: Params, x: jax.Array,
                              y: jax.Array) -> Params:
    """`vmap(grad)` of the same loss on (in, out) weights."""
    def one(params: Params, x: jax.Array, y: jax.Array) -> jax.Array:
        return 0.5 * (mlp_kernels(params, x) - y) ** 2

    return jax.vmap(jax.grad(one), in_axes=(None, 0, 0))(params, x, y)


def flat(grads: Params, transposed: bool = False) -> np.ndarray:
    """Per-example gradients as one (batch, parameters) array, in the
    order w0 b0 w1 b1 ...; `transposed`: weights came (in, out)."""
    keys = sorted(grads, key=lambda k: (int(k[1:]), k[0] == "b"))
    rows = []
    for k in keys:
        g = np.asarray(grads[k])
        if transposed and k[0] == "w":
            g = np.swapaxes(g, 1, 2)
        rows.append(g.reshape(len(g), -1))
    return np.concatenate(rows, axis=1)


def exact_grads(params: Params, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Backpropagation by hand in float64, flattened like `flat`."""
    p = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    last = len(p) // 2 - 1
    hs = [np.asarray(x, dtype=np.float64)]
    for i in range(last):
        hs.append(np.tanh(hs[-1] @ p[f"w{i}"].T + p[f"b{i}"]))
    out = hs[-1] @ p[f"w{last}"].T + p[f"b{last}"]
    delta = out - np.asarray(y, dtype=np.float64)[:, None]  # (B, out)
    grads = {}
    for i in range(last, -1, -1):
        grads[f"w{i}"] = delta[:, :, None] * hs[i][:, None, :]
        grads[f"b{i}"] = delta
        if i:
            delta = (delta @ p[f"w{i}"]) * (1 - hs[i] ** 2)
    return flat(grads)


def check_rows(grads: np.ndarray, rows: int) -> np.ndarray:
    """What a side sends back to be checked: each example's gradient norm,
    then the full gradients of the first `rows` examples."""
    norms = np.linalg.norm(grads, axis=1)
    return np.concatenate([norms, grads[:rows].ravel()])


def torch_model(params: Params) -> Any:
    """The same MLP as a torch.nn.Sequential, with the same weights."""
    import torch

    last = len(params) // 2 - 1
    layers: list[Any] = []
    for i in range(last + 1):
        linear = torch.nn.Linear(*params[f"w{i}"].shape[::-1])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(params[f"w{i}"]))
            linear.bias.copy_(torch.from_numpy(params[f"b{i}"]))
        layers += [linear, torch.nn.Tanh()] if i < last else [linear]
    return torch.nn.Sequential(*layers)


def torch_per_example(model: Any) -> Callable[..., Any]:
    """torch.func: `vmap(grad)` of one example's loss, by functional_call."""
    from torch.func import functional_call, grad, vmap

    def one(params: dict[str, Any], x: Any, y: Any) -> Any:
        out = functional_call(model, params, (x.unsqueeze(0),))
        return 0.5 * (out.squeeze() - y) ** 2

    return vmap(grad(one), in_dims=(None, 0, 0))


def torch_loop(model: Any, x: Any, y: Any) -> dict[str, Any]:
    """The naive way: one backward pass per example, stacked at the end."""
    import torch

    params = dict(model.named_parameters())
    grads = []
    for i in range(x.shape[0]):
        out = model(x[i : i + 1]).squeeze()
        grads.append(torch.autograd.grad(0.5 * (out - y[i]) ** 2,
                                         list(params.values())))
    return {name: torch.stack([g[j] for g in grads])
            for j, name in enumerate(params)}


def torch_flat(grads: dict[str, Any]) -> np.ndarray:
    """PyTorch's per-example gradients ("0.weight", ...) in `flat`'s
    layout and order."""
    named = {}
    for name, g in grads.items():
        index, kind = name.split(".")
        key = f"{'w' if kind == 'weight' else 'b'}{int(index) // 2}"
        named[key] = g.detach().cpu().numpy()
    return flat(named)


def copied_elements(hlo: str) -> int:
    """Elements of the rank-3 arrays (per-example weight gradients) that a
    compiled program's text copies from one layout into another. Raises
    when the text holds no fusion at all: XLA renamed what is counted."""
    import re

    if not re.search(r"= \S+ fusion\(", hlo):
        raise ValueError("no fusion in the compiled program's text: the "
                         "pattern that counts layout copies is stale")
    copy = (r"f32\[(\d+),(\d+),(\d+)\]\{[\d,]+\} fusion\([^)]*\), "
            r"kind=kLoop, calls=%wrapped_copy")
    found = re.findall(copy, hlo)
    return sum(int(a) * int(b) * int(c) for a, b, c in found)
