"""A tiny model trained in a Python loop: the loss read every step, or once at the end."""

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

Params = tuple[jax.Array, jax.Array, jax.Array, jax.Array]
Batch = tuple[jax.Array, jax.Array]
LEARNING_RATE = 0.05


def init(seed: int = 0, din: int = 16, width: int = 64) -> Params:
    """Weights and biases of a one-hidden-layer MLP, float32."""
    k1, k2 = jax.random.split(jax.random.key(seed))
    return (jax.random.normal(k1, (din, width)) / din ** 0.5, jnp.zeros(width),
            jax.random.normal(k2, (width, 1)) / width ** 0.5, jnp.zeros(1))


def batches(steps: int, batch: int = 256, din: int = 16, seed: int = 1) -> list[Batch]:
    """`steps` batches of a smooth target, already on the device."""
    rng = np.random.default_rng(seed)
    xs = rng.standard_normal((steps, batch, din), dtype=np.float32)
    ys = np.sin(xs.sum(axis=2, keepdims=True))
    return [(jnp.asarray(x), jnp.asarray(y)) for x, y in zip(xs, ys)]


def loss_fn(params: Params, x: jax.Array, y: jax.Array) -> jax.Array:
    """Mean squared error of the MLP."""
    w1, b1, w2, b2 = params
    return jnp.mean((jnp.tanh(x @ w1 + b1) @ w2 + b2 - y) ** 2)


@partial(jax.jit, donate_argnums=0)
def step(params: Params, x: jax.Array, y: jax.Array) -> tuple[Params, jax.Array]:
    """One SGD step; the loss before it stays on the device."""
    loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
    new = jax.tree.map(lambda p, g: p - LEARNING_RATE * g, params, grads)
    return new, loss


def train_synced(params: Params,
                 data: list[Batch]) -> tuple[Params, np.ndarray]:
    """`float(loss)` every step: Python waits for each step to finish."""
    losses = []
    for x, y in data:
        params, loss = step(params, x, y)
        losses.append(float(loss))
    return params, np.array(losses, dtype=np.float32)


def train_pipelined(params: Params, data: list[Batch]) -> tuple[Params, np.ndarray]:
    """Losses kept on the device and read once, at the end: steps are issued ahead."""
    losses = []
    for x, y in data:
        params, loss = step(params, x, y)
        losses.append(loss)
    return params, np.asarray(jnp.stack(losses))


def train_blocked(params: Params, data: list[Batch]) -> tuple[Params, np.ndarray]:
    """`loss.block_until_ready()` every step: the same wait as `float(loss)`, without the copy
    to Python; the losses are read once, at the end."""
    losses = []
    for x, y in data:
        params, loss = step(params, x, y)
        losses.append(loss.block_until_ready())
    return params, np.asarray(jnp.stack(losses))
